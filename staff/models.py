"""The agency's people: staff members, their employment spells and their qualifications."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TenantModel, TenantQuerySet, user_has_model_perm
from core.registries import supervisee_querysets
from core.roles import Role, user_roles
from core.uploads import private_path, validate_document


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", _("Full time")
    PART_TIME = "part_time", _("Part time")
    CONTRACT = "contract", _("Contract")
    INTERN = "intern", _("Intern")


class ExitReason(models.TextChoices):
    SALARY = "salary", _("Salary and benefits")
    CAREER = "career", _("Career development")
    WORKLOAD = "workload", _("Workload and stress")
    RELOCATION = "relocation", _("Relocation")
    STUDY = "study", _("Further study")
    FAMILY = "family", _("Family reasons")
    CONTRACT_END = "contract_end", _("Contract ended")
    DISMISSAL = "dismissal", _("Dismissal")
    OTHER = "other", _("Other")


#: Exit reasons that count as voluntary (docs/metrics.md): everything but contract end and dismissal.
VOLUNTARY_EXIT_REASONS = frozenset(
    {
        ExitReason.SALARY,
        ExitReason.CAREER,
        ExitReason.WORKLOAD,
        ExitReason.RELOCATION,
        ExitReason.STUDY,
        ExitReason.FAMILY,
        ExitReason.OTHER,
    }
)


class QualificationLevel(models.TextChoices):
    ASSISTANT_SOCIAL_WORKER = "assistant_social_worker", _("Assistant social worker")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    SENIOR_SOCIAL_WORKER = "senior_social_worker", _("Senior social worker")
    OTHER = "other", _("Other qualification")


#: Registrations ending within this many days are flagged as expiring.
EXPIRY_WARNING_DAYS = 90

#: Rank of the national social-worker certificate levels (higher is more senior).
LEVEL_RANK = {
    QualificationLevel.ASSISTANT_SOCIAL_WORKER: 1,
    QualificationLevel.SOCIAL_WORKER: 2,
    QualificationLevel.SENIOR_SOCIAL_WORKER: 3,
}


#: Scanned certificates: PDF or a photo, at most this many bytes.
SCAN_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")
SCAN_MAX_BYTES = 5 * 1024 * 1024


def validate_scan(upload) -> None:
    """A scan must be small and really be a PDF, JPEG or PNG (by content, not only by name)."""
    validate_document(
        upload, max_bytes=SCAN_MAX_BYTES, kind_message=_("The scan must be a PDF, JPEG or PNG file.")
    )


class StaffQuerySet(TenantQuerySet):
    """Staff members, with the roster dates (latest spell) one query away."""

    def with_roster_dates(self) -> StaffQuerySet:
        """Annotate ``latest_hire_date``/``latest_exit_date`` of the most recent spell."""
        latest = EmploymentSpell.objects.filter(staff=models.OuterRef("pk")).order_by("-hire_date")
        return self.annotate(
            latest_hire_date=models.Subquery(latest.values("hire_date")[:1]),
            latest_exit_date=models.Subquery(latest.values("exit_date")[:1]),
        )


class StaffMember(TenantModel):
    """A person who works, or has worked, for the agency (one record across re-hires)."""

    staff_no = models.CharField(_("staff number"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    position = models.CharField(
        _("position"), max_length=100, blank=True, help_text=_("e.g. 一线社工, 项目主管, 财务")
    )
    employment_type = models.CharField(
        _("employment type"), max_length=20, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME
    )
    education = models.CharField(_("education"), max_length=100, blank=True)
    sw_degree = models.BooleanField(_("social-work degree"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_member",
        verbose_name=_("login"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["staff_no"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "staff_no"],
                name="staff_staffmember_unique_staff_no",
                violation_error_message=_("Another staff member of this agency has this staff number."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_no} {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.user_id and self.agency_id:
            membership = getattr(self.user, "membership", None)
            if membership is None or membership.agency_id != self.agency_id:
                raise ValidationError({"user": _("This login does not belong to the agency.")})

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        """Directors see and edit everyone; finance and supervisors read the roster; staff
        read their own record only."""
        if not user_has_model_perm(user, cls, action):
            return qs.none()
        roles = user_roles(user)
        if roles & {Role.DIRECTOR, Role.FINANCE, Role.SUPERVISOR}:
            return qs
        return qs.filter(user=user)


class EmploymentSpell(TenantModel):
    """One continuous period of employment; a re-hire after leaving is a new spell."""

    staff = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="spells", verbose_name=_("staff member")
    )
    hire_date = models.DateField(_("hire date"))
    exit_date = models.DateField(
        _("exit date"), null=True, blank=True, help_text=_("Last working day; empty while employed.")
    )
    exit_reason = models.CharField(_("exit reason"), max_length=20, choices=ExitReason.choices, blank=True)
    exit_notes = models.TextField(_("exit-interview notes"), blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    employment_type = models.CharField(
        _("employment type"), max_length=20, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["staff", "hire_date"]
        verbose_name = _("employment spell")
        verbose_name_plural = _("employment spells")
        constraints = [
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | Q(exit_date__gte=F("hire_date")),
                name="staff_employmentspell_exit_after_hire",
                violation_error_message=_("The exit date cannot be before the hire date."),
            ),
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | ~Q(exit_reason=""),
                name="staff_employmentspell_exit_has_reason",
                violation_error_message=_("Give the reason for leaving when an exit date is set."),
            ),
            models.CheckConstraint(
                condition=Q(exit_date__isnull=False) | Q(exit_reason=""),
                name="staff_employmentspell_reason_needs_exit",
                violation_error_message=_("An exit reason needs an exit date."),
            ),
        ]
        indexes = [models.Index(fields=["agency", "hire_date"]), models.Index(fields=["agency", "exit_date"])]

    def __str__(self) -> str:
        end = self.exit_date.isoformat() if self.exit_date else _("present")
        return f"{self.staff.name}: {self.hire_date.isoformat()} – {end}"

    @property
    def is_voluntary_exit(self) -> bool | None:
        """True/False for a finished spell (derived from the reason), None while employed."""
        if not self.exit_date:
            return None
        return self.exit_reason in VOLUNTARY_EXIT_REASONS

    def is_active_on(self, day: dt.date) -> bool:
        return self.hire_date <= day and (self.exit_date is None or self.exit_date >= day)

    def overlapping(self) -> models.QuerySet:
        """Other spells of the same person that share at least one day with this one."""
        if not self.staff_id or not self.hire_date:
            return EmploymentSpell.objects.none()
        qs = EmploymentSpell.objects.filter(staff_id=self.staff_id).exclude(pk=self.pk)
        qs = qs.filter(Q(exit_date__isnull=True) | Q(exit_date__gte=self.hire_date))
        if self.exit_date:
            qs = qs.filter(hire_date__lte=self.exit_date)
        return qs

    def clean(self) -> None:
        """The friendly form of the database rule that one person's spells never overlap."""
        super().clean()
        if self.staff_id and self.agency_id and self.staff.agency_id != self.agency_id:
            raise ValidationError({"staff": _("The staff member belongs to another agency.")})
        clash = self.overlapping().first()
        if clash is not None:
            end = clash.exit_date.isoformat() if clash.exit_date else _("present")
            raise ValidationError(
                {
                    "hire_date": _(
                        "This spell overlaps another spell of the same person (%(start)s – %(end)s)."
                    )
                    % {"start": clash.hire_date.isoformat(), "end": end}
                },
                code="overlap",
            )

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        """Employment history and exit reasons: directors all, supervisors their supervisees
        (read), staff their own (read); finance officers and auditors nothing."""
        return _restrict_personal(cls, qs, user, action)


def qualification_upload_to(instance: Qualification, filename: str) -> str:
    return private_path(f"agency_{instance.agency_id}/qualifications/{instance.staff_id}", filename)


class Qualification(TenantModel):
    """A professional certificate a staff member holds, with its registration cycle."""

    staff = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("staff member")
    )
    level = models.CharField(_("level"), max_length=30, choices=QualificationLevel.choices)
    kind = models.CharField(
        _("kind"),
        max_length=100,
        blank=True,
        help_text=_("For other qualifications: what the certificate is."),
    )
    cert_no = models.CharField(_("certificate number"), max_length=60)
    issued = models.DateField(_("issue date"))
    registration_expires = models.DateField(
        _("registration valid until"),
        null=True,
        blank=True,
        help_text=_("End of the current 3-year registration cycle."),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    scan = models.FileField(
        _("scanned copy"),
        upload_to=qualification_upload_to,
        blank=True,
        validators=[FileExtensionValidator(SCAN_EXTENSIONS), validate_scan],
        help_text=_("PDF, JPEG or PNG, at most 5 MB."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["staff", "-issued"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "cert_no"],
                name="staff_qualification_unique_cert_no",
                violation_error_message=_("Another certificate in this agency has this number."),
            ),
            models.CheckConstraint(
                condition=Q(registration_expires__isnull=True) | Q(registration_expires__gt=F("issued")),
                name="staff_qualification_registration_after_issue",
                violation_error_message=_("The registration end must be after the issue date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.cert_no}"

    @property
    def rank(self) -> int:
        return LEVEL_RANK.get(self.level, 0)

    @property
    def is_social_work_certificate(self) -> bool:
        """One of the three national social-worker levels (not "other")."""
        return self.level in LEVEL_RANK

    def expiry_status(self, today: dt.date) -> str:
        """``expired``, ``expiring`` (within 90 days) or ``ok``; ``""`` without a registration end."""
        if self.registration_expires is None:
            return ""
        if self.registration_expires < today:
            return "expired"
        if (self.registration_expires - today).days <= EXPIRY_WARNING_DAYS:
            return "expiring"
        return "ok"

    def clean(self) -> None:
        super().clean()
        if self.level == QualificationLevel.OTHER and not self.kind.strip():
            raise ValidationError({"kind": _("Say what kind of qualification this is.")})
        if self.staff_id and self.agency_id and self.staff.agency_id != self.agency_id:
            raise ValidationError({"staff": _("The staff member belongs to another agency.")})

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return _restrict_personal(cls, qs, user, action)


def member_of(user) -> StaffMember | None:
    """The staff record linked to a login in the login's own agency, if any (one query, then
    cached on the user object for the rest of the request)."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_staff_member_cache", False)
    if cached is False:
        cached = StaffMember.objects.filter(user=user, agency__memberships__user=user).first()
        user._staff_member_cache = cached
    return cached


def supervisee_ids(user) -> models.QuerySet:
    """Staff ids supervised by ``user``, as the apps that supervise (supervision) register them
    with ``core.registries.supervisees_source``; none when no app does."""
    member = member_of(user)
    sources = supervisee_querysets(member) if member is not None else []
    if not sources:
        return StaffMember.objects.none().values("pk")
    if len(sources) == 1:
        return sources[0]
    allowed = Q()
    for ids in sources:
        allowed |= Q(pk__in=ids)
    return StaffMember.objects.filter(allowed).values("pk")


def own_and_supervisee_ids(user, *, supervisees: bool) -> models.QuerySet:
    """Staff ids of ``user``'s own staff record and, with ``supervisees``, of the people they
    supervise (``supervisee_ids``), as one UNION for ``staff_id__in``. ``Q(staff__user=user) |
    Q(staff_id__in=...)`` says the same, but the planner cannot look an OR across a join up by
    staff and reads the whole table instead: a supervisor's training events on the large demo
    took 0.15 s for each of two queries that way and 0.01 s this way."""
    own = StaffMember.objects.filter(user=user).order_by().values("pk")
    return own.union(supervisee_ids(user).order_by()) if supervisees else own


def _restrict_personal(model, qs, user, action):
    # Directors: everything they hold the model permission for. Supervisors: read their
    # supervisees' records. Staff: read their own. Everyone else: nothing.
    roles = user_roles(user)
    if Role.DIRECTOR in roles and user_has_model_perm(user, model, action):
        return qs
    if action != "view" or not user_has_model_perm(user, model, "view"):
        return qs.none()
    if not roles & {Role.SUPERVISOR, Role.STAFF}:
        return qs.none()
    return qs.filter(staff_id__in=own_and_supervisee_ids(user, supervisees=Role.SUPERVISOR in roles))
