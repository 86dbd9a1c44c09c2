from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")
    role_permissions = {
        "director": [
            f"{action}_{model}"
            for action in ("view", "add", "change", "delete")
            for model in ("staffmember", "employmentspell", "qualification")
        ],
        "finance": ["view_staffmember"],
        "supervisor": ["view_staffmember", "view_employmentspell", "view_qualification"],
        "staff": ["view_staffmember", "view_employmentspell", "view_qualification"],
    }
    nav_items: tuple = ()
