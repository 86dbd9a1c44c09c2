"""Home-page panels of the staff app: certificates that need renewing, one's own certificates,
and the director's workforce overview (headcount, turnover trend, certified ratio)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core.caching import minute_cached
from core.models import agency_of
from core.navigation import dashboard_panel
from core.reports.base import Chart, Series
from core.reports.charts import chart_context
from core.reports.formatting import rate
from core.roles import Role
from staff import analytics
from staff.models import EXPIRY_WARNING_DAYS
from staff.selectors import qualification_summary, qualifications_for

#: Years shown in the director's trend charts (the current year last, counted so far).
TREND_YEARS = 6


@dashboard_panel(Role.DIRECTOR, Role.SUPERVISOR, order=20)
def certificates_panel(request):
    """Registrations expiring within 90 days or expired, among the certificates the user may see."""
    agency = agency_of(request.user)
    today = timezone.localdate()
    # May be a minute old (core.caching): the summary reads every certificate the user may see.
    return minute_cached(
        "staff.certificates_panel",
        lambda: _certificates(request.user, agency, today),
        agency=agency,
        user=request.user,
        parts=(today,),
    )


def _certificates(user, agency, today) -> dict:
    summary = qualification_summary(agency, today, qualifications_for(user))
    return {
        "template": "staff/panel_certificates.html",
        "summary": {"holders": summary["holders"]},
        "expiring": summary["expiring_within_90_days"][:5],
        "expiring_count": len(summary["expiring_within_90_days"]),
        "expired": summary["expired"][:5],
        "expired_count": len(summary["expired"]),
        "horizon_days": EXPIRY_WARNING_DAYS,
        "today": today,
    }


@dashboard_panel(Role.STAFF, order=25)
def my_certificates_panel(request):
    """The user's own certificates with their registration end, soonest first (one query)."""
    user = request.user
    if not user.has_perm("staff.view_qualification"):
        return None
    today = timezone.localdate()
    rows = []
    for qualification in (
        qualifications_for(user)
        .filter(staff__user=user)
        .order_by("registration_expires", "-issued", "cert_no")
    ):
        expires = qualification.registration_expires
        days_left = (expires - today).days if expires else None
        if days_left is None:
            state = ""
        elif days_left < 0:
            state = "expired"
        elif days_left <= EXPIRY_WARNING_DAYS:
            state = "expiring"
        else:
            state = "ok"
        rows.append({"q": qualification, "days_left": days_left, "state": state})
    return {"template": "staff/panel_my_certificates.html", "rows": rows, "today": today}


@dashboard_panel(Role.DIRECTOR, order=50)
def workforce_panel(request):
    """Headcount today, certified ratio today, last year's turnover and the yearly trend.

    Two queries (spells, first certificates) whatever the number of staff: everything else is
    computed on the spells frame of ``staff.analytics``.
    """
    agency = agency_of(request.user)
    if agency is None or not request.user.has_perm("staff.view_employmentspell"):
        return None
    today = timezone.localdate()
    # Agency-wide figures that may be a minute old (core.caching).
    return minute_cached(
        "staff.workforce_panel", lambda: _workforce(agency, today), agency=agency, parts=(today,)
    )


def _workforce(agency, today) -> dict:
    frame = analytics.spells_frame(agency)
    if frame.empty:
        return {"template": "staff/panel_workforce.html", "empty": True}
    day = today.toordinal()
    active = (frame["hire"] <= day) & (frame["exit"] >= day)
    headcount = int(active.sum())
    certified = int((active & (frame["certified"] <= day)).sum())
    years_known = [year for year in analytics.years_span(frame, today) if year <= today.year]
    trend = [analytics.metrics_for_year(frame, year) for year in years_known[-TREND_YEARS:]]
    last_year = next((row for row in trend if row["year"] == today.year - 1), None)
    this_year = next((row for row in trend if row["year"] == today.year), None)
    years = [str(row["year"]) for row in trend]
    charts = [
        chart_context(
            Chart(
                kind="bar",
                title=_("Headcount at year end"),
                categories=years,
                series=[Series(_("Headcount"), [row["headcount_end"] for row in trend])],
                value_format="int",
            )
        ),
        chart_context(
            Chart(
                kind="line" if len(trend) > 1 else "bar",
                title=_("Turnover by year"),
                categories=years,
                series=[
                    Series(
                        str(analytics.METRIC_LABELS["turnover_rate"]), [row["turnover_rate"] for row in trend]
                    ),
                    Series(
                        str(analytics.METRIC_LABELS["voluntary_turnover_rate"]),
                        [row["voluntary_turnover_rate"] for row in trend],
                    ),
                ],
                value_format="percent",
            )
        ),
    ]
    return {
        "template": "staff/panel_workforce.html",
        "empty": False,
        "today": today,
        "headcount": headcount,
        "certified": certified,
        "certified_ratio": rate(certified, headcount),
        "last_year": last_year,
        "this_year": this_year,
        "charts": charts,
        "definitions": analytics.DEFINITIONS,
        "scope_note": analytics.SCOPE_NOTE,
    }
