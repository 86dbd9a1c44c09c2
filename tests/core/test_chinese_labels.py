"""Words on Chinese pages that once said something else: an open list filter reads 全部 (not
``---------`` or 未知, "unknown"), a working login is 正常使用 (not a contract's 执行中)."""

from __future__ import annotations

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _options(page, field):
    field = page.context["filter"].form.fields[field]
    return [str(label) for _value, label in getattr(field, "choices", None) or field.widget.choices]


def test_an_open_yes_no_filter_reads_all(staff_user, staff_member, login_client):
    with translation.override("zh-hans"):
        page = login_client(staff_user).get("/training/my/", **ZH)
        assert _options(page, "ce_eligible") == ["全部", "是", "否"]
        assert 'value="true"' in page.content.decode()


def test_an_open_choice_filter_reads_all(director, login_client):
    with translation.override("zh-hans"):
        page = login_client(director).get("/staff/", **ZH)
        assert _options(page, "employment_type")[0] == "全部"
        assert "---------" not in page.content.decode()


def test_a_working_login_is_in_use_not_in_execution(director, finance, login_client):
    with translation.override("zh-hans"):
        html = login_client(director).get("/members/", **ZH).content.decode()
    assert "正常使用" in html and "账号状态" in html
    assert "执行中" not in html
