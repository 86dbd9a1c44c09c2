"""Every report file speaks the reader's language: no internal code, and no English word in Chinese.

Issue #18: what tests/e2e/test_every_page.py checks on pages, this checks on files. On the demo
data (seeded once, with a fixed today), every registered report kind is built for the demo agency
in Chinese and in English and rendered as PDF (the text of every page, via pypdf), XLSX (every
cell of every sheet, via openpyxl) and CSV (every field, header rows included). No file may show a
snake_case or UPPER_CASE identifier; a Chinese file may show no English word beyond the same narrow
allow-list as the pages (file types, login names). Contract codes (JX-XF-2026-01), voucher
numbers (V-0107) and case codes are data and contain no lower-case letter, so neither pattern
matches them.

JSON is not checked: it is the machine format and keeps its codes (cli.md). The CSV of a report
is what its XLSX shows, facts and tables, on one sheet (core/reports/renderers/text.py); no CSV
column of a report is specified by name in cli.md or files.md (those name JSON keys and the
import files' columns), so the CSV is held to the same rule as the PDF and XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from tests.e2e.test_every_page import ALLOWED_WORDS, CODE, NOISE, WORD

TODAY = dt.date(2026, 12, 1)
PARAMS = {"year": 2026, "as_of": dt.date(2026, 11, 30)}
FORMATS = ("pdf", "xlsx", "csv")
#: Words a Chinese report file may show besides the pages' allow-list: the units of the charts
#: and tables that are international symbols rather than English words (none so far).
EXTRA_WORDS: set[str] = set()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                from overview import demo as overview_demo

                overview_demo.seed(password="files-pass-2025", force=True, log=lambda *_: None, today=TODAY)
            from core.models import Agency
            from finance.models import Contract

            agency = Agency.objects.get(slug=overview_demo.DEMO_SLUG)
            codes = sorted(Contract.objects.filter(agency=agency).values_list("code", flat=True))
            yield agency, codes
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _jobs(codes: list[str]):
    """(label, kind, params) for every registered kind; contract kinds once per demo contract."""
    from core.reports import all_kinds

    for kind in all_kinds():
        base = {name: PARAMS[name] for name in kind.accepted if name in PARAMS}
        if "contract" in kind.accepted:
            for code in codes:
                yield f"{kind.kind} {code}", kind, {**base, "contract": code}
        else:
            yield kind.kind, kind, base


def _page_reports(agency):
    """(label, report) for the reports the pages build outside the register: a training
    transcript and a supervision log (for a member who has records), for the director."""
    from django.contrib.auth import get_user_model

    from supervision.models import SessionAttendance
    from supervision.reports import supervisee_log_report
    from training.models import TrainingRecord
    from training.reports import transcript_report

    director = get_user_model().objects.get(username="director")
    record = TrainingRecord.objects.filter(staff__agency=agency).select_related("staff").first()
    yield "transcript", transcript_report(staff=record.staff, as_of=PARAMS["as_of"])
    attendance = SessionAttendance.objects.filter(staff__agency=agency).select_related("staff").first()
    yield "supervision log", supervisee_log_report(agency=agency, user=director, staff=attendance.staff)


def _ledger_files(agency):
    """(label, format, content) of the ledger page's downloads, every demo expenditure."""
    from finance.models import Expenditure
    from finance.reports.ledger import ledger_csv, ledger_xlsx

    qs = Expenditure.objects.filter(contract__agency=agency).select_related("contract", "budget_line")
    yield "ledger", "csv", ledger_csv(qs)
    yield "ledger", "xlsx", ledger_xlsx(qs, agency_name=agency.name)


def _text(content: bytes, fmt: str) -> str:
    if fmt == "pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        cells = [str(book.sheetnames)]
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells += [str(value) for value in row if value is not None]
        return "\n".join(cells)
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    return "\n".join(field for row in rows for field in row)


def _problems(text: str, *, chinese: bool) -> list[str]:
    text = NOISE.sub(" ", text)
    found = [f"code {code}" for code in sorted(set(CODE.findall(text)))]
    if chinese:
        allowed = ALLOWED_WORDS | EXTRA_WORDS
        words = sorted({w for w in WORD.findall(text) if len(w) > 1 and w not in allowed})
        found += [f"English {word}" for word in words]
    return found


@pytest.mark.one_database
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_report_file_shows_no_internal_code_and_chinese_ones_no_english(demo, db, language):
    from core.reports import render

    agency, codes = demo
    assert len(codes) == 3
    failures: dict[str, list[str]] = {}
    rendered = 0
    chinese = language == "zh-hans"

    def check(label: str, fmt: str, content: bytes, title: str = "") -> None:
        nonlocal rendered
        rendered += 1
        text = _text(content, fmt)
        if title:  # the text was read, not lost to a font's encoding
            assert title in text.replace("\n", ""), (label, fmt, title)
        if problems := _problems(text, chinese=chinese):
            failures[f"{label} {fmt}"] = problems

    with translation.override(language):
        reports = [
            (label, kind.build(agency=agency, user=None, **params)) for label, kind, params in _jobs(codes)
        ]
        for label, report in [*reports, *_page_reports(agency)]:
            for fmt in FORMATS:
                check(label, fmt, render(report, fmt)[0], title=str(report.title) if fmt != "csv" else "")
        for label, fmt, content in _ledger_files(agency):
            check(label, fmt, content)
    assert len(reports) >= 15
    assert rendered == 3 * (len(reports) + 2) + 2
    assert failures == {}, "\n".join(f"{key}: {', '.join(found)}" for key, found in failures.items())


def test_the_check_catches_codes_and_english_words():
    assert _problems("规则 DUPLICATE_INVOICE 状态 in_review", chinese=False) == [
        "code DUPLICATE_INVOICE",
        "code in_review",
    ]
    assert _problems("合同 JX-XF-2026-01 凭证 V-0107 PDF director", chinese=True) == []
    assert _problems("预算 Remaining", chinese=True) == ["English Remaining"]
    assert re.fullmatch(CODE, "JX-XF-2026-01") is None


def test_json_keeps_the_codes_the_files_show_by_label(demo, db):
    import json

    from core.reports import get, render

    agency, _codes = demo
    with translation.override("zh-hans"):
        supervision = get("supervision-compliance").build(agency=agency, user=None, year=2026)
        flags = get("flags").build(agency=agency, user=None, contract="JX-XF-2026-01")
        rows = json.loads(render(supervision, "json")[0])["rows"]
        statuses = {row["status"] for row in rows}
        csv_text = _text(render(supervision, "csv")[0], "csv")
        flag_rules = {item["rule"] for item in json.loads(render(flags, "json")[0])["flags"]}
        flags_csv = _text(render(flags, "csv")[0], "csv")
    assert statuses == {"met", "short"}
    assert "达标" in csv_text and "未达标" in csv_text
    assert {"DUPLICATE_INVOICE", "CASH_LIMIT"} <= flag_rules
    assert "发票重复报销" in flags_csv and "现金支付超限" in flags_csv
