from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")
    # docs/roles.md: directors read and write; supervisors read their supervisees' records and
    # approve them (change, limited to supervisees by TrainingRecord.restrict_queryset);
    # staff read their own and submit (add) their own external training.
    role_permissions = {
        "director": [
            "view_trainingevent",
            "add_trainingevent",
            "change_trainingevent",
            "delete_trainingevent",
            "view_trainingrecord",
            "add_trainingrecord",
            "change_trainingrecord",
            "delete_trainingrecord",
            "view_cerequirement",
            "add_cerequirement",
            "change_cerequirement",
            "view_trainingpolicy",
            "add_trainingpolicy",
            "change_trainingpolicy",
        ],
        "supervisor": [
            "view_trainingevent",
            "view_trainingrecord",
            "add_trainingrecord",
            "change_trainingrecord",
            "view_cerequirement",
        ],
        "staff": ["view_trainingevent", "view_trainingrecord", "add_trainingrecord", "view_cerequirement"],
    }

    @property
    def nav_items(self):
        from core.navigation import NavItem

        return (
            NavItem(_("My training"), "training-my", ("staff", "supervisor"), 300, group=_("Training")),
            NavItem(
                _("Training events"),
                "training-event-list",
                ("director", "supervisor"),
                310,
                group=_("Training"),
            ),
            NavItem(
                _("Training approvals"),
                "training-approvals",
                ("director", "supervisor"),
                320,
                group=_("Training"),
            ),
            NavItem(
                _("Training compliance"),
                "training-compliance",
                ("director", "supervisor"),
                330,
                group=_("Training"),
            ),
        )

    def ready(self) -> None:
        from core.setup import SetupStep, register_setup_step
        from training import hooks, panels, reports  # noqa: F401

        def requirements_reviewed(agency) -> bool:
            from training.models import TrainingPolicy

            # Saving the requirements page stores the agency's policy, even with no yearly minimum.
            return TrainingPolicy.objects.filter(agency=agency).exists()

        register_setup_step(
            SetupStep(
                key="training-requirements",
                label=_("Review the training requirements"),
                url_name="training-requirements",
                is_done=requirements_reviewed,
                order=30,
                help=_("Continuing-education hours per certificate level, and your own yearly minimum."),
            )
        )
