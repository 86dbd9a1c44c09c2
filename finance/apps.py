from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_RECORDS = (
    "funder",
    "contract",
    "budgetline",
    "budgetrevision",
    "budgetrevisionline",
    "disbursement",
    "staffassignment",
    "expenditure",
)


# Flags (finance/models/flags.py): directors, finance officers and auditors read them (auditors:
# granted contracts only, Flag.restrict_queryset); directors and finance officers triage (change).
_FLAG_VIEW = ("view_flag", "view_flagevent", "view_flagevidence")


# Bank reconciliation (finance/models/reconciliation.py): finance officers read and write, directors
# and auditors (granted contracts, via restrict_through_contract) read.
_RECONCILIATION = ("reconciliationperiod", "bankstatement", "statementline", "reconciliationmatch")


def _perms(*actions: str, models=_RECORDS) -> list[str]:
    return [f"{action}_{model}" for model in models for action in actions]


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")
    # docs/roles.md: finance officers write finance records (never delete an expenditure), directors
    # read them, approve revisions (change_budgetrevision) and manage auditor grants; auditors
    # read, and Contract.restrict_queryset limits them to granted contracts.
    # The flags engineer appends the entries for their own models (finance/models/flags.py) below.
    role_permissions = {
        "director": [
            *_perms("view"),
            "change_budgetrevision",
            "view_auditorgrant",
            "add_auditorgrant",
            "change_auditorgrant",
            *_FLAG_VIEW,
            "change_flag",
            *_perms("view", models=_RECONCILIATION),
        ],
        "finance": [
            *_perms("view", "add", "change"),
            "view_auditorgrant",
            *_FLAG_VIEW,
            "change_flag",
            *_perms("view", "add", "change", models=_RECONCILIATION),
        ],
        "auditor": [*_perms("view"), *_FLAG_VIEW, *_perms("view", models=_RECONCILIATION)],
    }

    @property
    def nav_items(self):
        from core.navigation import NavItem

        return (
            NavItem(
                _("Contracts"),
                "finance-contract-list",
                ("director", "finance", "auditor"),
                400,
                group=_("Finance"),
            ),
            NavItem(
                _("Ledger"), "finance-ledger", ("director", "finance", "auditor"), 410, group=_("Finance")
            ),
            NavItem(_("Ledger import"), "finance-import", ("finance",), 420, group=_("Finance")),
            NavItem(
                _("Flags"), "finance-flag-list", ("director", "finance", "auditor"), 430, group=_("Finance")
            ),
            NavItem(
                _("Bank reconciliation"),
                "finance-reconciliation",
                ("director", "finance", "auditor"),
                440,
                group=_("Finance"),
            ),
        )

    def ready(self) -> None:
        from importlib import import_module
        from importlib.util import find_spec

        for module in ("finance.hooks", "finance.reports", "finance.panels", "finance.flags.panels"):
            if find_spec(module) is not None:
                import_module(module)

        from core.official_calendar import calendar_changed

        calendar_changed.connect(_rescan_for_calendar, dispatch_uid="finance.rescan_for_calendar")

        from core.people_changes import people_change_subscriber
        from finance.flags.services import flags_scan_on_people_change

        people_change_subscriber(flags_scan_on_people_change)
        _register_setup_steps()


def _rescan_for_calendar(sender, agency, year, **kwargs) -> None:
    """A director saved ``year``'s official calendar: re-scan the contracts running in it."""
    import datetime as dt

    from finance.flags.services import flags_scan_on_commit
    from finance.models import Contract

    for contract in Contract.objects.filter(
        agency=agency, start__lte=dt.date(year, 12, 31), end__gte=dt.date(year, 1, 1)
    ):
        flags_scan_on_commit(contract=contract)


def _register_setup_steps() -> None:
    from core.setup import SetupStep, register_setup_step

    def contracts_loaded(agency) -> bool:
        from finance.models import Contract

        return Contract.objects.filter(agency=agency).exists()

    register_setup_step(
        SetupStep(
            key="contracts-loaded",
            label=_("Load your service contracts"),
            # The finance officer loads them (docs/roles.md: directors read contracts and approve
            # revisions); the list is where the director sees that it is done.
            url_name="finance-contract-list",
            is_done=contracts_loaded,
            order=20,
            help=_(
                "Your finance officer loads each purchase-of-service contract with its budget "
                "(Contracts → Load a contract file, or manage.py load_contract FILE.json)."
            ),
        )
    )
