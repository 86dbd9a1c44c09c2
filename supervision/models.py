"""Professional supervision: plans (who supervises whom, how much) and the sessions logged."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TenantModel, user_has_model_perm
from core.roles import Role, user_roles

DEFAULT_REQUIRED_MINUTES = 120
DEFAULT_REQUIRED_INDIVIDUAL_MINUTES = 60


class SupervisionPlan(TenantModel):
    """How many minutes of supervision a supervisee must receive each month, and from whom."""

    supervisee = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.PROTECT,
        related_name="supervision_plans",
        verbose_name=_("supervisee"),
    )
    supervisor = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.PROTECT,
        related_name="supervising_plans",
        verbose_name=_("supervisor"),
    )
    required_minutes = models.PositiveIntegerField(
        _("required minutes per month"), default=DEFAULT_REQUIRED_MINUTES
    )
    required_individual_minutes = models.PositiveIntegerField(
        _("of which individual"), default=DEFAULT_REQUIRED_INDIVIDUAL_MINUTES
    )
    start = models.DateField(_("starts"))
    end = models.DateField(_("ends"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["supervisee", "-start"]
        verbose_name = _("supervision plan")
        verbose_name_plural = _("supervision plans")
        constraints = [
            models.CheckConstraint(
                condition=~Q(supervisee=F("supervisor")),
                name="supervision_supervisionplan_no_self_supervision",
                violation_error_message=_("A supervisor cannot supervise themselves."),
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="supervision_supervisionplan_end_after_start",
                violation_error_message=_("The plan cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(required_individual_minutes__lte=F("required_minutes")),
                name="supervision_supervisionplan_individual_within_total",
                violation_error_message=_("The individual minimum cannot exceed the monthly total."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor.name} → {self.supervisee.name} ({self.start.isoformat()})"

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        roles = user_roles(user)
        if Role.DIRECTOR in roles and user_has_model_perm(user, cls, action):
            return qs
        if action == "view" and user_has_model_perm(user, cls, "view"):
            return qs.filter(Q(supervisor__user=user) | Q(supervisee__user=user))
        return qs.none()
