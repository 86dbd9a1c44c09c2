from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")
    role_permissions: dict[str, list[str]] = {}
    nav_items: tuple = ()
