"""Training: events the agency runs or sends people to, the hours each person is credited,
and the continuing-education requirements those hours are measured against.

Every credited hour is a ``TrainingRecord``: attendance at an event (``event`` set), a staff
member's own submission for external training (pending until a supervisor or the director
approves it), or a row of an imported file (approved on import; the batch records who
imported it). Only approved records count toward compliance (docs/metrics.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TenantModel, user_has_model_perm
from core.roles import Role, user_roles
from core.uploads import private_path, validate_document
from staff.models import QualificationLevel

#: Hours credited for one training: more than 0, at most this, one decimal place (docs/formats.md).
MAX_HOURS = Decimal("200")
MIN_HOURS = Decimal("0.1")

#: National continuing-education rule (docs/metrics.md): hours per registration cycle by level.
NATIONAL_LEVELS = (
    QualificationLevel.ASSISTANT_SOCIAL_WORKER,
    QualificationLevel.SOCIAL_WORKER,
    QualificationLevel.SENIOR_SOCIAL_WORKER,
)
DEFAULT_CYCLE_YEARS = 3
DEFAULT_REQUIREMENTS: dict[str, Decimal] = {
    QualificationLevel.ASSISTANT_SOCIAL_WORKER: Decimal("72"),
    QualificationLevel.SOCIAL_WORKER: Decimal("90"),
    QualificationLevel.SENIOR_SOCIAL_WORKER: Decimal("90"),
}

#: Evidence uploads: at most this many bytes, and a PDF, JPEG or PNG judged by content.
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024


def hours_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(MIN_HOURS), MaxValueValidator(MAX_HOURS)],
        **kwargs,
    )


def validate_evidence(file) -> None:
    """Refuse evidence that is too large or is not a PDF, JPEG or PNG by its first bytes."""
    if file is None or not file:
        return
    validate_document(file, max_bytes=MAX_EVIDENCE_BYTES)


class TrainingCategory(models.TextChoices):
    PRACTICE = "practice", _("Practice skills")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    ETHICS = "ethics", _("Ethics and values")
    POLICY = "policy", _("Policy and law")
    SUPERVISION = "supervision", _("Supervision")
    MANAGEMENT = "management", _("Project management")
    SELF_CARE = "self_care", _("Self-care and wellbeing")
    OTHER = "other", _("Other")


class Delivery(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")


class TrainingEvent(TenantModel):
    """A course, workshop or conference the agency ran or sent people to."""

    title = models.CharField(_("title"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200, blank=True, help_text=_("Who ran it."))
    delivery = models.CharField(
        _("internal or external"), max_length=10, choices=Delivery.choices, default=Delivery.INTERNAL
    )
    category = models.CharField(
        _("category"), max_length=30, choices=TrainingCategory.choices, default=TrainingCategory.PRACTICE
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    hours = hours_field(
        _("hours"), help_text=_("Hours of the whole event; attendance is credited up to this.")
    )
    ce_eligible = models.BooleanField(
        _("counts as continuing education"),
        default=True,
        help_text=_("Hours count toward the registration-cycle requirement."),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("training event")
        verbose_name_plural = _("training events")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="training_trainingevent_end_after_start",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=MAX_HOURS),
                name="training_trainingevent_hours_range",
                violation_error_message=_("Hours must be more than 0 and at most 200."),
            ),
        ]
        indexes = [models.Index(fields=["agency", "-start_date"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.start_date.isoformat()})"

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        """Directors everything; supervisors read events they or their supervisees attended;
        staff read events they attended."""
        roles = user_roles(user)
        if Role.DIRECTOR in roles:
            return qs if user_has_model_perm(user, cls, action) else qs.none()
        if action != "view" or not user_has_model_perm(user, cls, "view"):
            return qs.none()
        if not roles & {Role.SUPERVISOR, Role.STAFF}:
            return qs.none()
        from staff.models import own_and_supervisee_ids

        staff_ids = own_and_supervisee_ids(user, supervisees=Role.SUPERVISOR in roles)
        return qs.filter(pk__in=TrainingRecord.objects.filter(staff_id__in=staff_ids).values("event_id"))


class RecordSource(models.TextChoices):
    ATTENDANCE = "attendance", _("Event attendance")
    SUBMISSION = "submission", _("Submitted by the staff member")
    IMPORT = "import", _("Imported")
    ENTRY = "entry", _("Entered by the director")


class RecordStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


def evidence_upload_to(instance: TrainingRecord, filename: str) -> str:
    return private_path(f"agency_{instance.agency_id}/training/{instance.staff_id}", filename)


class TrainingRecord(TenantModel):
    """Hours of training credited to one staff member on one date.

    Attendance at an agency event, an external course the person submitted (with evidence),
    or an imported row. Only ``approved`` records count toward compliance.
    """

    staff = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.PROTECT,
        related_name="training_records",
        verbose_name=_("staff member"),
    )
    event = models.ForeignKey(
        TrainingEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attendance",
        verbose_name=_("event"),
    )
    date = models.DateField(_("date"), help_text=_("Date of the training, or its last day."))
    title = models.CharField(_("title"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    category = models.CharField(
        _("category"), max_length=30, choices=TrainingCategory.choices, default=TrainingCategory.OTHER
    )
    hours = hours_field(_("hours credited"), help_text=_("More than 0, at most 200, one decimal place."))
    ce_eligible = models.BooleanField(_("counts as continuing education"), default=True)
    source = models.CharField(_("source"), max_length=20, choices=RecordSource.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=RecordStatus.choices, default=RecordStatus.PENDING
    )
    evidence = models.FileField(
        _("evidence"),
        upload_to=evidence_upload_to,
        blank=True,
        validators=[validate_evidence],
        help_text=_("Certificate or attendance proof: PDF, JPEG or PNG, at most 5 MB."),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    submitted_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    import_batch = models.ForeignKey(
        "core.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("import batch"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "staff", "title"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=MAX_HOURS),
                name="training_trainingrecord_hours_range",
                violation_error_message=_("Hours must be more than 0 and at most 200."),
            ),
            # docs/formats.md: the same staff member, date and title are one record.
            models.UniqueConstraint(
                fields=["agency", "staff", "date", "title"],
                condition=~Q(status="rejected"),
                name="training_trainingrecord_unique_per_day_title",
                violation_error_message=_(
                    "This person already has a training record with this date and title."
                ),
            ),
            models.UniqueConstraint(
                fields=["event", "staff"],
                condition=Q(event__isnull=False),
                name="training_trainingrecord_unique_attendance",
                violation_error_message=_("This person's attendance at this event is already recorded."),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "date"]),
            models.Index(fields=["staff", "date"]),
            # Continuing-education hours per person and cycle read from the index alone: the
            # compliance page sums each person's cycle (training/compliance_db.py).
            models.Index(
                fields=["agency", "staff", "date", "hours"],
                condition=Q(status="approved", ce_eligible=True),
                name="training_record_ce_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} · {self.title} · {self.date.isoformat()} · {self.hours} h"

    def clean(self) -> None:
        super().clean()
        if self.event_id and self.hours is not None and self.hours > self.event.hours:
            raise ValidationError(
                {
                    "hours": _("At most %(hours)s hours can be credited for this event.")
                    % {"hours": self.event.hours}
                }
            )

    @property
    def counts(self) -> bool:
        """True when the hours count toward the continuing-education requirement."""
        return self.status == RecordStatus.APPROVED and self.ce_eligible

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        """Directors everything; supervisors read (and approve: ``change``) their supervisees'
        records and read their own; staff read and submit (``add``) their own."""
        roles = user_roles(user)
        if Role.DIRECTOR in roles and user_has_model_perm(user, cls, action):
            return qs
        if not user_has_model_perm(user, cls, action) or not roles & {Role.SUPERVISOR, Role.STAFF}:
            return qs.none()
        from staff.models import own_and_supervisee_ids, supervisee_ids

        if action == "view":
            return qs.filter(staff_id__in=own_and_supervisee_ids(user, supervisees=Role.SUPERVISOR in roles))
        if action == "add":
            return qs.filter(staff__user=user)
        if action == "change" and Role.SUPERVISOR in roles:
            return qs.filter(staff_id__in=supervisee_ids(user)).exclude(staff__user=user)
        return qs.none()


class CERequirement(TenantModel):
    """The continuing-education hours a certificate level needs per registration cycle.

    Absent rows mean the national default (``DEFAULT_REQUIREMENTS``, 3-year cycles); the
    rows are created when the director first opens the requirements page or the demo runs.
    """

    level = models.CharField(
        _("certificate level"),
        max_length=30,
        choices=[(level.value, level.label) for level in NATIONAL_LEVELS],
    )
    hours_per_cycle = models.DecimalField(
        _("hours per cycle"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0"))],
    )
    cycle_years = models.PositiveSmallIntegerField(
        _("cycle length (years)"),
        default=DEFAULT_CYCLE_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["level"]
        verbose_name = _("continuing-education requirement")
        verbose_name_plural = _("continuing-education requirements")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "level"],
                name="training_cerequirement_unique_level",
                violation_error_message=_("This level already has a requirement."),
            ),
            models.CheckConstraint(
                condition=Q(cycle_years__gte=1) & Q(cycle_years__lte=10),
                name="training_cerequirement_cycle_years_range",
                violation_error_message=_("A cycle lasts from 1 to 10 years."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.hours_per_cycle} h / {self.cycle_years} y"


class TrainingPolicy(TenantModel):
    """The agency's own rule on top of the national one: a yearly minimum for all staff."""

    annual_minimum_hours = models.DecimalField(
        _("annual minimum hours"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "Approved training hours every employed staff member needs each calendar year; empty = none."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency"]
        verbose_name = _("training policy")
        verbose_name_plural = _("training policies")
        constraints = [
            models.UniqueConstraint(
                fields=["agency"],
                name="training_trainingpolicy_one_per_agency",
                violation_error_message=_("The agency already has a training policy."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.annual_minimum_hours or '-'} h / year"
