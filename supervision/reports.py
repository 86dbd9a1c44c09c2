"""Report kinds of the supervision module (registered on import from SupervisionConfig.ready).

- ``supervision-compliance --year Y``: per supervisee and month, required vs received minutes
  (docs/metrics.md; the counting rules are in ``supervision.selectors``). JSON body exactly as
  docs/commands.md: ``{"year", "rows": [{staff_no, name, supervisor, month, required_minutes,
  received_minutes, required_individual_minutes, individual_minutes, status}]}``.
- ``supervisee_log_report``: one supervisee's sessions, evidence for funders and
  certification; notes and action items only when the reader may read them (each such read
  is logged with channel ``report``).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.reports import Column, Report, ReportError, Section, Table, register
from supervision import selectors

COMPLIANCE_NOTE = gettext_lazy(
    "Received minutes: sessions in the month the supervisee attended (a group session counts in full "
    "for each attendee). Met when received ≥ required and individual ≥ required individual. Months "
    "before the plan starts or after it ends, or when the supervisee was not employed for the whole "
    "month, are not counted; the month in which a plan starts or ends is counted."
)
#: The pages' sentence on the running month (templates/supervision/compliance.html).
RUNNING_MONTH_NOTE = gettext_lazy(
    "The current month is in progress until it ends: it counts as short only once it is over."
)
#: How people read a supervisee-month (``selectors.PAGE_STATES``); the JSON keeps ``status``.
STATE_LABELS = {
    "met": gettext_lazy("Met"),
    "short": gettext_lazy("Short"),
    "in_progress": gettext_lazy("In progress"),
}


@register(
    "supervision-compliance",
    title=gettext_lazy("Supervision compliance"),
    params=("year",),
    roles=("director", "supervisor"),
    description=gettext_lazy("Per supervisee and month: required vs received supervision minutes."),
)
def build_compliance(*, agency, user=None, year=None, today: dt.date | None = None, **kw) -> Report:
    """The year's supervisee-months. JSON keeps each month's ``status`` (met or short); the files
    for people show its state as the compliance page does: the running month, while still short,
    is in progress (``selectors.compliance_page_rows``), and the counts follow."""
    if (message := selectors.compliance_year_error(int(year))) is not None:
        raise ReportError(message)
    today = today or timezone.localdate()
    rows = selectors.compliance_rows(
        agency=agency, year=int(year), supervisee_ids=selectors.compliance_scope(user), today=today
    )
    shown = selectors.compliance_page_rows(rows, today=today)
    states = {state: sum(1 for r in shown if r["state"] == state) for state in selectors.PAGE_STATES}
    note = f"{COMPLIANCE_NOTE} {RUNNING_MONTH_NOTE}"
    table = Table(
        title=_("Supervision by supervisee and month"),
        columns=[
            Column("staff_no", _("Staff no.")),
            Column("name", _("Name")),
            Column("supervisor", _("Supervisor")),
            Column("month", _("Month")),
            Column("required_minutes", _("Required minutes"), "int"),
            Column("received_minutes", _("Received minutes"), "int"),
            Column("required_individual_minutes", _("Required individual minutes"), "int"),
            Column("individual_minutes", _("Individual minutes"), "int"),
            Column("state", _("Status"), labels=STATE_LABELS),
        ],
        rows=shown,
        note=note,
    )
    summary = Section(
        title=_("Summary"),
        facts=[
            # In-progress months are not counted yet (docs/metrics.md), as in the annual report.
            (_("Supervisee-months counted"), states["met"] + states["short"]),
            (str(STATE_LABELS["met"]), states["met"]),
            (str(STATE_LABELS["short"]), states["short"]),
            (str(STATE_LABELS["in_progress"]), states["in_progress"]),
        ],
        text=[note],
        tables=[table],
    )
    return Report(
        kind="supervision-compliance",
        title=_("Supervision compliance %(year)s") % {"year": year},
        agency_name=agency.name,
        params={"year": int(year)},
        data={"year": int(year), "rows": rows},
        sections=[summary],
    )


def supervisee_log_report(*, agency, user, staff, year: int | None = None) -> Report:
    """The supervision log of one supervisee. Notes appear only for readers of each session's
    notes (directors, its supervisor, the supervisee), and each inclusion is a logged read."""
    from supervision.services import session_notes_read

    sessions = selectors.supervisee_log(staff=staff, year=year)
    rows = []
    notes_sections = []
    total = 0
    for session in sessions:
        total += session.duration_minutes
        rows.append(
            {
                "date": session.date,
                "time": session.start_time.strftime("%H:%M"),
                "minutes": session.duration_minutes,
                "modality": session.get_modality_display(),
                "format": session.get_format_display(),
                "supervisor": session.supervisor.name,
                "locked": _("yes") if session.locked_at else _("no"),
            }
        )
        if user is not None and selectors.can_read_notes(user, session):
            session_notes_read(session=session, user=user, channel="report")
            items = [
                f"{'✓' if item.done else '•'} {item.text}"
                + (f" ({item.owner.name})" if item.owner else "")
                + (f" — {item.due_date.isoformat()}" if item.due_date else "")
                for item in session.action_items.all()
            ]
            notes_sections.append(
                Section(
                    title=f"{session.date.isoformat()} {session.start_time.strftime('%H:%M')}",
                    text=[session.notes or _("No notes."), *items],
                )
            )
    table = Table(
        title=_("Sessions attended"),
        columns=[
            Column("date", _("Date"), "date"),
            Column("time", _("Start")),
            Column("minutes", _("Minutes"), "int"),
            Column("modality", _("Modality")),
            Column("format", _("Format")),
            Column("supervisor", _("Supervisor")),
            Column("locked", _("Acknowledged by all")),
        ],
        rows=rows,
        totals={"minutes": total},
    )
    overview = Section(
        title=_("Supervision log"),
        facts=[
            (_("Supervisee"), f"{staff.name} ({staff.staff_no})"),
            (_("Period"), str(year) if year else _("All years")),
            (_("Sessions"), len(rows)),
            (_("Hours"), round(total / 60, 1)),
            (_("Generated"), timezone.localdate().isoformat()),
        ],
        tables=[table],
    )
    if notes_sections:
        notes_sections.insert(
            0, Section(title=_("Confidential notes"), text=[_("Confidential: do not pass on.")])
        )
    return Report(
        kind="supervision-log",
        title=_("Supervision log of %(name)s") % {"name": staff.name},
        agency_name=agency.name,
        params={"year": year} if year else {},
        data={"staff_no": staff.staff_no, "name": staff.name, "sessions": rows},
        sections=[overview, *notes_sections],
        filename_stem=f"supervision-log-{staff.staff_no}" + (f"-{year}" if year else ""),
    )
