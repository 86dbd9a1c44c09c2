"""The Chinese catalogue follows docs/glossary.md: words of two senses are told apart by context,
and the review table of section 5 is applied."""

from __future__ import annotations

import pytest
from django.utils import translation

from finance.models import ReconciliationPeriod
from finance.models.contracts import Category as BudgetCategory
from supervision.models import FocusArea, Modality


@pytest.mark.parametrize(
    ("context", "msgid", "chinese"),
    [
        ("supervision minutes", "Received", "已获"),
        (None, "Received", "已到账"),
        ("supervision minutes", "Required", "要求"),
        (None, "Required", "应修"),
        ("budget amount", "Approved", "批复金额"),
        (None, "Approved", "已批准"),
        ("reconciliation period", "Open", "未结账"),
        (None, "Open", "待处理"),
        ("supervision modality", "Group", "团体督导"),
        (None, "Group", "分组"),
        ("supervision focus", "Administration", "行政督导"),
        (None, "Administration", "行政管理"),
    ],
)
def test_a_word_of_two_senses_is_translated_by_its_context(context, msgid, chinese):
    with translation.override("zh-hans"):
        got = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    assert got == chinese
    with translation.override("en"):
        got = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    assert got == msgid


def test_supervision_and_budget_labels_use_the_social_work_words():
    with translation.override("zh-hans"):
        assert str(Modality.GROUP.label) == "团体督导"
        assert str(Modality.PEER.label) == "朋辈督导"
        assert str(Modality.LIVE_OBSERVATION.label) == "现场观察督导"
        assert str(FocusArea.ADMINISTRATION.label) == "行政督导"
        assert str(FocusArea.CASE_CONSULTATION.label) == "个案研讨"
        assert str(BudgetCategory.ADMIN.label) == "行政管理"
        assert str(ReconciliationPeriod.Status.OPEN.label) == "未结账"
    with translation.override("en"):
        assert str(Modality.GROUP.label) == "Group"
        assert str(FocusArea.ADMINISTRATION.label) == "Administration"
        assert str(ReconciliationPeriod.Status.OPEN.label) == "Open"


@pytest.mark.parametrize(
    ("msgid", "chinese"),
    [
        ("Cycle start", "周期起始日"),
        ("Roster", "员工花名册"),
        ("Workforce report", "人员队伍报表"),
        ("Irregularity flags", "资金使用异常预警"),
        ("Money in / out", "资金流入 / 流出"),
        ("Re-budgeting tolerance (percent of the total)", "预算调剂容差（占总额百分比）"),
        ("Contract code", "项目合同编号"),
        ("Every certified staff member's continuing-education status.", "每位持证员工的继续教育达标情况。"),
    ],
)
def test_reviewed_translations_are_applied(msgid, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(msgid) == chinese


def test_the_cycle_note_names_no_internal_field_and_no_file_outside_the_repository():
    from training.reports import CYCLE_NOTE

    with translation.override("zh-hans"):
        note = str(CYCLE_NOTE) % {"days": 180}
        helptext = translation.gettext(
            "Build a report (see docs/commands.md for the kinds) and write it as JSON, CSV, XLSX or "
            "PDF. JSON and CSV go to standard output unless --out is given."
        )
    assert "cycle_start" not in note and "cycle_end" not in note
    assert "docs/commands.zh-Hans.md" in helptext and "shared/spec" not in helptext
    with translation.override("en"):
        assert str(CYCLE_NOTE).startswith("The cycle runs from")
