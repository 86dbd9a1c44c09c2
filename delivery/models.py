"""What a contract promises to deliver (targets) and what the staff did deliver (service activities).

A ``Target`` is one of the funder's quantitative deliverables of a contract, counted by its
measure (docs/metrics.md). A ``ServiceActivity`` is one visit, session or event a staff member
delivered under a target. Children and families appear only as anonymised case codes: a name
is never stored, and the model refuses anything that looks like one.

Access (docs/roles.md): every role but the auditor reads targets, auditors those of their granted
contracts, directors write them. Activities: directors read and write all, finance officers read,
supervisors read their supervisees', staff read and write their own; auditors see progress only.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TenantModel, user_has_model_perm
from core.roles import Role, user_roles

MAX_ACTIVITY_MINUTES = 720
MAX_PARTICIPANTS = 500
CASE_CODE_PATTERN = r"^[A-Za-z0-9-]+$"
_CASE_CODE_RE = re.compile(CASE_CODE_PATTERN)
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f]")

CASE_CODE_MESSAGE = _(
    "Case codes only, never a child's name: use letters, digits and dashes (for example XF-C-017)."
)


def case_code_problem(value: str) -> str | None:
    """Why ``value`` cannot be a case code, or None when it can (empty is allowed here).

    The message never repeats the value: it may be a child's name, and a refused file's
    problems are kept with its import record (files.md: a name is never stored). The row and
    column the problem names say where it is."""
    if not value:
        return None
    if _CJK_RE.search(value) or " " in value.strip():
        return str(
            _(
                "This looks like a name. Case codes only, never a child's name: use letters, "
                "digits and dashes (for example XF-C-017)."
            )
        )
    if not _CASE_CODE_RE.match(value):
        return str(CASE_CODE_MESSAGE)
    return None


def validate_case_code(value: str) -> None:
    problem = case_code_problem(value)
    if problem:
        raise ValidationError(problem, code="case_code")


class Measure(models.TextChoices):
    """How a target's progress is counted (docs/metrics.md)."""

    ACTIVITIES = "activities", _("Activities held")
    CASES = "cases", _("Cases served")
    PARTICIPANTS = "participants", _("Participant attendances")
    HOURS = "hours", _("Service hours")


MEASURE_CHINESE = {
    "活动次数": "activities",
    "服务个案数": "cases",
    "服务人次": "participants",
    "服务时数": "hours",
}


def _visible_contract_ids(user):
    from finance.models.contracts import _visible_contract_ids as visible

    return visible(user)


class Target(TenantModel):
    """A quantitative deliverable of a contract, as the funder counts it (e.g. 300 home visits)."""

    contract = models.ForeignKey(
        "finance.Contract", on_delete=models.CASCADE, related_name="targets", verbose_name=_("contract")
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    quantity = models.PositiveIntegerField(_("quantity"), help_text=_("A whole number above zero."))
    position = models.PositiveIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "position", "code"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "code"],
                name="delivery_target_unique_code",
                violation_error_message=_("Another target of this contract has this code."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="delivery_target_quantity_positive",
                violation_error_message=_("The quantity must be a whole number above zero."),
            ),
            models.CheckConstraint(
                condition=Q(measure__in=Measure.values),
                name="delivery_target_measure_known",
                violation_error_message=_("Unknown measure."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        """Directors write; finance, supervisors and staff read; auditors read granted contracts."""
        if not user_has_model_perm(user, cls, action):
            return qs.none()
        roles = user_roles(user)
        if roles & {Role.DIRECTOR, Role.FINANCE, Role.SUPERVISOR, Role.STAFF}:
            return qs
        if Role.AUDITOR in roles and action == "view":
            return qs.filter(contract__in=_visible_contract_ids(user))
        return qs.none()


class TargetRevision(TenantModel):
    """One change to a contract's targets (added, changed or removed), with who, when and why.

    Like budget revisions, targets are never silently overwritten: a contract file that changes
    them, or a director's edit, leaves one of these per target it touches.
    """

    class Action(models.TextChoices):
        ADDED = "added", _("Added")
        CHANGED = "changed", _("Changed")
        REMOVED = "removed", _("Removed")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Edited on a page")
        FILE = "file", _("Loaded from a contract file")

    contract = models.ForeignKey(
        "finance.Contract",
        on_delete=models.CASCADE,
        related_name="target_revisions",
        verbose_name=_("contract"),
    )
    target = models.ForeignKey(
        Target,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revisions",
        verbose_name=_("target"),
    )
    code = models.CharField(_("code"), max_length=30)
    action = models.CharField(_("change"), max_length=10, choices=Action.choices)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.TextField(_("reason"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["contract", "-changed_at", "-id"]
        verbose_name = _("target revision")
        verbose_name_plural = _("target revisions")

    def __str__(self) -> str:
        return f"{self.code} {self.get_action_display()} {self.changed_at:%Y-%m-%d}"

    @staticmethod
    def _described(values: dict) -> str:
        """A target's name, measure (by its label, not its code) and quantity: "入户探访 · 服务人次 · 120"."""
        measure = dict(Measure.choices).get(values.get("measure"), values.get("measure"))
        return " · ".join(str(part) for part in (values.get("name"), measure, values.get("quantity")) if part)

    @property
    def before_text(self) -> str:
        """The target before the change as a person reads it; empty for a target added."""
        return self._described(self.before or {})

    @property
    def after_text(self) -> str:
        """The target after the change as a person reads it; empty for a target removed."""
        return self._described(self.after or {})

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return Target.restrict_queryset(qs, user, action) if action == "view" else qs.none()


class ServiceActivity(TenantModel):
    """One visit, session or event a staff member delivered under a contract's target."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Logged on a page")
        IMPORT = "import", _("Imported")

    contract = models.ForeignKey(
        "finance.Contract", on_delete=models.PROTECT, related_name="activities", verbose_name=_("contract")
    )
    activity_no = models.CharField(
        _("activity number"),
        max_length=60,
        help_text=_("The agency's record number; unique within a contract."),
    )
    date = models.DateField(_("date"))
    staff = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("staff member"),
    )
    target = models.ForeignKey(
        Target, on_delete=models.PROTECT, related_name="activities", verbose_name=_("target")
    )
    duration_minutes = models.PositiveIntegerField(_("minutes"), help_text=_("Whole minutes, 1 to 720."))
    case_code = models.CharField(
        _("case code"),
        max_length=40,
        blank=True,
        validators=[validate_case_code],
        help_text=_("The anonymised code of the child or family; never a name."),
    )
    participants = models.PositiveIntegerField(
        _("participants"), default=1, help_text=_("People reached, 1 to 500.")
    )
    location = models.CharField(_("place"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    import_batch = models.ForeignKey(
        "core.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("import"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("service activity")
        verbose_name_plural = _("service activities")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "activity_no"],
                name="delivery_serviceactivity_unique_activity_no",
                violation_error_message=_("This activity number is already used in this contract."),
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=MAX_ACTIVITY_MINUTES),
                name="delivery_serviceactivity_duration_range",
                violation_error_message=_("An activity lasts 1 to 720 minutes."),
            ),
            models.CheckConstraint(
                condition=Q(participants__gte=1) & Q(participants__lte=MAX_PARTICIPANTS),
                name="delivery_serviceactivity_participants_range",
                violation_error_message=_("Participants must be 1 to 500."),
            ),
            models.CheckConstraint(
                condition=Q(case_code="") | Q(case_code__regex=CASE_CODE_PATTERN),
                name="delivery_serviceactivity_case_code_format",
                violation_error_message=CASE_CODE_MESSAGE,
            ),
        ]
        indexes = [
            models.Index(fields=["contract", "target", "date"]),
            models.Index(fields=["agency", "staff", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.activity_no} {self.date.isoformat()}"

    def clean(self) -> None:
        super().clean()
        target = getattr(self, "target", None) if self.target_id else None
        if target is not None:
            if self.contract_id and target.contract_id != self.contract_id:
                raise ValidationError({"target": _("This target belongs to another contract.")})
            if target.measure == Measure.CASES and not self.case_code:
                raise ValidationError(
                    {"case_code": _("A case code is required for a target counted in cases.")}
                )

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        """Directors all; finance officers read; supervisors read their supervisees'; staff their own."""
        roles = user_roles(user)
        if not user_has_model_perm(user, cls, action):
            return qs.none()
        if Role.DIRECTOR in roles:
            return qs
        if Role.FINANCE in roles and action == "view":
            return qs
        if not roles & {Role.SUPERVISOR, Role.STAFF}:
            return qs.none()
        from staff.models import own_and_supervisee_ids

        supervisees = action == "view" and Role.SUPERVISOR in roles
        return qs.filter(staff_id__in=own_and_supervisee_ids(user, supervisees=supervisees))


class FlagActivity(TenantModel):
    """A service activity a flag is about (the delivery rules' side of ``finance.Flag``).

    Written by each scan for the flags of delivery rules; a confirmed flag's activities are left
    out of target progress (docs/metrics.md).
    """

    flag = models.ForeignKey(
        "finance.Flag", on_delete=models.CASCADE, related_name="activity_links", verbose_name=_("flag")
    )
    activity = models.ForeignKey(
        ServiceActivity,
        on_delete=models.CASCADE,
        related_name="flag_links",
        verbose_name=_("service activity"),
    )

    class Meta:
        ordering = ["flag", "activity__date", "activity_id"]
        verbose_name = _("flagged activity")
        verbose_name_plural = _("flagged activities")
        constraints = [
            models.UniqueConstraint(
                fields=["flag", "activity"],
                name="delivery_flagactivity_unique_pair",
                violation_error_message=_("This activity is already linked to the flag."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.flag_id} → {self.activity_id}"

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        from finance.models import Flag

        if action != "view":
            return qs.none()
        return qs.filter(
            flag__in=Flag.objects.for_user(user, "view"), activity__in=ServiceActivity.objects.for_user(user)
        )
