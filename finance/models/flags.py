"""Irregularity flags (docs/rules.md): what the rules found, and how people triaged it.

A ``Flag`` is one finding of one rule, identified across re-scans by its rule and ``subject``
(what it is about: an expenditure, a group, a line, the contract). Its ``fingerprint`` is a hash of
the values of the expenditures (or the contract-level figures) behind it: a re-scan that finds the
same flag with another fingerprint reopens it. The message is stored as an untranslated msgid with
parameters and rendered in the reader's language. ``FlagEvent`` keeps every status change and
assignment (who, when, from, to, why); ``FlagEvidence`` holds uploaded supporting documents.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from core.models import TenantModel, agency_field, user_has_model_perm
from core.roles import Role, user_roles
from core.uploads import private_path
from finance.models.contracts import Contract, _visible_contract_ids
from finance.models.ledger import Expenditure

__all__ = ["Flag", "FlagEvent", "FlagEvidence", "FlagSeverity", "FlagStatus"]


class FlagSeverity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Info")


SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    EXPLAINED = "explained", _("Explained")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


def _restrict_via_contracts(model, qs, user, action: str, path: str):
    """Directors and finance officers: every flag of the agency; auditors: read flags touching a
    contract they are granted; everyone else nothing."""
    if not user_has_model_perm(user, model, action):
        return qs.none()
    roles = user_roles(user)
    if roles & {Role.DIRECTOR, Role.FINANCE}:
        return qs
    if Role.AUDITOR in roles and action == "view":
        touching = Flag.contracts.through.objects.filter(contract_id__in=_visible_contract_ids(user))
        return qs.filter(**{f"{path}__in": touching.values("flag_id")})
    return qs.none()


def flag_message(message: str, params: dict | None) -> str:
    """A stored finding in the active language: ``finance.rules.render_message`` after the
    parameters that are codes or English names are named in that language (a budget-line
    category by its label, a holiday that the chinesecalendar package names in English)."""
    from core.official_calendar import holiday_name
    from finance.models.contracts import Category
    from finance.rules import render_message

    if params and (params.get("holiday") or params.get("category")):
        params = dict(params)
        if params.get("holiday"):
            params["holiday"] = holiday_name(params["holiday"])
        if params.get("category"):
            params["category"] = str(dict(Category.choices).get(params["category"], params["category"]))
    if params and (params.get("unnumbered") or isinstance(params.get("vouchers"), list)):
        params = _expenditures_named(params)
    return render_message(message, params)


def _expenditures_named(params: dict) -> dict:
    """An expenditure without a voucher number named by what identifies it in the books: its
    amount and payee (the message gives its date), or, in a list of one payee's expenditures,
    its date and amount (``finance.rules.base.voucher_params`` and ``voucher_entry``)."""
    params = dict(params)
    if params.get("unnumbered") and not params.get("voucher"):
        params["voucher"] = _("(no number: %(amount)s to %(payee)s)") % params["unnumbered"]
    if isinstance(params.get("vouchers"), list):
        params["vouchers"] = ", ".join(
            _("no number, %(date)s, %(amount)s") % entry if isinstance(entry, dict) else str(entry)
            for entry in params["vouchers"]
        )
    return params


#: Indexes a scan would keep up to date for nothing: every query of flags and their events starts
#: with the agency and a contract, rule or flag, which the composite indexes and the unique
#: constraint below lead with; the history tables are read one object at a time (by ``id``).
#: Dropping them cut the four tables' index bytes by a third and a first scan's write-ahead log
#: by a fifth (docs/performance.md).
_FLAG_HISTORY_UNINDEXED = ["agency", "contract", "assignee", "rule"]
_EVENT_HISTORY_UNINDEXED = ["agency", "flag", "assignee", "user"]


class Flag(TenantModel):
    """One finding of an irregularity rule, with its triage status."""

    agency = agency_field(db_index=False)
    rule = models.CharField(_("rule"), max_length=40)
    severity = models.CharField(_("severity"), max_length=10, choices=FlagSeverity.choices)
    subject = models.CharField(
        _("about"), max_length=400, help_text=_("What the finding is about; with the rule, its identity.")
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="flags", verbose_name=_("contract"), db_index=False
    )
    contracts = models.ManyToManyField(
        Contract, related_name="+", verbose_name=_("contracts concerned"), blank=True
    )
    line_code = models.CharField(_("budget line"), max_length=30, blank=True)
    expenditures = models.ManyToManyField(
        Expenditure, related_name="flags", verbose_name=_("expenditures"), blank=True
    )
    vouchers = models.JSONField(_("vouchers"), default=list, blank=True)
    contract_codes = models.JSONField(_("contract codes"), default=list, blank=True)
    message = models.TextField(_("message"), help_text=_("Untranslated message with %(name)s parameters."))
    params = models.JSONField(_("message parameters"), default=dict, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    #: A digest of the values the last scan that wrote the flag gave it (severity, line, vouchers,
    #: contract codes, message, parameters, evidence, sort key): a re-scan compares it with the
    #: digest of the finding's values instead of reading and decoding the stored values.
    values_digest = models.CharField(max_length=32, blank=True, default="", editable=False)
    sort_key = models.CharField(
        _("sort key"), max_length=40, blank=True, help_text=_("Date of the first expenditure.")
    )
    status = models.CharField(_("status"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    active = models.BooleanField(
        _("still fires"), default=True, help_text=_("False when the last scan no longer found it.")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_flags",
        verbose_name=_("assigned to"),
    )
    note = models.TextField(_("latest note"), blank=True)
    first_seen = models.DateTimeField(_("first raised"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last found"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["values_digest"], no_db_index=_FLAG_HISTORY_UNINDEXED)

    class Meta:
        ordering = ["contract", "severity", "rule", "sort_key", "id"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "rule", "subject"],
                name="finance_flag_unique_subject",
                violation_error_message=_("This finding is already flagged."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=FlagStatus.values),
                name="finance_flag_status_valid",
                violation_error_message=_("Unknown flag status."),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "severity"]),
            models.Index(fields=["contract", "active", "rule"]),
        ]

    def __str__(self) -> str:
        from finance.flags.presentation import rule_title

        numbered = [voucher for voucher in self.vouchers if voucher]
        return f"{rule_title(self.rule)} {', '.join(numbered[:3]) or self.contract_codes_text}"

    @property
    def contract_codes_text(self) -> str:
        return ", ".join(self.contract_codes or []) or str(self.contract_id)

    #: Bookkeeping the history page leaves out: the stored msgid and parameters (shown instead as
    #: the finding, in the reader's language), the identity and fingerprint of the finding.
    history_hidden = ("message", "params", "subject", "fingerprint", "sort_key")

    @staticmethod
    def history_derived(version) -> dict:
        """The finding of a stored version, in the active language (core.selectors)."""
        return {_("finding"): flag_message(version.message, version.params)}

    @staticmethod
    def history_display(field_name: str, value) -> str | None:
        """The rule by its title, the evidence labelled and formatted (core.selectors)."""
        from finance.flags.presentation import chinese, evidence_rows, rule_title

        if field_name == "rule" and value:
            return rule_title(value)
        if field_name == "evidence" and isinstance(value, dict):
            colon, sep = ("：", "；") if chinese() else (": ", "; ")
            return sep.join(f"{label}{colon}{shown}" for label, shown in evidence_rows(value)) or None
        return None

    @property
    def text(self) -> str:
        """The message in the active language."""
        return flag_message(self.message, self.params)

    def redact_for(self, user) -> Flag:
        """Hide, in memory only, what a reader outside some of the flag's contracts may not see.

        An auditor granted one contract may read a duplicate-invoice flag that also touches a
        contract of another funder: they learn that the invoice is charged elsewhere too (their
        funder's money is at stake), but not the other contract's code, vouchers or amounts.
        Directors and finance officers see everything. Returns ``self`` for chaining.
        """
        from core.roles import Role, has_role

        if has_role(user, Role.DIRECTOR, Role.FINANCE) or len(self.contract_codes) < 2:
            return self
        visible = set(Contract.objects.for_user(user, "view").values_list("code", flat=True))
        shown = [code for code in self.contract_codes if code in visible]
        if len(shown) == len(self.contract_codes):
            return self
        self.contract_codes = shown
        # Every expenditure of the contracts shown, a blank one too (as scan_flags lists them).
        self.vouchers = list(
            Expenditure.objects.filter(flags=self, contract__code__in=shown)
            .order_by("date", "id")
            .values_list("voucher_no", flat=True)
        )
        self.evidence = {key: value for key, value in self.evidence.items() if key == "invoice_no"}
        if "invoice" in self.params:
            self.message = gettext_noop(
                "Invoice %(invoice)s from %(payee)s, charged to %(contracts)s, is also charged to "
                "another contract of the agency that you may not see"
            )
        else:
            self.message = gettext_noop(
                "This finding concerns %(contracts)s and another contract of the agency that you may not see"
            )
        self.params = {
            "invoice": self.params.get("invoice", ""),
            "payee": self.params.get("payee", ""),
            "contracts": ", ".join(shown),
        }
        self._redacted = True
        return self

    @property
    def severity_rank(self) -> int:
        return SEVERITY_RANK.get(self.severity, 9)

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return _restrict_via_contracts(cls, qs, user, action, "pk")


class FlagEvent(TenantModel):
    """One change to a flag: raised, reopened, a status change or an assignment; who, when, why."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("Raised")
        REOPENED = "reopened", _("Reopened (expenditures changed)")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        EVIDENCE = "evidence", _("Evidence added")

    agency = agency_field(db_index=False)
    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="events", verbose_name=_("flag"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=10, choices=FlagStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=FlagStatus.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    note = models.TextField(_("note"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty for changes made by an automatic scan."),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    history = HistoricalRecords(no_db_index=_EVENT_HISTORY_UNINDEXED)

    class Meta:
        ordering = ["flag", "at", "id"]
        verbose_name = _("flag event")
        verbose_name_plural = _("flag events")

    def __str__(self) -> str:
        return f"{self.flag_id} {self.kind} {self.from_status}→{self.to_status}"

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return _restrict_via_contracts(cls, qs, user, action, "flag")


def flag_evidence_upload_to(instance: FlagEvidence, filename: str) -> str:
    return private_path(f"agency_{instance.agency_id}/flags/{instance.flag_id}", filename)


class FlagEvidence(TenantModel):
    """A document supporting an explanation (an invoice scan, an approval letter)."""

    flag = models.ForeignKey(
        Flag, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("flag")
    )
    file = models.FileField(_("file"), upload_to=flag_evidence_upload_to)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["flag", "uploaded_at", "id"]
        verbose_name = _("flag evidence")
        verbose_name_plural = _("flag evidence")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def restrict_queryset(cls, qs, user, action):
        return _restrict_via_contracts(cls, qs, user, action, "flag")
