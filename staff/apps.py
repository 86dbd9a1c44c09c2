from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")
    role_permissions: dict[str, list[str]] = {}
    nav_items: tuple = ()
