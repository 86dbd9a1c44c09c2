"""The agency (tenant), its members, and the mechanisms every domain record shares.

Every domain model inherits ``TenantModel``: it belongs to one agency, and every read goes
through ``Model.objects.for_user(user, action)``, which limits rows to the user's agency and
then to what the user's roles allow (each model's ``restrict_queryset``). Forgetting the
agency filter is hard because the default path already applies it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.roles import Role, user_roles

ACTIONS = ("view", "add", "change", "delete")


class Agency(models.Model):
    """A social-work agency: the tenant that owns every record in the system."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        default="CN",
        help_text=_("ISO country code; chooses the public-holiday calendar."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


def membership_of(user) -> Membership | None:
    """A user's membership (with its agency), loaded once per user object, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_membership_cache", False)
    if cached is False:
        cached = Membership.objects.select_related("agency").filter(user=user).first()
        user._membership_cache = cached
    return cached


def agency_of(user) -> Agency | None:
    """The agency a user belongs to, or None for anonymous users and users without one."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_agency_cache", False)
    if cached is False:
        membership = membership_of(user)
        cached = membership.agency if membership else None
        user._agency_cache = cached
    return cached


def access_prefetch(users) -> None:
    """Load the memberships and roles of many users at once (two queries), as ``agency_of`` and
    ``user_roles`` would read them one user at a time: for a list that checks each row's person
    (the report files page checks every file's maker). Users already loaded are left as they are."""
    pending = {
        user.pk: user
        for user in users
        if getattr(user, "is_authenticated", False)
        and (getattr(user, "_membership_cache", False) is False or getattr(user, "_role_cache", None) is None)
    }
    if not pending:
        return
    from django.contrib.auth import get_user_model

    memberships = {
        m.user_id: m for m in Membership.objects.select_related("agency").filter(user_id__in=pending)
    }
    roles: dict[int, set[str]] = {pk: set() for pk in pending}
    through = get_user_model().groups.through
    for user_id, name in through.objects.filter(user_id__in=pending).values_list("user_id", "group__name"):
        if name in Role.values:
            roles[user_id].add(name)
    for pk, user in pending.items():
        membership = memberships.get(pk)
        user._membership_cache = membership
        user._agency_cache = membership.agency if membership else None
        user._role_cache = frozenset(roles[pk])


class TenantQuerySet(models.QuerySet):
    """Querysets of agency-owned records; ``for_user`` is the one way pages and APIs read."""

    def for_agency(self, agency: Agency | None) -> TenantQuerySet:
        if agency is None:
            return self.none()
        return self.filter(agency=agency)

    def for_user(self, user, action: str = "view", *, agency: Agency | None = None) -> TenantQuerySet:
        """Rows ``user`` may ``action`` (view/add/change/delete): same agency, then role rules.

        ``user=None`` is the operator at the command line (``manage.py report``, ``scan_flags``)
        acting for ``agency``: every row of that agency, and nothing without one. With a user,
        a given ``agency`` must be the user's own, else nothing is returned.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if user is None:
            return self.for_agency(agency)
        own = agency_of(user)
        if own is None or (agency is not None and agency.pk != own.pk):
            return self.none()
        qs = self.filter(agency=own)
        return self.model.restrict_queryset(qs, user, action)


def agency_field(*, db_index: bool = True) -> models.ForeignKey:
    """The owning agency of a tenant record. ``db_index=False`` where an index the model declares
    (or its unique constraint) already leads with the agency, so its writes keep one index less."""
    return models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"), db_index=db_index
    )


class TenantModel(models.Model):
    """Abstract base of every domain record: owned by one agency, scoped by ``for_user``."""

    agency = agency_field()

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def restrict_queryset(cls, qs: TenantQuerySet, user, action: str) -> TenantQuerySet:
        """Default rule: the user's roles must grant the model permission ``<action>_<model>``.

        Models with row-level rules (own record, own supervisees, granted contracts) override
        this and usually call ``super()`` first for the model-level check.
        """
        if user_has_model_perm(user, cls, action):
            return qs
        return qs.none()


def user_has_model_perm(user, model, action: str) -> bool:
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


class Membership(models.Model):
    """A person's place in an agency, and their own preferences.

    Roles are the user's groups (core.roles.Role). ``language`` is the person's own choice of
    language for pages, exports and e-mails; empty follows the browser.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("agency")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Pages, exports and e-mails in this language; empty follows the browser."),
    )
    history = HistoricalRecords()

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency}"

    @property
    def roles(self) -> list[str]:
        return sorted(user_roles(self.user))

    @property
    def role_labels(self) -> list[str]:
        """The login's roles as a person reads them (机构主任…), in the order of ``Role``;
        uses the prefetched groups."""
        names = {group.name for group in self.user.groups.all()}
        return [str(role.label) for role in Role if role.value in names]

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return qs if user_has_model_perm(user, cls, action) else qs.none()


class ImportBatch(TenantModel):
    """One uploaded file (roster, training records, ledger, bank statement) and its outcome.

    The SHA-256 of the content, with the kind and target, is how a repeated file is refused.
    Only successful imports are kept as "imported"; refused files are kept as "failed" with
    their errors so the finance officer can see what happened.
    """

    class Status(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Refused")

    kind = models.CharField(_("kind"), max_length=40)
    target = models.CharField(
        _("target"), max_length=100, blank=True, help_text=_("For example the contract code.")
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("content hash"), max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "target", "sha256"],
                condition=models.Q(status="imported"),
                name="core_importbatch_unique_content",
                violation_error_message=_("This file has already been imported."),
            )
        ]
        indexes = [models.Index(fields=["agency", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.get_status_display()})"


class SensitiveRead(TenantModel):
    """One read of confidential content (supervision notes): who read what, and when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    object_type = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=255)
    channel = models.CharField(_("via"), max_length=20, help_text=_("page, api, export or report"))
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        ordering = ["-read_at", "-id"]
        verbose_name = _("confidential read")
        verbose_name_plural = _("confidential reads")
        indexes = [models.Index(fields=["agency", "-read_at"])]

    def __str__(self) -> str:
        return f"{self.user} read {self.object_repr} at {self.read_at:%Y-%m-%d %H:%M}"

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        # Only directors review the read log, and nobody edits it.
        if action == "view" and Role.DIRECTOR in user_roles(user):
            return qs
        return qs.none()


def job_input_upload_to(instance: Job, filename: str) -> str:
    from core.uploads import private_path

    return private_path(f"agency_{instance.agency_id}/jobs/{instance.kind}", filename)


class Job(TenantModel):
    """A piece of background work (an import, a scan, a report) with progress the user can watch.

    Without a broker the job runs in-process right after the request's transaction commits;
    with ``CELERY_BROKER_URL`` a worker runs it. Either way the page and the API read its
    progress from this row, and a failed job keeps the message shown to the user.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=60)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=255, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    input_file = models.FileField(_("input file"), upload_to=job_input_upload_to, blank=True)
    input_name = models.CharField(_("file name"), max_length=255, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Written every few seconds by the process running the job; a running job whose heartbeat
    # stops is taken back by ``jobs_reclaim`` (its worker died).
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="core_job_progress_at_most_100",
                violation_error_message=_("Progress cannot exceed 100%."),
            )
        ]
        indexes = [models.Index(fields=["agency", "created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.title} #{self.pk} ({self.get_status_display()})"

    @property
    def kind_label(self) -> str:
        """What the job does, in the reader's language (the kind is a machine code)."""
        from core.jobs import kind_label

        return kind_label(self.kind)

    @property
    def title(self) -> str:
        """This job as people name it: a report job names its report and parameters
        ("Contract report · Contract XF-2025-01"), other jobs their kind's label."""
        from core.jobs import job_title

        return job_title(self)

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        # A job is its starter's; directors see every job of the agency. Nobody edits jobs.
        if action != "view":
            return qs.none()
        if Role.DIRECTOR in user_roles(user):
            return qs
        return qs.filter(created_by=user)


class RefusedRequest(TenantModel):
    """One request the application refused (401, 403, 404 or 429): who asked for what, and when.

    Written by ``core.access_log.RefusedRequestMiddleware``. Lets a director see probing of
    records outside someone's reach, expired tokens and throttled clients. The agency is that
    of the signed-in user; refusals of anonymous clients have none and only administrators
    see them. ``aimed_at`` is the other agency whose record was asked for, so its director
    sees the probing too (``core.selectors.refused_requests_for``). The query string is never stored (it may carry search terms or tokens).
    """

    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("agency"),
    )
    aimed_at = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("aimed at"),
        help_text=_("The agency owning the record asked for, when it is not the asker's own."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    status = models.PositiveSmallIntegerField(_("status"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("refused request")
        verbose_name_plural = _("refused requests")
        indexes = [models.Index(fields=["agency", "-at"]), models.Index(fields=["aimed_at", "-at"])]

    def __str__(self) -> str:
        return f"{self.status} {self.method} {self.path}"

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        # Directors review the log of their agency; nobody edits it.
        if action == "view" and Role.DIRECTOR in user_roles(user):
            return qs
        return qs.none()


class WorkerHeartbeat(models.Model):
    """A background worker's last sign of life: what ``/health/`` reads to say a worker is running.

    Not tenant data: one row per worker process (the database worker of ``jobs_worker`` or a
    Celery worker), refreshed every few seconds while it runs.
    """

    worker = models.CharField(_("worker"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker} ({self.kind})"


class OfficialCalendarYear(TenantModel):
    """One year of the official working calendar an agency's checks use (public holidays and
    make-up working days, from the State Council's notice for that year).

    Kept per agency, not shared: a director corrects their own agency's calendar, and no
    agency's entry can change another agency's flags (docs/roles.md). A year is filled from the
    ``chinesecalendar`` package the first time it is needed and the package knows it; a year it
    does not know (2027 and later with 1.11.0) is entered by a director. A year without a row
    has no official calendar: the weekend rule then checks plain weekends and says so.
    """

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinesecalendar package")
        ENTERED = "entered", _("Entered by a director")

    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    notice = models.CharField(
        _("notice"),
        max_length=200,
        blank=True,
        help_text=_("The notice the days come from, e.g. 国办发明电〔2026〕7号."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("official calendar year")
        verbose_name_plural = _("official calendar years")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year"],
                name="core_officialcalendaryear_one_per_year",
                violation_error_message=_("This year's calendar already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=1900) & models.Q(year__lte=2200),
                name="core_officialcalendaryear_year_range",
                violation_error_message=_("Enter a year from 1900 to 2200."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} ({self.get_source_display()})"

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        # Everyone in the agency may read the calendar (it explains flags); directors change it.
        if action == "view" or Role.DIRECTOR in user_roles(user):
            return qs
        return qs.none()


class OfficialCalendarDay(TenantModel):
    """A day that the official calendar makes different from an ordinary week: a public
    holiday (also when it falls on a weekend) or a make-up working day on a weekend."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Make-up working day")

    calendar = models.ForeignKey(
        OfficialCalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name=_("calendar year")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("official calendar day")
        verbose_name_plural = _("official calendar days")
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"],
                name="core_officialcalendarday_one_per_date",
                violation_error_message=_("This date is already in the calendar."),
            )
        ]
        indexes = [models.Index(fields=["agency", "date"])]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return OfficialCalendarYear.restrict_queryset(qs, user, action)
