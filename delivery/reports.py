"""The ``targets`` report kind (docs/commands.md): each target's progress, docs/metrics.md. Imported from ready()."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.reports import Column, Report, ReportError, Section, Table, register
from delivery.models import Measure, TargetRevision
from delivery.selectors import contract_progress, default_as_of
from finance.models import Contract
from finance.reports.budget import contract_report_access, contract_report_access_basis

STATUS_LABELS = {
    "met": gettext_lazy("Met"),
    "on_track": gettext_lazy("On track"),
    "behind": gettext_lazy("Behind"),
}


def _contract(*, agency, user, code) -> Contract:
    qs = Contract.objects.for_user(user, "view") if user is not None else Contract.objects.for_agency(agency)
    if agency is not None:
        qs = qs.filter(agency=agency)
    contract = qs.select_related("funder", "agency").filter(code=str(code or "").strip()).first()
    if contract is None:
        raise ReportError(_("There is no contract %(code)s.") % {"code": code})
    return contract


def targets_table(progress) -> Table:
    """The progress table shared by the report and the contract pack."""
    measures = dict(Measure.choices)
    return Table(
        title=_("Targets"),
        columns=[
            Column("code", _("Code")),
            Column("name", _("Target")),
            Column("measure", _("Measure")),
            Column("quantity", _("Quantity"), "int"),
            Column("achieved", _("Achieved"), "number"),
            Column("expected_by_now", _("Expected by now"), "number", places=2),
            Column("pct_achieved", _("Achieved share"), "percent"),
            Column("projected_at_end", _("Projected at end"), "number", places=2),
            Column("status", _("Status")),
        ],
        rows=[
            {
                "code": p.target.code,
                "name": p.target.name,
                "measure": str(measures.get(p.target.measure, p.target.measure)),
                "quantity": p.target.quantity,
                "achieved": p.achieved,
                "expected_by_now": p.expected_by_now,
                "pct_achieved": p.pct_achieved,
                "projected_at_end": p.projected_at_end,
                "status": str(STATUS_LABELS[p.status]),
            }
            for p in progress
        ],
        note=_(
            "Achieved: records, distinct case codes, participants or hours, by the target's measure. "
            "Expected by now: quantity × days elapsed ÷ days in the period. Projected at end: achieved × "
            "days in the period ÷ days elapsed. Behind: achieved below 0.8 × expected. Activities of "
            "confirmed flags are not counted."
        ),
    )


@register(
    "targets",
    title=gettext_lazy("Contract targets"),
    params=("contract",),
    optional=("as_of",),
    roles=("director", "finance", "auditor"),
    description=gettext_lazy("Each target's progress: achieved, expected by now, projection and status."),
    access=contract_report_access,
    access_basis=contract_report_access_basis,
)
def build_targets(*, agency, user=None, contract=None, as_of=None, **kw) -> Report:
    record = _contract(agency=agency, user=user, code=contract)
    as_of = min(as_of or default_as_of(record), record.end)
    progress = contract_progress(record, as_of=as_of)
    data = {
        "contract": record.code,
        "as_of": as_of.isoformat(),
        "targets": [p.as_json() for p in progress],
    }
    section = Section(
        title=f"{record.code} {record.title}",
        facts=[
            (_("Funder"), record.funder.name),
            (_("Period"), f"{record.start} – {record.end}"),
            (_("As of"), as_of),
        ],
        tables=[targets_table(progress)],
    )
    return Report(
        kind="targets",
        title=_("Contract targets"),
        subtitle=f"{record.code} {record.title}",
        agency_name=str(record.agency.name),
        params={"contract": record.code, "as_of": as_of},
        data=data,
        sections=[section],
    )


def pack_section(contract, *, user=None, as_of=None) -> tuple[Section, list[dict]]:
    """The funder pack's targets section (finance/reports/pack.py ``EXTRA_SECTIONS``) and its JSON."""
    as_of = min(as_of or default_as_of(contract), contract.end)
    progress = contract_progress(contract, as_of=as_of)
    section = Section(title=_("Targets"), tables=[targets_table(progress)])
    return section, [p.as_json() for p in progress]


def _revisions(contract, user=None) -> list[TargetRevision]:
    """The contract's target revisions ``user`` may read, oldest first (as budget revisions)."""
    return list(
        TargetRevision.objects.for_user(user, "view", agency=contract.agency)
        .filter(contract=contract)
        .select_related("changed_by")
        .order_by("changed_at", "id")
    )


def _changed_by(revision: TargetRevision) -> str:
    user = revision.changed_by
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _before_after(revision: TargetRevision, key: str, labels: dict | None = None) -> str:
    """A field of the target as it was and as it is: ``old → new`` when the revision changed it."""
    before, after = revision.before.get(key), revision.after.get(key)
    if labels is not None:
        before, after = (str(labels.get(v, v)) if v is not None else None for v in (before, after))
    if before is not None and after is not None and before != after:
        return f"{before} → {after}"
    return str(after if after is not None else before if before is not None else "")


def _change(revision: TargetRevision, measures: dict) -> str:
    """Added, changed or removed; a change of measure is named, since the quantities then count
    different things (``Changed: Cases served → Activities held``)."""
    action = str(revision.get_action_display())
    before, after = revision.before.get("measure"), revision.after.get("measure")
    if before is None or after is None or before == after:
        return action
    return _("%(change)s: %(measure)s") % {
        "change": action,
        "measure": _before_after(revision, "measure", measures),
    }


def target_revisions_section(contract, *, user=None, as_of=None) -> tuple[Section, list[dict]]:
    """The funder pack's target revisions (finance/reports/pack.py ``EXTRA_SECTIONS``) and their
    JSON: every target added, changed or removed since the targets were first agreed, with the
    quantity before and after, when, by whom and why (the JSON also says from where). A funder
    reading "met" sees whether the target was lowered to get there (docs/formats.md)."""
    revisions = _revisions(contract, user)
    measures = dict(Measure.choices)
    rows = [
        {
            "changed": timezone.localtime(r.changed_at).date(),
            "code": _before_after(r, "code") or r.code,
            "target": _before_after(r, "name"),
            "action": _change(r, measures),
            "quantity_before": r.before.get("quantity"),
            "quantity_after": r.after.get("quantity"),
            "reason": r.reason,
            "changed_by": _changed_by(r),
        }
        for r in revisions
    ]
    section = Section(
        title=_("Target revisions"),
        text=[] if rows else [_("No changes since the targets were first agreed.")],
        tables=[
            Table(
                title=_("Target revisions"),
                columns=[
                    Column("changed", _("Date"), "date"),
                    Column("code", _("Code")),
                    Column("target", _("Target")),
                    Column("action", _("Change")),
                    Column("quantity_before", _("Quantity before"), "int"),
                    Column("quantity_after", _("Quantity after"), "int"),
                    # A file's reason names it ("Loaded from c2.json"); the JSON keeps the source.
                    Column("reason", _("Reason")),
                    Column("changed_by", _("Changed by")),
                ],
                rows=rows,
            )
        ],
    )
    data = [
        {
            "changed": timezone.localtime(r.changed_at).date().isoformat(),
            "code": r.code,
            "action": r.action,
            "before": r.before or None,
            "after": r.after or None,
            "reason": r.reason,
            "source": r.source,
            "changed_by": _changed_by(r) or None,
        }
        for r in revisions
    ]
    return section, data
