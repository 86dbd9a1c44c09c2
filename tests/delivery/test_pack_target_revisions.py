"""The funder pack shows every change to the contract's targets, beside its budget revisions."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from core.reports import get, render
from delivery.models import Measure
from delivery.services import TargetSpec, target_update
from finance.models import Contract
from finance.services import auditor_grant, contract_load

pytestmark = pytest.mark.django_db


def _document(hv: int) -> bytes:
    return json.dumps(
        {
            "code": "JX-XF-2025-09",
            "title": "信丰县农村留守儿童关爱保护服务项目",
            "funder": "信丰县民政局",
            "start": "2025-01-01",
            "end": "2025-12-31",
            "total": "1000.00",
            "budget_lines": [
                {"code": "A1", "name": "服务活动", "category": "activities", "amount": "1000.00"}
            ],
            "targets": [
                {"code": "HV", "name": "入户探访", "measure": "activities", "quantity": hv},
                {"code": "CS", "name": "个案服务", "measure": "cases", "quantity": 40},
            ],
        },
        ensure_ascii=False,
    ).encode()


@pytest.fixture
def revised(agency, director):
    """HV lowered 300 → 120 by a contract file loaded by Alice; then Alice moves CS from 40
    cases to 45 activities on the targets page."""
    contract_load(agency=agency, data=_document(300), filename="c.json")
    contract_load(agency=agency, data=_document(120), filename="c2.json", user=director)
    contract = Contract.objects.get(code="JX-XF-2025-09")
    target_update(
        target=contract.targets.get(code="CS"),
        spec=TargetSpec("CS", "个案服务", "activities", 45),
        user=director,
        reason="民政局同意调整",
    )
    return contract


def pack(agency, user=None):
    return get("contract").build(agency=agency, user=user, contract="JX-XF-2025-09")


def test_the_pack_json_lists_each_target_revision(agency, revised):
    body = json.loads(render(pack(agency), "json")[0])
    today = timezone.localdate().isoformat()
    assert body["target_revisions"] == [
        {
            "changed": today,
            "code": "HV",
            "action": "changed",
            "before": {"code": "HV", "name": "入户探访", "measure": "activities", "quantity": 300},
            "after": {"code": "HV", "name": "入户探访", "measure": "activities", "quantity": 120},
            "reason": "Loaded from c2.json",
            "source": "file",
            "changed_by": "Alice",
        },
        {
            "changed": today,
            "code": "CS",
            "action": "changed",
            "before": {"code": "CS", "name": "个案服务", "measure": "cases", "quantity": 40},
            "after": {"code": "CS", "name": "个案服务", "measure": "activities", "quantity": 45},
            "reason": "民政局同意调整",
            "source": "manual",
            "changed_by": "Alice",
        },
    ]
    assert "revisions" in body and "targets" in body  # the keys it had stay


def test_the_pack_csv_shows_which_target_changed_from_what_to_what_when_by_whom_and_why(agency, revised):
    rows = list(csv.reader(io.StringIO(render(pack(agency), "csv")[0].decode("utf-8-sig"))))
    start = rows.index(["Target revisions"])
    today = timezone.localdate().isoformat()
    assert rows[start + 1 : start + 5] == [
        ["Date", "Code", "Target", "Change", "Quantity before", "Quantity after", "Reason", "Changed by"],
        [today, "HV", "入户探访", "Changed", "300", "120", "Loaded from c2.json", "Alice"],
        [
            today,
            "CS",
            "个案服务",
            "Changed: Cases served → Activities held",
            "40",
            "45",
            "民政局同意调整",
            "Alice",
        ],
        [],
    ]


def test_the_pack_xlsx_and_pdf_show_the_target_revisions(agency, revised):
    report = pack(agency)
    sheet = load_workbook(io.BytesIO(render(report, "xlsx")[0]))["Target revisions"]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    hv = next(row for row in cells if row[1] == "HV")
    assert hv[1:8] == ["HV", "入户探访", "Changed", 300, 120, "Loaded from c2.json", "Alice"]
    assert isinstance(hv[0], dt.datetime)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render(report, "pdf")[0])).pages)
    assert "Target revisions" in text and "民政局同意调整" in text
    assert "300\n 120\n" in text and "40\n 45\n" in text


def test_a_pack_without_target_changes_says_so(agency):
    contract_load(agency=agency, data=_document(300), filename="c.json")
    report = pack(agency)
    assert report.data["target_revisions"] == []
    section = next(s for s in report.sections if s.title == "Target revisions")
    assert section.text == ["No changes since the targets were first agreed."]
    assert section.tables[0].rows == []


def test_an_auditor_granted_the_contract_sees_its_target_revisions(agency, revised, auditor, director):
    auditor_grant(contract=revised, auditor=auditor, granted_by=director)
    assert [r["code"] for r in pack(agency, auditor).data["target_revisions"]] == ["HV", "CS"]


def test_the_pack_page_shows_the_target_revisions(revised, director, login_client):
    page = login_client(director).get(reverse("finance-contract-pack", args=[revised.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Target revisions" in html and "Loaded from c2.json" in html and "民政局同意调整" in html


def test_the_chinese_pack_names_the_columns_and_the_change_in_chinese(agency, revised):
    with translation.override("zh-hans"):
        rows = list(csv.reader(io.StringIO(render(pack(agency), "csv")[0].decode("utf-8-sig"))))
    start = rows.index(["指标调整记录"])
    assert rows[start + 1] == ["日期", "代码", "指标", "调整", "调整前数量", "调整后数量", "原因", "操作人"]
    assert rows[start + 3][3:6] == ["调整：服务个案数 → 活动次数", "40", "45"]


def test_the_targets_page_names_each_revisions_measure_by_its_label_not_its_code(
    revised, director, login_client
):
    html = (
        login_client(director)
        .get(reverse("delivery-contract-targets", args=[revised.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    with translation.override("zh-hans"):
        cases, activities = str(Measure.CASES.label), str(Measure.ACTIVITIES.label)
    assert f"个案服务 · {cases} · 40" in html and f"个案服务 · {activities} · 45" in html
    assert " · activities · " not in html and " · cases · " not in html
