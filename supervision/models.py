"""Professional supervision: plans (who supervises whom, how much) and the sessions logged.

A session is led by one supervisor and attended by one or more supervisees. Its notes and
action items are confidential: django-guardian object permissions granted when the session is
logged (``supervision.services``) decide who besides directors may open them, and every read
is written to ``core.models.SensitiveRead``. Once every present attendee has acknowledged a
session it is locked; a later correction is a ``SessionAmendment`` keeping the original values.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import TenantModel, user_has_model_perm
from core.roles import Role, user_roles
from core.selectors import history_value

DEFAULT_REQUIRED_MINUTES = 120
DEFAULT_REQUIRED_INDIVIDUAL_MINUTES = 60
MIN_SESSION_MINUTES = 10
MAX_SESSION_MINUTES = 8 * 60

#: An anonymised case reference: letters and digits in dash-separated groups, with at least
#: one digit (e.g. ``XF-2025-014``). Spaces, CJK characters and digit-free words (which is
#: what a name looks like) are refused, so a child's name cannot be typed in by mistake.
CASE_REF_RE = re.compile(r"^(?=[A-Za-z0-9-]*\d)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")
CASE_REF_MAX_LENGTH = 40


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


class Modality(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    GROUP = "group", pgettext_lazy("supervision modality", "Group")
    PEER = "peer", _("Peer")
    LIVE_OBSERVATION = "live_observation", _("Live observation")


class SessionFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")


class FocusArea(models.TextChoices):
    CASE_CONSULTATION = "case_consultation", _("Case consultation")
    ETHICS = "ethics", _("Ethics")
    CHILD_SAFEGUARDING = "child_safeguarding", _("Child safeguarding")
    SELF_CARE = "self_care", _("Self-care")
    PROFESSIONAL_DEVELOPMENT = "professional_development", _("Professional development")
    ADMINISTRATION = "administration", pgettext_lazy("supervision focus", "Administration")


def validate_case_refs(value) -> None:
    """Every reference must be an anonymised code such as ``XF-2025-014``, never a name."""
    if not isinstance(value, list):
        raise ValidationError(_("Case references must be a list."), code="invalid")
    bad = [
        str(ref)
        for ref in value
        if not isinstance(ref, str) or len(ref) > CASE_REF_MAX_LENGTH or not CASE_REF_RE.match(ref)
    ]
    if bad:
        raise ValidationError(
            _(
                "Not an anonymised case reference: %(refs)s. Use the case code only (letters, "
                "digits and dashes with at least one digit, e.g. XF-2025-014), never a name."
            ),
            code="case_ref",
            params={"refs": ", ".join(bad)},
        )


def _focus_area_labels(codes) -> list[str]:
    labels = dict(FocusArea.choices)
    return [str(labels.get(code, code)) for code in codes]


def validate_focus_areas(value) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Focus areas must be a list."), code="invalid")
    unknown = [str(v) for v in value if v not in FocusArea.values]
    if unknown:
        raise ValidationError(
            _("Unknown focus area %(areas)s; choose from %(choices)s."),
            code="focus_area",
            params={"areas": ", ".join(unknown), "choices": ", ".join(FocusArea.values)},
        )


class SupervisionSession(TenantModel):
    """One supervision meeting led by a supervisor, with its confidential notes.

    Visible to directors, to its supervisor and to the supervisees who attended it (guardian
    object permissions ``view`` and ``read_notes``, granted by ``session_create``).
    """

    #: Every read is logged (core.confidential): the notes, action items and amendments.
    confidential_reads = True

    supervisor = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.PROTECT,
        related_name="led_sessions",
        verbose_name=_("supervisor"),
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), help_text=_("Between 10 minutes and 8 hours.")
    )
    modality = models.CharField(
        _("modality"), max_length=20, choices=Modality.choices, default=Modality.INDIVIDUAL
    )
    format = models.CharField(
        _("format"), max_length=20, choices=SessionFormat.choices, default=SessionFormat.IN_PERSON
    )
    focus_areas = models.JSONField(
        _("focus areas"), default=list, blank=True, validators=[validate_focus_areas]
    )
    cases_discussed = models.PositiveIntegerField(_("cases discussed"), default=0)
    case_refs = models.JSONField(
        _("case references"),
        default=list,
        blank=True,
        validators=[validate_case_refs],
        help_text=_(
            "Anonymised case codes only, e.g. XF-2025-014: letters, digits and dashes. "
            "Never write a child's or family's name here."
        ),
    )
    notes = models.TextField(
        _("confidential notes"),
        blank=True,
        help_text=_("Readable only by the supervisor, the attendees and directors; every read is logged."),
    )
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logged by"),
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-start_time", "-id"]
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")
        permissions = [("read_notes_supervisionsession", "Can read the confidential notes of a session")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    duration_minutes__gte=MIN_SESSION_MINUTES, duration_minutes__lte=MAX_SESSION_MINUTES
                ),
                name="supervision_supervisionsession_duration_range",
                violation_error_message=_("A session lasts between 10 minutes and 8 hours."),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "date"]),
            models.Index(fields=["supervisor", "date"]),
            # The session list by duration (?sort=duration / -duration, ties by id in the same
            # direction): an index walk of one page instead of a sort of the agency's sessions.
            models.Index(fields=["agency", "duration_minutes", "id"], name="supervision_session_duration"),
        ]

    def __str__(self) -> str:
        return _("%(modality)s supervision on %(date)s by %(supervisor)s") % {
            "modality": self.get_modality_display(),
            "date": self.date.isoformat(),
            "supervisor": self.supervisor.name,
        }

    @property
    def focus_area_labels(self) -> list[str]:
        """The focus areas as a person reads them (个案研讨, 行政督导…), never their codes."""
        return _focus_area_labels(self.focus_areas)

    @staticmethod
    def history_display(field_name: str, value) -> str | None:
        """The focus areas in the record's history and its amendments by their labels
        (core.selectors.history_value), never their codes."""
        if field_name != "focus_areas" or not isinstance(value, list) or not value:
            return None
        return "、".join(_focus_area_labels(value))

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def clean(self) -> None:
        super().clean()
        if isinstance(self.case_refs, list) and len(self.case_refs) > (self.cases_discussed or 0):
            raise ValidationError(
                {"cases_discussed": _("More case references than cases discussed.")}, code="cases"
            )

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        """Directors read every session of the agency; everyone else only sessions on which
        they hold the guardian object permission (their own sessions or ones they attended)."""
        from core.permissions import objects_with_object_perm

        if not user_has_model_perm(user, cls, "view"):
            return qs.none()
        roles = user_roles(user)
        if Role.DIRECTOR in roles and action == "view":
            return qs
        if not roles & {Role.SUPERVISOR, Role.STAFF}:
            return qs.none()
        return objects_with_object_perm(user, qs, action)


class SessionAttendance(TenantModel):
    """A supervisee's place in a session: present or not, and their acknowledgement."""

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("session")
    )
    staff = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.PROTECT,
        related_name="supervision_attendances",
        verbose_name=_("supervisee"),
    )
    present = models.BooleanField(_("present"), default=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "staff__staff_no"]
        verbose_name = _("session attendance")
        verbose_name_plural = _("session attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "staff"],
                name="supervision_sessionattendance_unique_attendee",
                violation_error_message=_("This person is already listed for the session."),
            ),
            models.CheckConstraint(
                condition=Q(present=True) | Q(acknowledged_at__isnull=True),
                name="supervision_sessionattendance_ack_needs_presence",
                violation_error_message=_("Only a supervisee who was present can acknowledge."),
            ),
        ]
        indexes = [models.Index(fields=["staff", "present"])]

    def __str__(self) -> str:
        return f"{self.staff.name} @ {self.session_id}"

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        visible = SupervisionSession.objects.for_user(user, "view").values("pk")
        return qs.filter(session__in=visible) if action == "view" else qs.none()


class ActionItem(TenantModel):
    """Something agreed in a session, with who does it and by when (confidential like the notes)."""

    #: Every read is logged (core.confidential): the notes, action items and amendments.
    confidential_reads = True

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("session")
    )
    text = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(
        "staff.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_action_items",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["done", "due_date", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [models.Index(fields=["session", "done", "due_date"])]

    def __str__(self) -> str:
        return self.text[:60]

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        """Directors read all; the session's supervisor reads and writes; attendees read."""
        if not user_has_model_perm(user, cls, action):
            return qs.none()
        if action == "view":
            return _notes_scope(qs, user)
        from core.permissions import objects_with_object_perm

        led = objects_with_object_perm(user, SupervisionSession.objects.all(), "change")
        return qs.filter(session__in=led.values("pk"))


class SessionAmendment(TenantModel):
    """A correction to a locked session: the reason and the values before and after."""

    #: Every read is logged (core.confidential): the notes, action items and amendments.
    confidential_reads = True

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("session")
    )
    reason = models.TextField(_("reason"))
    before = models.JSONField(_("original values"))
    after = models.JSONField(_("corrected values"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("amended by"),
    )
    created_at = models.DateTimeField(_("amended at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "created_at", "id"]
        verbose_name = _("session amendment")
        verbose_name_plural = _("session amendments")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="supervision_sessionamendment_has_reason",
                violation_error_message=_("Give the reason for the amendment."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.reason[:40]}"

    @staticmethod
    def history_display(field_name: str, value) -> str | None:
        """The amendment's own history: the original and corrected values by field label and
        value label (``changes``), not the stored field names and codes."""
        if field_name not in ("before", "after") or not isinstance(value, dict) or not value:
            return None
        return "；".join(f"{label}：{shown}" for label, shown in _session_values(value))

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field label, original, corrected) for each amended field, as a person reads them:
        choices and focus areas by their labels, not the codes stored in ``before``/``after``."""
        names = [*self.after, *(key for key in self.before if key not in self.after)]
        before = dict(_session_values(self.before, names))
        after = dict(_session_values(self.after, names))
        return [(label, before[label], after[label]) for label in before]

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        # Amendments may carry note text, so they follow the notes' rule; nobody edits them.
        if action != "view" or not user_has_model_perm(user, cls, "view"):
            return qs.none()
        return _notes_scope(qs, user)


def _notes_scope(qs, user):
    """Rows of ``qs`` (each with a ``session``) whose session notes ``user`` may read."""
    from core.permissions import objects_with_object_perm

    roles = user_roles(user)
    if Role.DIRECTOR in roles:
        return qs
    if not roles & {Role.SUPERVISOR, Role.STAFF}:
        return qs.none()
    sessions = objects_with_object_perm(user, SupervisionSession.objects.all(), "read_notes")
    return qs.filter(session__in=sessions.values("pk"))


def _session_values(values: dict, names=None) -> list[tuple[str, object]]:
    """(label, shown value) of the session fields ``names`` (default: the keys of ``values``)
    as a person reads them (core.selectors.history_value: choices and focus areas by label)."""
    rows = []
    for name in values if names is None else names:
        try:
            field = SupervisionSession._meta.get_field(name)
        except FieldDoesNotExist:
            rows.append((name, values.get(name)))
            continue
        rows.append((str(field.verbose_name), history_value(SupervisionSession(), field, values.get(name))))
    return rows
