from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")
    role_permissions: dict[str, list[str]] = {}
    nav_items: tuple = ()
