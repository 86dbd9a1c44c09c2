"""The contract policy key ``disabled_rules``: validation, the scan, the director's form, history, pack."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from core.reports import get, render
from finance.flags.services import (
    contract_disabled_rules_update,
    contract_policy_update,
    flag_set_status,
    flags_scan_contract,
)
from finance.models import Contract, Flag
from finance.policy import effective_policy, validate_policy
from finance.services import contract_save
from tests.finance.factories import ExpenditureFactory, evidence_pdf

REASON = "周末入户探访是本项目的服务内容"


def weekend(contract, voucher, day):
    """A 100.00 bank payment with an invoice dated ``day`` (a Saturday): WEEKEND_HOLIDAY only."""
    return ExpenditureFactory(
        budget_line=contract.budget_lines.get(code="A1"),
        voucher_no=voucher,
        date=day,
        invoice_no=f"INV-{voucher}",
        payment_method="bank",
    )


@pytest.fixture
def saturdays(contract):
    # 8 and 15 March 2025 are Saturdays and not official make-up working days.
    return [weekend(contract, "V-S1", dt.date(2025, 3, 8)), weekend(contract, "V-S2", dt.date(2025, 3, 15))]


def active(rule: str) -> int:
    return Flag.objects.filter(rule=rule, active=True).count()


# --- the value and its validation --------------------------------------------------------------


def test_disabled_rules_are_an_object_of_rule_codes_and_reasons_in_rule_order():
    clean = validate_policy(
        {"disabled_rules": {"THIN_CASES": " 个案以小组形式开展 ", "WEEKEND_HOLIDAY": REASON}}
    )
    assert clean == {"disabled_rules": {"WEEKEND_HOLIDAY": REASON, "THIN_CASES": "个案以小组形式开展"}}
    assert effective_policy({})["disabled_rules"] == {}
    assert validate_policy({"disabled_rules": {}}) == {}  # nothing disabled: no override kept


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["WEEKEND_HOLIDAY"], "disabled_rules must be an object of rule codes and reasons"),
        ("WEEKEND_HOLIDAY", "disabled_rules must be an object of rule codes and reasons"),
        ({"WEEKEND_HOLDAY": REASON}, "disabled_rules: unknown rule code WEEKEND_HOLDAY"),
        ({"WEEKEND_HOLIDAY": "  "}, "disabled_rules: WEEKEND_HOLIDAY needs the reason it is not run"),
        ({"WEEKEND_HOLIDAY": None}, "disabled_rules: WEEKEND_HOLIDAY needs the reason it is not run"),
        (
            {"THIN_CASES": "x" * 501},
            "disabled_rules: the reason for THIN_CASES is longer than 500 characters",
        ),
    ],
)
def test_a_wrong_disabled_rules_value_is_refused_naming_the_key_and_code(value, message):
    with pytest.raises(ValidationError) as excinfo:
        validate_policy({"disabled_rules": value})
    assert len(excinfo.value.messages) == 1
    assert excinfo.value.messages[0].startswith(message)


def test_a_contract_file_with_an_unknown_rule_code_is_refused_and_changes_nothing(agency):
    from finance.services import contract_load

    document = {
        "code": "JX-XF-2025-09", "title": "t", "funder": "县民政局", "start": "2025-01-01",
        "end": "2025-12-31", "total": "100.00", "currency": "CNY",
        "policy": {"disabled_rules": {"NO_SUCH_RULE": "x"}},
        "budget_lines": [{"code": "A1", "name": "服务活动", "category": "activities", "amount": "100.00"}],
    }  # fmt: skip
    with pytest.raises(ValidationError) as excinfo:
        contract_load(agency=agency, data=json.dumps(document), filename="c.json")
    assert "policy: disabled_rules: unknown rule code NO_SUCH_RULE" in excinfo.value.messages
    assert not Contract.objects.filter(code="JX-XF-2025-09").exists()
    document["policy"] = {"disabled_rules": {"WEEKEND_HOLIDAY": REASON}}
    loaded = contract_load(agency=agency, data=json.dumps(document), filename="c.json").contract
    assert loaded.policy == {"disabled_rules": {"WEEKEND_HOLIDAY": REASON}}


# --- the scan --------------------------------------------------------------------------------


def test_the_scan_does_not_run_a_disabled_finance_rule_and_reenabling_restores_the_same_flags(
    contract, saturdays, director, finance, django_capture_on_commit_callbacks
):
    flags_scan_contract(contract=contract)
    assert active("WEEKEND_HOLIDAY") == 2
    others = Flag.objects.exclude(rule="WEEKEND_HOLIDAY").count()
    explained = Flag.objects.get(rule="WEEKEND_HOLIDAY", vouchers=["V-S1"])
    flag_set_status(
        flag=explained, user=finance, status="explained", note="周六入户探访", evidence=evidence_pdf()
    )
    ids = set(Flag.objects.filter(rule="WEEKEND_HOLIDAY").values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        contract_disabled_rules_update(contract=contract, user=director, disabled={"WEEKEND_HOLIDAY": REASON})
    assert active("WEEKEND_HOLIDAY") == 0
    # Kept, out of the queue, each with its status: a flag that no longer fires.
    assert Flag.objects.filter(rule="WEEKEND_HOLIDAY", active=False).count() == 2
    explained.refresh_from_db()
    assert explained.status == "explained"
    assert Flag.objects.exclude(rule="WEEKEND_HOLIDAY").count() == others
    contract.refresh_from_db()
    again = flags_scan_contract(contract=contract)
    assert (again.created, again.resolved) == (0, 0)
    assert {f.rule for f in again.flags} == {f.rule for f in Flag.objects.filter(active=True)}
    assert "WEEKEND_HOLIDAY" not in {f.rule for f in again.flags}

    with django_capture_on_commit_callbacks(execute=True):
        contract_disabled_rules_update(contract=contract, user=director, disabled={})
    assert active("WEEKEND_HOLIDAY") == 2
    assert set(Flag.objects.filter(rule="WEEKEND_HOLIDAY").values_list("pk", flat=True)) == ids
    explained.refresh_from_db()
    assert explained.status == "explained"
    assert Flag.objects.get(rule="WEEKEND_HOLIDAY", vouchers=["V-S2"]).status == "open"


def test_scan_flags_output_leaves_out_the_disabled_rule_only(contract, saturdays, director):
    from django.core.management import call_command

    def scanned() -> list[str]:
        out = io.StringIO()
        call_command("scan_flags", contract=contract.code, format="json", stdout=out)
        return sorted(item["rule"] for item in json.loads(out.getvalue())["flags"])

    before = scanned()
    assert before.count("WEEKEND_HOLIDAY") == 2
    contract_disabled_rules_update(contract=contract, user=director, disabled={"WEEKEND_HOLIDAY": REASON})
    assert scanned() == [rule for rule in before if rule != "WEEKEND_HOLIDAY"]


# --- who may change them ---------------------------------------------------------------------


def test_only_a_director_disables_rules(contract, finance, outsider):
    for user in (finance, outsider):
        with pytest.raises(PermissionDenied):
            contract_disabled_rules_update(contract=contract, user=user, disabled={"WEEKEND_HOLIDAY": REASON})
    contract.refresh_from_db()
    assert contract.policy == {}


def test_a_finance_officers_policy_keeps_the_directors_disabled_rules_and_may_not_change_them(
    contract, director, finance, agency
):
    contract_disabled_rules_update(contract=contract, user=director, disabled={"WEEKEND_HOLIDAY": REASON})
    contract_policy_update(contract=contract, user=finance, overrides={"cash_limit": "800.00"})
    contract.refresh_from_db()
    assert contract.policy == {"cash_limit": "800.00", "disabled_rules": {"WEEKEND_HOLIDAY": REASON}}
    # Through the API / a contract file: leaving the key out keeps it, changing it is refused.
    contract_save(agency=agency, contract=contract, policy={"cash_limit": "700.00"}, user=finance)
    contract.refresh_from_db()
    assert contract.policy == {"cash_limit": "700.00", "disabled_rules": {"WEEKEND_HOLIDAY": REASON}}
    with pytest.raises(ValidationError) as excinfo:
        contract_save(agency=agency, contract=contract, policy={"disabled_rules": {}}, user=finance)
    assert excinfo.value.message_dict == {
        "policy": ["disabled_rules: only a director may disable or re-enable rules for a contract"]
    }
    contract.refresh_from_db()
    assert contract.policy["disabled_rules"] == {"WEEKEND_HOLIDAY": REASON}


def test_the_api_patch_of_a_finance_officer_cannot_disable_a_rule(contract, finance, login_api):
    response = login_api(finance).patch(
        f"/api/v1/finance/contracts/{contract.pk}/",
        {"policy": {"disabled_rules": {"WEEKEND_HOLIDAY": REASON}}},
        format="json",
    )
    assert response.status_code == 400
    assert "disabled_rules: only a director may disable or re-enable rules" in json.dumps(
        response.json(), ensure_ascii=False
    )
    contract.refresh_from_db()
    assert contract.policy == {}


# --- history -----------------------------------------------------------------------------------


def test_every_change_is_in_the_contracts_history_with_its_reason_and_labels(
    contract, director, login_client
):
    contract_disabled_rules_update(contract=contract, user=director, disabled={"WEEKEND_HOLIDAY": REASON})
    contract_disabled_rules_update(contract=contract, user=director, disabled={"WEEKEND_HOLIDAY": REASON})
    contract_disabled_rules_update(contract=contract, user=director, disabled={})
    records = list(contract.history.order_by("history_date", "history_id"))
    assert [r.history_change_reason for r in records[-2:]] == [
        f'disabled_rules:[["disabled","WEEKEND_HOLIDAY","{REASON}"]]',
        'disabled_rules:[["enabled","WEEKEND_HOLIDAY"]]',
    ]
    assert len(records) == 3  # created, disabled, re-enabled: an unchanged set writes nothing
    assert records[1].history_user == director
    assert records[1].policy == {"disabled_rules": {"WEEKEND_HOLIDAY": REASON}}
    page = (
        login_client(director)
        .get(f"/history/finance/contract/{contract.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    assert f"停用的规则：周末或法定节假日（WEEKEND_HOLIDAY）（{REASON}）" in page
    assert "{&#x27;WEEKEND_HOLIDAY" not in page and "{'WEEKEND_HOLIDAY" not in page
    # The reason names each rule by its title, the code beside it.
    assert f'<td data-label="原因">停用 周末或法定节假日（WEEKEND_HOLIDAY）：{REASON}</td>' in page
    assert '<td data-label="原因">重新启用 周末或法定节假日（WEEKEND_HOLIDAY）</td>' in page


def history_reasons(client, contract, language: str) -> list[str]:
    """The history page's reason cells, newest first, read in ``language``."""
    import re
    from html import unescape

    page = client.get(f"/history/finance/contract/{contract.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    return [
        unescape(cell)
        for cell in re.findall(r'<td data-label="[^"]+">([^<]*)</td>\s*</tr>', page.content.decode())
    ]


@pytest.mark.parametrize(
    ("writer", "reader", "shown"),
    [
        (
            "en",
            "zh-hans",
            [
                "重新启用 周末或法定节假日（WEEKEND_HOLIDAY）；停用 只计数未开展个案工作（THIN_CASES）：本项目不设个案指标",
                f"停用 周末或法定节假日（WEEKEND_HOLIDAY）：{REASON}",
                "",
            ],
        ),
        (
            "zh-hans",
            "en",
            [
                "Re-enabled Weekend or public holiday (WEEKEND_HOLIDAY); Disabled Cases counted without casework (THIN_CASES): 本项目不设个案指标",
                f"Disabled Weekend or public holiday (WEEKEND_HOLIDAY): {REASON}",
                "",
            ],
        ),
    ],
)
def test_the_change_reason_is_stored_in_no_language_and_read_in_the_readers(
    contract, director, login_client, writer, reader, shown
):
    client = login_client(director)
    url = reverse("finance-contract-policy", args=[contract.pk])
    for disabled in ({"WEEKEND_HOLIDAY": REASON}, {"THIN_CASES": "本项目不设个案指标"}):
        form = {"form": "disabled_rules"}
        for code, reason in disabled.items():
            form |= {f"disable_{code}": "on", f"reason_{code}": reason}
        assert client.post(url, form, HTTP_ACCEPT_LANGUAGE=writer).status_code == 302
    stored = list(
        contract.history.order_by("-history_date", "-history_id").values_list(
            "history_change_reason", flat=True
        )
    )
    # The same whatever the writer's language.
    assert stored == [
        'disabled_rules:[["enabled","WEEKEND_HOLIDAY"],["disabled","THIN_CASES","本项目不设个案指标"]]',
        f'disabled_rules:[["disabled","WEEKEND_HOLIDAY","{REASON}"]]',
        None,
    ]
    assert history_reasons(client, contract, reader) == shown


def test_a_reason_stored_before_the_coded_form_is_shown_as_it_was_written(contract, director, login_client):
    from finance.policy import disabled_rules_reason_text

    contract_disabled_rules_update(contract=contract, user=director, disabled={"WEEKEND_HOLIDAY": REASON})
    contract_disabled_rules_update(contract=contract, user=director, disabled={})
    first, second = contract.history.order_by("-history_date", "-history_id")[:2]
    first.history_change_reason = "Re-enabled WEEKEND_HOLIDAY"  # written in English before
    first.save()
    second.history_change_reason = f"停用 WEEKEND_HOLIDAY：{REASON}"  # written in Chinese before
    second.save()
    client = login_client(director)
    for language in ("en", "zh-hans"):
        assert history_reasons(client, contract, language) == [
            "Re-enabled WEEKEND_HOLIDAY",
            f"停用 WEEKEND_HOLIDAY：{REASON}",
            "",
        ]
    # Other texts, or a broken coded one, are not the coded form: shown as stored.
    for text in (
        "disabled_rules:[[",
        'disabled_rules:{"a":1}',
        'disabled_rules:[["paused","X"]]',
        "Budget changed",
    ):
        assert disabled_rules_reason_text(text) is None


# --- the policy page -------------------------------------------------------------------------


def test_the_director_disables_a_rule_on_the_policy_page_with_a_required_reason(
    contract, saturdays, director, login_client, django_capture_on_commit_callbacks
):
    flags_scan_contract(contract=contract)
    client = login_client(director)
    url = reverse("finance-contract-policy", args=[contract.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        '<label for="id_disable_WEEKEND_HOLIDAY" title="WEEKEND_HOLIDAY">Weekend or public holiday</label>'
        in page
    )
    assert 'name="reason_THIN_CASES"' in page  # the delivery rules too
    refused = client.post(url, {"form": "disabled_rules", "disable_WEEKEND_HOLIDAY": "on", "reason_WEEKEND_HOLIDAY": " "},
                          HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert refused.status_code == 200
    assert "Give the reason WEEKEND_HOLIDAY is not run for this contract." in refused.content.decode()
    contract.refresh_from_db()
    assert contract.policy == {}
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(
            url, {"form": "disabled_rules", "disable_WEEKEND_HOLIDAY": "on", "reason_WEEKEND_HOLIDAY": REASON}
        )
    assert saved.status_code == 302
    contract.refresh_from_db()
    assert contract.policy == {"disabled_rules": {"WEEKEND_HOLIDAY": REASON}}
    assert active("WEEKEND_HOLIDAY") == 0
    again = client.get(url).content.decode()
    assert 'id="id_disable_WEEKEND_HOLIDAY" checked' in again
    assert REASON in again


@pytest.mark.parametrize(
    ("persona", "get_status", "post_status"),
    [
        ("director", 200, 302),
        ("finance", 200, 404),
        ("auditor", 200, 404),
        ("supervisor", 404, 404),
        ("staff_user", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_the_disabled_rules_form_answers_each_persona(
    request, contract, granted, login_client, persona, get_status, post_status
):
    client = login_client(request.getfixturevalue(persona))
    url = reverse("finance-contract-policy", args=[contract.pk])
    assert client.get(url).status_code == get_status
    response = client.post(
        url, {"form": "disabled_rules", "disable_WEEKEND_HOLIDAY": "on", "reason_WEEKEND_HOLIDAY": REASON}
    )
    assert response.status_code == post_status
    contract.refresh_from_db()
    assert contract.policy == ({"disabled_rules": {"WEEKEND_HOLIDAY": REASON}} if post_status == 302 else {})


def test_others_read_the_disabled_rules_with_their_reasons(
    contract, granted, director, finance, auditor, login_client
):
    url = reverse("finance-contract-policy", args=[contract.pk])
    assert "Every rule runs for this contract." in login_client(auditor).get(url).content.decode()
    contract_disabled_rules_update(contract=contract, user=director, disabled={"WEEKEND_HOLIDAY": REASON})
    for user in (finance, auditor):
        page = login_client(user).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert f'<td title="WEEKEND_HOLIDAY">周末或法定节假日</td><td>{REASON}' in page
        assert "disable_WEEKEND_HOLIDAY" not in page


# --- the pack --------------------------------------------------------------------------------


def test_the_pack_lists_the_rules_not_checked_in_json_xlsx_and_pdf(contract, director, agency):
    from pypdf import PdfReader

    contract_disabled_rules_update(
        contract=contract,
        user=director,
        disabled={"WEEKEND_HOLIDAY": REASON, "THIN_CASES": "本项目不设个案指标"},
    )
    report = get("contract").build(agency=agency, contract=contract.code)
    body = json.loads(render(report, "json")[0])
    assert body["rules_not_checked"] == [
        {"rule": "WEEKEND_HOLIDAY", "title": "Weekend or public holiday", "reason": REASON},
        {"rule": "THIN_CASES", "title": "Cases counted without casework", "reason": "本项目不设个案指标"},
    ]
    workbook = load_workbook(io.BytesIO(render(report, "xlsx")[0]))
    values = [c.value for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
    assert "Weekend or public holiday" in values
    assert "WEEKEND_HOLIDAY" not in values  # codes only in the JSON
    assert REASON in values
    pdf = PdfReader(io.BytesIO(render(report, "pdf")[0]))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Rules not checked" in text and "Weekend or public holiday" in text
    assert "WEEKEND_HOLIDAY" not in text


def test_a_pack_without_disabled_rules_says_every_rule_was_run(contract, agency):
    report = get("contract").build(agency=agency, contract=contract.code)
    assert json.loads(render(report, "json")[0])["rules_not_checked"] == []
    section = next(s for s in report.sections if s.title == "Rules not checked")
    assert [str(t) for t in section.text] == ["Every irregularity rule was run for this contract."]
    assert section.tables == []


def test_the_flags_page_names_the_contracts_that_do_not_run_a_rule_and_the_flag_says_why(
    contract, saturdays, director, finance, login_client
):
    flags_scan_contract(contract=contract)
    flag = Flag.objects.filter(rule="WEEKEND_HOLIDAY").first()
    contract_disabled_rules_update(contract=contract, user=director, disabled={"WEEKEND_HOLIDAY": REASON})
    contract.refresh_from_db()
    flags_scan_contract(contract=contract)
    client = login_client(finance)
    queue = client.get(reverse("finance-flag-list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert queue.count("已对 JX-XF-2025-01 停用") == 1
    detail = client.get(reverse("finance-flag-detail", args=[flag.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert f"不再触发 · 本项目合同已停用该规则：{REASON}" in detail.content.decode()
