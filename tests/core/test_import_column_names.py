"""How an import problem names a column it cannot find: both headers a file may give it, the
reader's language first (files.md: ``row N, column C: what is wrong``; in English ``payee (收款方)``,
in Chinese ``收款方（payee）``), told again in the reader's language from the stored problem."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from core.importing import Column, RowError, parse_table, read_table
from tests.core.test_importing import DEMO, csv_bytes


def _missing_joined() -> RowError:
    (error,) = parse_table(DEMO, read_table(csv_bytes("code,name", "A1,Ann"), "people.csv")).errors.kept
    return error


def test_a_column_is_named_english_first_in_english():
    with translation.override("en"):
        assert Column("payee", aliases=["收款方"]).label == "payee (收款方)"
        assert str(_missing_joined()) == "row 1, column joined (入职日期): required column is missing"


def test_a_column_is_named_chinese_first_in_chinese():
    with translation.override("zh-hans"):
        assert Column("payee", aliases=["收款方"]).label == "收款方（payee）"
        assert str(_missing_joined()) == "第 1 行，入职日期（joined） 列：缺少必需的列"


def test_a_column_without_an_alias_is_named_by_its_key_in_both_languages():
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert Column("notes").label == "notes"


def test_a_header_that_names_no_column_lists_them_chinese_first_in_chinese():
    with translation.override("zh-hans"):
        outcome = parse_table(DEMO, read_table(csv_bytes("A1,Ann,2025-03-05"), "people.csv"))
        (error,) = outcome.errors.kept
        assert "代码（code）, 姓名（name）, 入职日期（joined）" in str(error)


def test_a_stored_problem_names_the_column_in_its_readers_language():
    with translation.override("en"):
        stored = _missing_joined().as_dict()
    assert stored["text"] == "row 1, column joined (入职日期): required column is missing"
    with translation.override("zh-hans"):
        assert RowError.text_of(stored) == "第 1 行，入职日期（joined） 列：缺少必需的列"
    with translation.override("en"):
        assert RowError.text_of(stored) == "row 1, column joined (入职日期): required column is missing"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "row 1, column hire_date (入职日期): required column is missing"),
        ("zh-hans", "第 1 行，入职日期（hire_date） 列：缺少必需的列"),
    ],
)
def test_the_roster_upload_page_names_a_missing_column_in_the_pages_language(
    language, expected, director, login_client
):
    upload = SimpleUploadedFile("roster.csv", csv_bytes("员工编号,姓名", "S001,张伟"))
    response = login_client(director).post(
        reverse("staff-import"), {"file": upload}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert expected in response.content.decode()
