"""Contracts with funders, their line-item budgets and revisions, money received, staffing, grants.

The ledger (``Expenditure``) is in ``finance/models/ledger.py``.

Published for the flags engineer — exact fields:

- ``Funder``: agency, name (unique per agency), notes.
- ``Contract``: agency, code (unique per agency), title, funder (FK Funder), start, end,
  total (Decimal), currency ("CNY"), status (draft/active/closed), policy (JSON, ONLY the
  overrides; ``effective_policy()`` gives every key typed, defaults in ``finance/policy.py``),
  created_at, updated_at. Running ledger totals (``spent_total``, ``refund_total``,
  ``posted_count``, ``void_count``: kept by ``Expenditure.save`` and the ledger services, see
  ``finance/models/ledger.py``; not in the history, never written by a save of the contract).
- ``BudgetLine``: agency, contract, code (unique per contract), name, category
  (``Category``: personnel, activities, training_supervision, travel, materials, equipment,
  services, admin, tax, other), amount (the original amount), approved_amount (original +
  approved revision deltas; kept by the services that approve revisions), position,
  spent_total (Σ posted expenditures on the line, kept like the contract's).
- ``BudgetRevision``: agency, contract, reason, status (proposed/approved/rejected),
  source (manual/file), total_change (the change to the contract total; Σ deltas equals it),
  proposed_by, proposed_at, approved_by, approved_at (the director who decided, and when),
  decision_note. ``BudgetRevisionLine``: agency, revision, budget_line, delta.
- ``Disbursement``: agency, contract, date, amount (> 0), reference.
- ``StaffAssignment``: agency, contract, staff (FK staff.StaffMember), start, end, fte (0 < fte ≤ 1).
- ``AuditorGrant``: agency, contract, user, granted_by, granted_at, expires_on (nullable),
  revoked_at, revoked_by. Active = not revoked and (no expiry or expires_on ≥ today); at most
  one grant not revoked per contract and auditor (``finance_auditorgrant_one_active``): a new
  grant after an expired one ends the expired one (``revoked_at``, history reason
  ``ENDED_EXPIRED``; ``state`` still reads "expired").

Access: directors and finance officers see every contract of their agency (model permissions);
an auditor sees only contracts on which they hold the guardian object permission
``view_contract`` AND an active grant. Every other finance record is visible through its
contract (``contract__in``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TenantModel, user_has_model_perm
from core.roles import Role, user_roles
from finance.policy import effective_policy, validate_policy

MONEY = {"max_digits": 14, "decimal_places": 2}

#: The running ledger totals on contracts and budget lines: written only by
#: ``finance.models.ledger.apply_ledger_effects`` (F() increments) and ``recompute_totals``.
RUNNING_TOTALS = ("spent_total", "refund_total", "posted_count", "void_count")


class KeepsRunningTotals:
    """A record whose running totals a save must not overwrite.

    The totals move by ``UPDATE … SET spent_total = spent_total + x`` while the record may be
    held in memory elsewhere (a contract form, a revision); saving that instance must not put
    its stale totals back. A save of an existing row therefore writes every field but them.
    """

    def save(self, *args, **kwargs):
        existing = not self._state.adding and self.pk is not None and not kwargs.get("force_insert")
        if existing and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in RUNNING_TOTALS
            ]
        super().save(*args, **kwargs)


def _money_total(verbose):
    return models.DecimalField(verbose, **MONEY, default=Decimal("0.00"), editable=False)


def _visible_contract_ids(user):
    """Contracts an auditor may read now: object permission and an active, unexpired grant."""
    from core.permissions import objects_with_object_perm

    granted = AuditorGrant.objects.filter(AuditorGrant.active_q(), user=user)
    with_perm = objects_with_object_perm(user, Contract.objects.all(), "view")
    return (
        Contract.objects.filter(pk__in=with_perm.values("pk"))
        .filter(pk__in=granted.values("contract_id"))
        .values("pk")
    )


def restrict_through_contract(model, qs, user, action: str, path: str):
    """Row rules shared by all finance records, ``path`` being the lookup to the contract."""
    if not user_has_model_perm(user, model, action):
        return qs.none()
    roles = user_roles(user)
    if roles & {Role.DIRECTOR, Role.FINANCE}:
        return qs
    if Role.AUDITOR in roles and action == "view":
        if path == "pk":
            return qs.filter(pk__in=_visible_contract_ids(user))
        return qs.filter(**{f"{path}__in": _visible_contract_ids(user)})
    return qs.none()


class Funder(TenantModel):
    """A body that pays for services under contract, e.g. a county civil-affairs bureau."""

    name = models.CharField(_("name"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("funder")
        verbose_name_plural = _("funders")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name"],
                name="finance_funder_unique_name",
                violation_error_message=_("A funder with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        if not user_has_model_perm(user, cls, action):
            return qs.none()
        roles = user_roles(user)
        if roles & {Role.DIRECTOR, Role.FINANCE}:
            return qs
        if Role.AUDITOR in roles and action == "view":
            return qs.filter(contracts__in=_visible_contract_ids(user)).distinct()
        return qs.none()


class Contract(KeepsRunningTotals, TenantModel):
    """A service contract: a funder pays a total over a period, spent along a line-item budget."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    code = models.CharField(_("code"), max_length=60, help_text=_("The contract number, e.g. JX-XF-2025-01."))
    title = models.CharField(_("title"), max_length=300)
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("funder")
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    total = models.DecimalField(_("total"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    policy = models.JSONField(
        _("policy"),
        default=dict,
        blank=True,
        help_text=_("Only the keys that differ from the defaults of the irregularity rules."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    spent_total = _money_total(_("spent (posted expenditures)"))
    refund_total = _money_total(_("of which reversals and refunds"))
    posted_count = models.PositiveIntegerField(_("posted expenditures"), default=0, editable=False)
    void_count = models.PositiveIntegerField(_("void expenditures"), default=0, editable=False)
    history = HistoricalRecords(excluded_fields=list(RUNNING_TOTALS))

    class Meta:
        ordering = ["-start", "code"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "code"],
                name="finance_contract_unique_code",
                violation_error_message=_("Another contract of this agency has this code."),
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="finance_contract_end_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0),
                name="finance_contract_total_not_negative",
                violation_error_message=_("The total cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        self.policy = validate_policy(self.policy)

    @staticmethod
    def history_display(field_name: str, value) -> str | None:
        """The policy in the record's history: each overridden key by its label (core.selectors)."""
        if field_name != "policy" or not isinstance(value, dict):
            return None
        from finance.flags.presentation import rule_label
        from finance.policy import POLICY_KEYS

        actions = {"stop": _("Stop"), "warn": _("Warn"), "ignore": _("Ignore")}
        parts = []
        for key, item in value.items():
            label = POLICY_KEYS[key].label if key in POLICY_KEYS else key
            if isinstance(item, dict):  # disabled_rules: each rule by its title, with the reason
                item = "、".join(f"{rule_label(code)}（{reason}）" for code, reason in item.items())
            elif isinstance(item, list):
                item = "、".join(str(word) for word in item)
            parts.append(f"{label}：{actions.get(item, item) if isinstance(item, str) else item}")
        return "；".join(parts) or None

    @staticmethod
    def history_reason(reason: str) -> str | None:
        """A change reason of the record's history in the reader's language: a change of the
        disabled rules is stored coded (``finance.policy``); other reasons are shown as stored."""
        from finance.policy import disabled_rules_reason_text

        return disabled_rules_reason_text(reason)

    def effective_policy(self) -> dict:
        """Every policy key of docs/rules.md, typed, with this contract's overrides applied."""
        return effective_policy(self.policy)

    @property
    def period_days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return restrict_through_contract(cls, qs, user, action, "pk")


class Category(models.TextChoices):
    """Budget-line categories of docs/formats.md."""

    PERSONNEL = "personnel", _("Personnel")
    ACTIVITIES = "activities", _("Service activities")
    TRAINING_SUPERVISION = "training_supervision", _("Training and supervision")
    TRAVEL = "travel", _("Travel")
    MATERIALS = "materials", _("Materials and supplies")
    EQUIPMENT = "equipment", _("Equipment")
    SERVICES = "services", _("Professional services")
    ADMIN = "admin", _("Administration")
    TAX = "tax", _("Taxes and fees")
    OTHER = "other", _("Other")


CATEGORY_CHINESE = {
    "人员经费": "personnel",
    "服务活动": "activities",
    "培训督导": "training_supervision",
    "差旅交通": "travel",
    "物资耗材": "materials",
    "设备购置": "equipment",
    "专业服务": "services",
    "行政管理": "admin",
    "税费": "tax",
    "其他": "other",
}


class BudgetLine(KeepsRunningTotals, TenantModel):
    """One line of a contract's budget. ``amount`` is as first agreed; revisions move ``approved_amount``."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("contract")
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    amount = models.DecimalField(_("original amount"), **MONEY)
    approved_amount = models.DecimalField(
        _("approved amount"),
        **MONEY,
        help_text=_("The original amount plus every approved revision."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    spent_total = _money_total(_("spent (posted expenditures)"))
    history = HistoricalRecords(excluded_fields=["spent_total"])

    class Meta:
        ordering = ["contract", "position", "code"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "code"],
                name="finance_budgetline_unique_code",
                violation_error_message=_("Another line of this contract has this code."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="finance_budgetline_amount_not_negative",
                violation_error_message=_("A budget line cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(approved_amount__gte=0),
                name="finance_budgetline_approved_not_negative",
                violation_error_message=_("A revision cannot make a budget line negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        if self.approved_amount is None:
            self.approved_amount = self.amount
        super().save(*args, **kwargs)

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return restrict_through_contract(cls, qs, user, action, "contract")


class BudgetRevision(TenantModel):
    """A change to one or more budget lines, with a reason, proposed and decided by a director."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Proposed on a page")
        FILE = "file", _("Loaded from a contract file")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("contract")
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    total_change = models.DecimalField(
        _("change to the contract total"),
        **MONEY,
        default=Decimal("0.00"),
        help_text=_("Zero for a transfer between lines."),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    approved_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "-proposed_at", "-id"]
        verbose_name = _("budget revision")
        verbose_name_plural = _("budget revisions")

    def __str__(self) -> str:
        return f"{self.contract.code}: {self.reason[:60]}"

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return restrict_through_contract(cls, qs, user, action, "contract")


class BudgetRevisionLine(TenantModel):
    """How much one revision adds to (or takes from) one budget line."""

    revision = models.ForeignKey(
        BudgetRevision, on_delete=models.CASCADE, related_name="lines", verbose_name=_("revision")
    )
    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="revision_lines", verbose_name=_("budget line")
    )
    delta = models.DecimalField(_("change"), **MONEY)
    history = HistoricalRecords()

    class Meta:
        ordering = ["revision", "budget_line__position", "budget_line__code"]
        verbose_name = _("revision line")
        verbose_name_plural = _("revision lines")
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "budget_line"],
                name="finance_budgetrevisionline_unique_line",
                violation_error_message=_("A revision changes each line once."),
            ),
            models.CheckConstraint(
                condition=~Q(delta=0),
                name="finance_budgetrevisionline_delta_nonzero",
                violation_error_message=_("A revision line must change the amount."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget_line.code} {self.delta:+}"

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return restrict_through_contract(cls, qs, user, action, "revision__contract")


class Disbursement(TenantModel):
    """A tranche of money received from the funder under a contract."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="disbursements", verbose_name=_("contract")
    )
    date = models.DateField(_("date received"))
    amount = models.DecimalField(_("amount"), **MONEY)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "date", "id"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="finance_disbursement_amount_positive",
                violation_error_message=_("A disbursement must be greater than zero."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.code} {self.date} {self.amount}"

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return restrict_through_contract(cls, qs, user, action, "contract")


class StaffAssignment(TenantModel):
    """A staff member working on a contract for a period, at a fraction of full time."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("contract")
    )
    staff = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.PROTECT,
        related_name="contract_assignments",
        verbose_name=_("staff member"),
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    fte = models.DecimalField(
        _("FTE"), max_digits=4, decimal_places=2, help_text=_("Share of full time, above 0 and at most 1.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "start", "staff"]
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="finance_staffassignment_end_after_start",
                violation_error_message=_("The assignment cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(fte__gt=0) & Q(fte__lte=1),
                name="finance_staffassignment_fte_range",
                violation_error_message=_("FTE must be above 0 and at most 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} @ {self.contract.code}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        contract = getattr(self, "contract", None)
        if contract and self.start and self.end and (self.start < contract.start or self.end > contract.end):
            raise ValidationError(_("The assignment must lie inside the contract period."))

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return restrict_through_contract(cls, qs, user, action, "contract")


class AuditorGrant(TenantModel):
    """A director's grant of read access on one contract to an external auditor, until revoked or expired."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="auditor_grants", verbose_name=_("contract")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("auditor")
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    expires_on = models.DateField(
        _("expires on"), null=True, blank=True, help_text=_("Last day of access; empty = until revoked.")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "-granted_at"]
        verbose_name = _("auditor grant")
        verbose_name_plural = _("auditor grants")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "user"],
                condition=Q(revoked_at__isnull=True),
                name="finance_auditorgrant_one_active",
                violation_error_message=_("This auditor already has access to this contract."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.contract.code}"

    def is_active(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.revoked_at is None and (self.expires_on is None or self.expires_on >= today)

    @classmethod
    def active_q(cls, today: dt.date | None = None) -> Q:
        """The grants active on ``today``, as a filter (``is_active`` in the database)."""
        today = today or timezone.localdate()
        return Q(revoked_at__isnull=True) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))

    @property
    def state(self) -> str:
        """``active``, ``expired`` (its last day passed before it was ended, if it was: a new
        grant ends the expired one, ``auditor_grant``) or ``revoked``."""
        if self.is_active():
            return "active"
        ended = timezone.localdate(self.revoked_at) if self.revoked_at else timezone.localdate()
        if self.expires_on is not None and self.expires_on < ended:
            return "expired"
        return "revoked"

    #: The stored change reason of the history entry that ends an expired grant when the
    #: director grants the auditor the contract again (``finance.services.auditor_grant``).
    ENDED_EXPIRED = "auditor_grant:ended_expired"

    @staticmethod
    def history_reason(reason: str) -> str | None:
        """A change reason of the grant's history in the reader's language."""
        if reason == AuditorGrant.ENDED_EXPIRED:
            return str(_("Ended: the grant had expired and the auditor was given a new one."))
        return None

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        if not user_has_model_perm(user, cls, action):
            return qs.none()
        if Role.DIRECTOR in user_roles(user):
            return qs
        if action == "view" and Role.FINANCE in user_roles(user):
            return qs
        return qs.none()
