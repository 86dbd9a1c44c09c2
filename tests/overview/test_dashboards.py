"""The home page of each role: the panels it shows (with exact numbers on a small hand-built
agency), the panels it never shows, a query count that does not grow with the data, the
formatting filters and the chart include."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core.reports.base import Chart, Series
from core.reports.charts import chart_context
from finance.models import Flag
from finance.reconciliation.services import statement_import
from finance.services import auditor_grant
from supervision import services as supervision_services
from supervision.selectors import compliance_frame, month_coverage
from tests.factories import QualificationFactory, SpellFactory, StaffMemberFactory, SupervisionPlanFactory
from tests.finance.factories import BudgetLineFactory, ContractFactory, ExpenditureFactory
from tests.training.factories import TrainingRecordFactory

pytestmark = pytest.mark.django_db

FLAGS = "finance/flags/panel.html"
UNRECONCILED = "overview/panel_unreconciled.html"
CONTRACTS = "finance/panel_contracts.html"
AUDITED = "overview/panel_audited_contracts.html"
CERTIFICATES = "staff/panel_certificates.html"
MY_CERTIFICATES = "staff/panel_my_certificates.html"
WORKFORCE = "staff/panel_workforce.html"
COMPLIANCE = "training/panel_compliance.html"
SUPERVISOR = "supervision/panel_supervisor.html"
MINE = "supervision/panel_mine.html"
COVERAGE = "supervision/panel_coverage.html"
INBOX = "overview/panel_inbox.html"
#: The setup checklist: this world never reviewed its training requirements (and the
#: outsider's agency has done nothing yet), so both directors still see it.
SETUP = "core/panel_setup.html"

#: Each persona's panels, most urgent first.
EXPECTED_PANELS = {
    "director": [SETUP, INBOX, FLAGS, CERTIFICATES, COMPLIANCE, CONTRACTS, COVERAGE, WORKFORCE],
    "finance": [INBOX, FLAGS, UNRECONCILED, CONTRACTS],
    "supervisor": [SUPERVISOR, CERTIFICATES, MY_CERTIFICATES, COMPLIANCE],
    "staff": [MINE, MY_CERTIFICATES, COMPLIANCE],
    "auditor": [FLAGS, AUDITED],
    "outsider": [SETUP, INBOX, FLAGS, CERTIFICATES, COMPLIANCE, COVERAGE, WORKFORCE],
}

#: Queries of one home page per persona (session, user, membership, roles, navigation and
#: every panel), pinned: the same for 3 and for 30 extra people, sessions and expenditures.
#: Directors: one query per setup-checklist step (5) while the checklist shows.
#: The login's staff record is looked up once per request (staff.models.member_of), not per panel.
#: The inbox adds one count per item the persona is offered (director 5, finance 2).
EXPECTED_QUERIES = {
    "director": 31,  # the checklist's 5, the inbox's 5, the delivery panel's targets of running contracts
    "finance": 13,
    "supervisor": 21,  # the read log of the overdue action items the supervisor's panel shows (the quick form's owners come from its plans)
    "staff": 14,  # the read log of the open action items the staff member's panel shows
    "auditor": 10,
    "outsider": 27,  # the checklist's 5, the inbox's 5, the delivery panel's targets of running contracts
}
#: The same pages within the minute: the training, certificates, coverage and workforce panels
#: come from the shared cache (core.caching).
EXPECTED_WARM_QUERIES = {
    "director": 22,
    "finance": 13,
    "supervisor": 16,  # the action items' read log is written at every view, cached or not
    "staff": 11,
    "auditor": 10,
    "outsider": 21,
}


def _today() -> dt.date:
    return timezone.localdate()


def _last_month_start(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _log(supervisor, attendees, date, minutes, action_items=()):
    return supervision_services.session_create(
        agency=supervisor.agency,
        user=supervisor.user,
        supervisor=supervisor,
        date=date,
        start_time=dt.time(9, 0),
        duration_minutes=minutes,
        modality="individual",
        attendees=attendees,
        notes="Discussed case XF-2025-014.",
        action_items=list(action_items),
        today=_today(),
    )


def _flag(contract, severity: str, subject: str) -> Flag:
    flag = Flag.objects.create(
        agency=contract.agency,
        contract=contract,
        rule=f"TEST_{severity.upper()}",
        severity=severity,
        subject=subject,
        message=f"Test finding {subject}",
        fingerprint=subject,
    )
    flag.contracts.add(contract)
    return flag


def _bank_lines(contract, line, rows: list[tuple[dt.date, str]], name: str, user) -> None:
    body = "交易日期,金额,对方户名,摘要\n" + "".join(f"{d.isoformat()},{a},某单位,往来\n" for d, a in rows)
    start = min(d for d, _ in rows)
    result = statement_import(
        contract=contract, start=start, end=_today(), data=body.encode(), filename=name, user=user
    )
    assert not getattr(result, "errors", None), result


@pytest.fixture
def world(personas, agency, director, finance, auditor, supervisor_member, staff_member, other_staff_member):
    """A small agency, by hand (numbers checked below):

    - people: 陈督导 S100 (supervisor, no certificate), 李社工 S200 (staff; assistant social
      worker whose registration ends in 60 days; 30 approved hours in the cycle: at risk),
      王社工 S300 (social worker, registration ended 10 days ago, no hours: overdue);
    - supervision: S200 got 120 individual minutes last month (met) and 60 so far this month
      (short); neither session is acknowledged; an action item owned by S200 was due yesterday;
    - finance: contract JX-1, 100 days into 400 (25 % elapsed), 30,000.00 of 300,000.00 spent;
      one critical and two warning flags open, one info flag dismissed; a bank statement of
      three lines, none of which matches the books; the auditor holds a grant on JX-1.
    """
    today = _today()
    QualificationFactory(
        staff=staff_member,
        cert_no="CERT-S200",
        issued=dt.date(2021, 6, 1),
        registration_expires=today + dt.timedelta(days=60),
    )
    QualificationFactory(
        staff=other_staff_member,
        cert_no="CERT-S300",
        level="social_worker",
        issued=dt.date(2020, 1, 1),
        registration_expires=today - dt.timedelta(days=10),
    )
    TrainingRecordFactory(staff=staff_member, date=today - dt.timedelta(days=30), hours=Decimal("30.0"))
    _log(supervisor_member, [staff_member], _last_month_start(today), 120)
    _log(
        supervisor_member,
        [staff_member],
        today,
        60,
        action_items=[
            {
                "text": "Update the safety plan",
                "owner": staff_member,
                "due_date": today - dt.timedelta(days=1),
            }
        ],
    )

    start = today - dt.timedelta(days=99)
    contract = ContractFactory(
        agency=agency,
        code="JX-1",
        start=start,
        end=start + dt.timedelta(days=399),
        total=Decimal("300000.00"),
    )
    line = BudgetLineFactory(contract=contract, code="A1", amount=Decimal("300000.00"))
    ExpenditureFactory(budget_line=line, amount=Decimal("30000.00"), date=start)
    _flag(contract, "critical", "Invoice DUP-1 paid twice")
    _flag(contract, "warning", "Saturday payment W-1")
    _flag(contract, "warning", "Saturday payment W-2")
    dismissed = _flag(contract, "info", "Round amount R-1")
    Flag.objects.filter(pk=dismissed.pk).update(status="dismissed")
    _bank_lines(
        contract,
        line,
        [
            (start, "-1234.50"),
            (start + dt.timedelta(days=1), "-100.00"),
            (start + dt.timedelta(days=2), "5000.00"),
        ],
        "bank-1.csv",
        finance,
    )
    auditor_grant(contract=contract, auditor=auditor, granted_by=director)
    return {"contract": contract, "line": line}


def grow(world, agency, supervisor_member, finance, n: int) -> None:
    """``n`` more people (spell, certificate, training, plan, a session this month), ``n`` more
    expenditures, flags and bank lines."""
    today = _today()
    workers = []
    for i in range(n):
        worker = StaffMemberFactory(agency=agency, staff_no=f"X{i:03d}")
        SpellFactory(staff=worker, hire_date=dt.date(2021, 1, 1))
        QualificationFactory(staff=worker, registration_expires=today + dt.timedelta(days=30 + i))
        TrainingRecordFactory(staff=worker, date=today - dt.timedelta(days=5), hours=Decimal("8.0"))
        SupervisionPlanFactory(supervisee=worker, supervisor=supervisor_member, start=dt.date(2024, 1, 1))
        workers.append(worker)
    for worker in workers:
        _log(supervisor_member, [worker], today, 30, action_items=[{"text": "x", "owner": worker}])
        ExpenditureFactory(budget_line=world["line"], amount=Decimal("10.00"), date=world["contract"].start)
        _flag(world["contract"], "warning", f"grown {worker.staff_no}")
    start = world["contract"].start
    _bank_lines(
        world["contract"],
        world["line"],
        [(start + dt.timedelta(days=3 + i % 50), f"-{7 + i}.00") for i in range(n)],
        f"bank-grow-{n}.csv",
        finance,
    )


def home(login_client, user):
    response = login_client(user).get(reverse("home"))
    assert response.status_code == 200
    return response


def panel(response, template):
    return next(p for p in response.context["panels"] if p["template"] == template)


# --- which panels each role sees ----------------------------------------------------------------


@pytest.mark.parametrize("persona", list(EXPECTED_PANELS))
def test_each_role_sees_its_own_panels_most_urgent_first_and_no_one_elses(
    persona, personas, world, login_client
):
    response = home(login_client, personas[persona])
    assert [p["template"] for p in response.context["panels"]] == EXPECTED_PANELS[persona]
    html = re.sub(r"<svg.*?</svg>", "", response.content.decode(), flags=re.S)
    assert " style=" not in html and "<script>" not in html


@pytest.mark.parametrize("persona", ["supervisor", "staff"])
def test_supervisors_and_staff_never_see_the_agencys_flags_or_money(persona, personas, world, login_client):
    html = home(login_client, personas[persona]).content.decode()
    for secret in ("Invoice DUP-1", "JX-1", "Open irregularity flags", "Bank lines to reconcile"):
        assert secret not in html


def test_the_finance_officer_never_sees_supervision_or_training(personas, world, login_client):
    html = home(login_client, personas["finance"]).content.decode()
    for other in ("李社工", "Supervision coverage", "Continuing education", "CERT-S200"):
        assert other not in html


def test_the_outsider_sees_empty_states_and_nothing_of_the_agency(personas, world, login_client):
    html = home(login_client, personas["outsider"]).content.decode()
    for secret in ("JX-1", "李社工", "王社工", "CERT-S", "Invoice DUP-1"):
        assert secret not in html
    assert "No open flags." in html
    assert "No employment records yet." in html
    assert "No supervision plan is in force." in html


# --- exact numbers -------------------------------------------------------------------------------


def test_the_director_sees_flags_certificates_compliance_burn_coverage_and_the_team(
    personas, world, login_client
):
    response = home(login_client, personas["director"])
    html = response.content.decode()

    flags = panel(response, FLAGS)
    assert flags["counts"] == {"critical": 1, "warning": 2, "info": 0} and flags["total"] == 3
    assert flags["flags"][0].subject == "Invoice DUP-1 paid twice"

    certificates = panel(response, CERTIFICATES)
    assert (certificates["expiring_count"], certificates["expired_count"]) == (1, 1)
    assert "60 days left" in html and "CERT-S300" in html

    compliance = panel(response, COMPLIANCE)
    assert {row["status"]: row["n"] for row in compliance["counts"]} == {
        "overdue": 1,
        "at_risk": 1,
        "on_track": 0,
        "compliant": 0,
    }
    assert "0 of 2 certified people have earned their hours" in html
    assert "42.0 hours short" in html and "90.0 hours short" in html

    burn = panel(response, CONTRACTS)["burn"]
    assert [(row.contract.code, row.pct_spent, row.pct_elapsed) for row in burn] == [
        ("JX-1", Decimal("10.00"), 25)
    ]

    coverage = panel(response, COVERAGE)
    assert (coverage["last_month"]["counted"], coverage["last_month"]["met"]) == (1, 1)
    assert (coverage["this_month"]["counted"], coverage["this_month"]["met"]) == (1, 0)
    assert "1 of 1 supervisees received the supervision their plan requires" in html
    assert "0 of 1 supervisees have already met their plan" in html

    team = panel(response, WORKFORCE)
    assert (team["headcount"], team["certified"], team["certified_ratio"]) == (3, 2, 0.6667)
    assert "66.7%" in html
    assert len(team["charts"]) == 2 and all("<svg" in chart["svg"] for chart in team["charts"])
    assert [row[0] for row in team["charts"][0]["rows"]][-1] == str(_today().year)
    assert team["charts"][0]["rows"][-1][1] == "3"


def test_the_finance_officer_sees_the_flag_queue_unreconciled_lines_and_contracts(
    personas, world, login_client
):
    response = home(login_client, personas["finance"])
    html = response.content.decode()
    assert panel(response, FLAGS)["counts"] == {"critical": 1, "warning": 2, "info": 0}
    assert f"{reverse('finance-flag-list')}?status=open&amp;severity=critical" in html
    lines = panel(response, UNRECONCILED)
    assert (lines["total"], lines["total_lines"]) == (3, 3)
    (period,) = lines["periods"]
    assert (period["unreconciled"], period["money_out"], period["money_in"]) == (
        3,
        Decimal("1334.50"),
        Decimal("5000.00"),
    )
    assert "¥1,334.50" in html and "¥5,000.00" in html
    assert [row.contract.code for row in panel(response, CONTRACTS)["burn"]] == ["JX-1"]


def test_the_supervisor_sees_who_needs_them_shortfalls_expiring_certificates_and_the_quick_form(
    personas, world, login_client
):
    response = home(login_client, personas["supervisor"])
    html = response.content.decode()
    sup = panel(response, SUPERVISOR)
    ((row),) = sup["rows"]
    assert (row.plan.supervisee.staff_no, row.received_minutes, row.status) == ("S200", 60, "short")
    assert "0 of 1 supervisees have met this month" in html
    assert "Update the safety plan" in html and 'id="quick-log"' in html
    certificates = panel(response, CERTIFICATES)
    assert (certificates["expiring_count"], certificates["expired_count"]) == (1, 0)
    assert "CERT-S300" not in html  # 王社工 is not the supervisor's supervisee
    compliance = panel(response, COMPLIANCE)
    assert {row["status"]: row["n"] for row in compliance["counts"]}["at_risk"] == 1
    assert [r.staff_no for r in compliance["urgent"]] == ["S200"]
    assert "No certificate is recorded for you." in html


def test_the_staff_member_sees_what_they_owe(personas, world, login_client):
    response = home(login_client, personas["staff"])
    html = response.content.decode()
    mine = panel(response, MINE)
    assert len(mine["awaiting"]) == 2
    assert [(row["item"].text, row["overdue"]) for row in mine["items"]] == [("Update the safety plan", True)]
    assert "2 sessions to acknowledge" in html
    (cert,) = panel(response, MY_CERTIFICATES)["rows"]
    assert (cert["q"].cert_no, cert["days_left"], cert["state"]) == ("CERT-S200", 60, "expiring")
    compliance = panel(response, COMPLIANCE)
    assert compliance["mine"].earned_hours == Decimal("30.0") and compliance["mine"].status == "at_risk"
    assert "30.0 of 72.0 hours" in html and "42.0 hours still to earn" in html
    assert '<span class="w-41"></span>' in html


def test_the_auditor_sees_the_granted_contract_and_its_flags_only(personas, world, login_client, agency):
    other = ContractFactory(agency=agency, code="JX-2")
    _flag(other, "critical", "Other contract finding")
    response = home(login_client, personas["auditor"])
    html = response.content.decode()
    assert panel(response, FLAGS)["counts"] == {"critical": 1, "warning": 2, "info": 0}
    assert "Other contract finding" not in html and "JX-2" not in html
    (row,) = panel(response, AUDITED)["rows"]
    assert row["grant"].contract.code == "JX-1" and row["burn"].pct_elapsed == 25
    assert "¥30,000.00 / ¥300,000.00" in html and "Access until revoked" in html


def test_a_staff_member_with_nothing_pending_is_told_so(personas, login_client):
    html = home(login_client, personas["staff"]).content.decode()
    assert "Nothing waits for you" in html
    assert "No certificate is recorded for you." in html


def test_the_coverage_panel_counts_months_as_the_supervision_compliance_report_does(
    world, agency, supervisor_member, finance, other_staff_member
):
    grow(world, agency, supervisor_member, finance, 3)
    SupervisionPlanFactory(
        supervisee=other_staff_member, supervisor=supervisor_member, start=dt.date(2024, 1, 1)
    )
    today = _today()
    this_month = today.replace(day=1)
    last_month = _last_month_start(today)
    coverage = month_coverage(agency, [last_month, this_month], today)
    for first, until in ((last_month, this_month - dt.timedelta(days=1)), (this_month, today)):
        frame = compliance_frame(agency=agency, year=first.year, today=until)
        rows = frame[frame["month"] == first.strftime("%Y-%m")]
        assert coverage[first]["counted"] == len(rows) == 5
        assert coverage[first]["met"] == int((rows["status"] == "met").sum())
    assert (coverage[last_month]["met"], coverage[this_month]["met"]) == (1, 0)


# --- queries do not grow with the data -------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("persona", list(EXPECTED_QUERIES))
def test_each_home_page_runs_a_fixed_number_of_queries(
    persona,
    size,
    personas,
    world,
    agency,
    supervisor_member,
    finance,
    login_client,
    django_assert_num_queries,
):
    grow(world, agency, supervisor_member, finance, size)
    client = login_client(personas[persona])
    client.get(reverse("home"))  # warm the content-type and site caches
    cache.clear()  # every panel computed afresh
    with django_assert_num_queries(EXPECTED_QUERIES[persona]):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    with django_assert_num_queries(EXPECTED_WARM_QUERIES[persona]):
        again = client.get(reverse("home"))

    def same(html: bytes) -> str:  # the per-response nonce and CSRF token aside
        return re.sub(r'(nonce|value)="[^"]*"', "", html.decode())

    assert same(again.content) == same(response.content)


# --- formatting filters and the chart include ------------------------------------------------------


def _render(source: str, **context) -> str:
    return Template("{% load formatting %}" + source).render(Context(context))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_money_is_formatted_exactly_with_the_yuan_sign_in_both_languages(language):
    with translation.override(language):
        assert _render("{{ v|money }}", v=Decimal("1234.5")) == "¥1,234.50"
        assert _render("{{ v|money }}", v=Decimal("-1234567.005")) == "-¥1,234,567.01"
        assert _render("{{ v|money }}", v=Decimal("0.1") + Decimal("0.2")) == "¥0.30"
        assert _render("{{ v|money }}", v=None) == "—"
        assert _render("{{ v|money }}", v=12) == "¥12.00"


def test_numbers_and_percentages_get_separators_and_half_up_rounding():
    assert _render("{{ v|num }}", v=1234567) == "1,234,567"
    assert _render("{{ v|num }}", v=Decimal("1234.50")) == "1,234.50"
    assert _render("{{ v|num:1 }}", v=Decimal("2.25")) == "2.3"
    assert _render("{{ v|num }}", v=None) == "—"
    assert _render("{{ v|pct }}", v=0.6667) == "66.7%"
    assert _render("{{ v|pct:0 }}", v=Decimal("0.125")) == "13%"
    assert _render("{{ v|pct }}", v=None) == "—"
    assert _render("{{ v|bar }}", v=Decimal("120.4")) == "100"


def test_dates_follow_the_active_language():
    day = dt.date(2025, 3, 1)
    with translation.override("en"):
        assert _render("{{ d|day }}", d=day) == "March 1, 2025"
    with translation.override("zh-hans"):
        assert _render("{{ d|day }}", d=day) == "2025年3月1日"
    assert _render("{{ d|day }}", d=None) == "—"


def test_the_chart_include_shows_an_accessible_svg_and_its_numbers_as_a_table():
    chart = Chart(
        kind="bar",
        title="Spending by month",
        categories=["2025-01", "2025-02"],
        series=[Series("Spent", [Decimal("1234.5"), Decimal("20000")])],
        value_format="money",
    )
    html = render_to_string("includes/chart.html", {"chart": chart_context(chart)})
    assert "<svg" in html and 'role="img"' in html and 'aria-label="Spending by month"' in html
    assert "<details>" in html and "<table" in html
    assert '<th scope="row">2025-01</th><td class="num">¥1,234.50</td>' in html
    assert '<td class="num">¥20,000.00</td>' in html
    assert "<script" not in html and " style=" not in html.split("<svg")[0]


def test_the_quick_forms_action_item_owner_is_offered_among_the_supervisor_and_their_supervisees(
    personas, world, login_client, agency
):
    from tests.factories import StaffMemberFactory

    StaffMemberFactory(agency=agency, staff_no="S999", name="不相关员工")  # in the agency, not supervised
    response = home(login_client, personas["supervisor"])
    html = response.content.decode()
    owner = html.split('name="action_owner"', 1)[1].split("</select>", 1)[0]
    sup = panel(response, SUPERVISOR)
    supervisor = sup["overview"]["rows"][0].plan.supervisor
    assert re.findall(r'<option value="(\d*)"', owner) == [
        "",
        str(supervisor.pk),
        *(str(row.plan.supervisee.pk) for row in sup["overview"]["rows"]),
    ]
    assert "S999" not in owner
