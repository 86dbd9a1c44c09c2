from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")
    role_permissions = {
        "director": [
            "view_supervisionplan",
            "add_supervisionplan",
            "change_supervisionplan",
            "delete_supervisionplan",
        ],
        "supervisor": ["view_supervisionplan"],
        "staff": ["view_supervisionplan"],
    }
    nav_items: tuple = ()
