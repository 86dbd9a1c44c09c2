"""delivery/0003: refused activity files no longer keep a problem quoting a name (files.md)."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.utils import translation

from core.importing.errors import RowError
from core.models import ImportBatch

pytestmark = pytest.mark.django_db

scrub = import_module("delivery.migrations.0003_scrub_names_from_refused_files").scrub

OLD_EN = (
    "“王小明” looks like a name. Case codes only, never a child's name: use letters, digits and dashes "
    "(for example XF-C-017)."
)
OLD_ZH = "“李小红”看起来像是姓名。只填个案编号，绝不填写儿童姓名：请使用字母、数字和短横线（例如 XF-C-017）。"
OTHER = {"row": 3, "column": "duration_minutes", "message": "must be at most 720", "text": "row 3, …"}


def _batch(agency, kind, errors):
    return ImportBatch.objects.create(
        agency=agency, kind=kind, target="C1", file_name="a.csv", sha256=f"{kind}{len(errors)}",
        status=ImportBatch.Status.FAILED, errors=errors,
    )  # fmt: skip


def test_problems_that_quoted_a_name_are_rewritten_and_the_rest_kept(agency):
    batch = _batch(
        agency,
        "activities",
        [
            {
                "row": 2,
                "column": "case_code",
                "message": OLD_EN,
                "text": f"row 2, column case_code: {OLD_EN}",
            },
            OTHER,
            {"row": 4, "column": "case_code", "message": OLD_ZH, "text": f"第 4 行，case_code 列：{OLD_ZH}"},
        ],
    )
    scrub(apps, None)
    batch.refresh_from_db()
    stored = str(batch.errors)
    assert "王小明" not in stored and "李小红" not in stored
    assert batch.errors[1] == OTHER
    assert [RowError.text_of(problem) for problem in (batch.errors[0], batch.errors[2])] == [
        "row 2, column case_code: This looks like a name. Case codes only, never a child's name: use "
        "letters, digits and dashes (for example XF-C-017).",
        "row 4, column case_code: This looks like a name. Case codes only, never a child's name: use "
        "letters, digits and dashes (for example XF-C-017).",
    ]
    with translation.override("zh-hans"):
        assert "这看起来像是姓名" in RowError.text_of(batch.errors[0])


def test_other_import_records_are_left_as_they_are(agency):
    ledger = _batch(agency, "ledger", [{"row": 2, "column": "payee", "message": OLD_EN, "text": OLD_EN}])
    clean = _batch(agency, "activities", [OTHER])
    scrub(apps, None)
    ledger.refresh_from_db()
    clean.refresh_from_db()
    assert ledger.errors[0]["message"] == OLD_EN  # not an activity file: its text is its own
    assert clean.errors == [OTHER]
