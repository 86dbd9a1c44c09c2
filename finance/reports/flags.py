"""``report flags [--contract C]`` (docs/commands.md): every current flag with its rule, severity, status,
message and each expenditure behind it. Registered by ``finance.reports``."""

from __future__ import annotations

from collections import Counter

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.reports import Column, Report, Section, Table, money_str, register
from finance.flags.extensions import described
from finance.flags.output import flag_dict, flag_sort_key
from finance.flags.presentation import rule_title
from finance.models import Expenditure, Flag
from finance.reports.budget import contract_report_access_basis, visible_contract


def _access(user, params: dict) -> bool:
    from finance.reports.budget import contract_report_access

    return contract_report_access(user, params)


@register(
    "flags",
    title=gettext_lazy("Irregularity flags"),
    params=(),
    optional=("contract",),
    roles=("director", "finance", "auditor"),
    access=_access,
    access_basis=contract_report_access_basis,
    description=gettext_lazy("Flags by rule and status, with every expenditure behind each."),
)
def build_flags(*, agency, user=None, contract=None, **kw) -> Report:
    flags = Flag.objects.for_user(user, "view", agency=agency).filter(active=True)
    record = None
    if contract:
        record = visible_contract(agency=agency, user=user, code=contract)
        flags = flags.filter(pk__in=Flag.contracts.through.objects.filter(contract=record).values("flag_id"))
    expenditures = Expenditure.objects.for_user(user, "view", agency=agency)
    flags = flags.prefetch_related(
        Prefetch(
            "expenditures",
            queryset=expenditures.select_related("contract").order_by("date", "id"),
            to_attr="behind",
        )
    )
    ordered = sorted(flags, key=flag_sort_key)
    extra = described(ordered)

    items, flag_rows, expenditure_rows = [], [], []
    by_rule: dict[str, Counter] = {}
    for number, flag in enumerate(ordered, start=1):
        if user is not None:
            flag.redact_for(user)
        item = flag_dict(flag, extra.get(flag.pk, {}))
        item["expenditures"] = [
            {
                "contract": e.contract.code,
                "voucher": e.voucher_no,
                "date": e.date.isoformat(),
                "amount": money_str(e.amount),
                "payee": e.payee,
                "description": e.description,
            }
            for e in flag.behind
        ]
        items.append(item)
        by_rule.setdefault(flag.rule, Counter())[flag.status] += 1
        flag_rows.append(
            {
                "n": number,
                "rule": rule_title(flag.rule),
                "severity": flag.get_severity_display(),
                "status": flag.get_status_display(),
                "contracts": ", ".join(flag.contract_codes),
                "message": item["message"],
            }
        )
        for e in flag.behind:
            expenditure_rows.append(
                {
                    "n": number,
                    "rule": rule_title(flag.rule),
                    "voucher": e.voucher_no,
                    "date": e.date,
                    "amount": e.amount,
                    "payee": e.payee,
                    "description": e.description,
                }
            )
    statuses = ("open", "explained", "confirmed", "dismissed")
    summary_rows = [
        {"rule": rule, **{s: counts.get(s, 0) for s in statuses}, "total": sum(counts.values())}
        for rule, counts in by_rule.items()
    ]
    severity = Counter(flag.severity for flag in ordered)
    data = {
        "contract": record.code if record else None,
        "flags": items,
        "summary": {
            "critical": severity.get("critical", 0),
            "warning": severity.get("warning", 0),
            "info": severity.get("info", 0),
            "by_rule": {row["rule"]: {s: row[s] for s in (*statuses, "total")} for row in summary_rows},
        },
    }
    sections = [
        Section(
            title=_("By rule and status"),
            tables=[
                Table(
                    title=_("Flags by rule and status"),
                    columns=[
                        Column("rule", _("Rule")),
                        Column("open", _("Open"), "int"),
                        Column("explained", _("Explained"), "int"),
                        Column("confirmed", _("Confirmed"), "int"),
                        Column("dismissed", _("Dismissed"), "int"),
                        Column("total", _("Total"), "int"),
                    ],
                    rows=[{**row, "rule": rule_title(row["rule"])} for row in summary_rows],
                )
            ],
        ),
        Section(
            title=_("Flags"),
            tables=[
                Table(
                    title=_("Flags"),
                    columns=[
                        Column("n", "#", "int"),
                        Column("rule", _("Rule")),
                        Column("severity", _("Severity")),
                        Column("status", _("Status")),
                        Column("contracts", _("Contracts")),
                        Column("message", _("Finding")),
                    ],
                    rows=flag_rows,
                ),
                Table(
                    title=_("Expenditures behind the flags"),
                    columns=[
                        Column("n", "#", "int"),
                        Column("rule", _("Rule")),
                        Column("voucher", _("Voucher")),
                        Column("date", _("Date"), "date"),
                        Column("amount", _("Amount"), "money"),
                        Column("payee", _("Payee")),
                        Column("description", _("Description")),
                    ],
                    rows=expenditure_rows,
                ),
            ],
        ),
    ]
    return Report(
        kind="flags",
        title=_("Irregularity flags"),
        subtitle=f"{record.code} {record.title}" if record else str(agency.name),
        agency_name=str(agency.name),
        params={"contract": record.code} if record else {},
        data=data,
        sections=sections,
    )
