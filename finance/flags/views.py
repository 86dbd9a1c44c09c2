"""Flag pages: the queue, a flag with its expenditures and history, triage, a contract's summary,
and the contract policy form. Views read through ``finance.flags.selectors`` (unseen flags are 404)
and write through ``finance.flags.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import apply_validation_error, login_label
from core.http import file_response
from core.models import agency_of
from core.paging import paginate_keyset
from core.redirects import redirect_back
from core.roles import Role, has_role
from finance.flags import selectors, services
from finance.flags.extensions import EXTENSIONS, detail_sections, rule_for
from finance.flags.filters import FlagFilter
from finance.flags.forms import AssignForm, BulkForm, DisabledRulesForm, PolicyForm, TriageForm
from finance.flags.presentation import (
    disabled_rule_rows,
    evidence_rows,
    policy_rows,
    rule_catalogue,
    rule_entry,
)
from finance.models import Contract, Flag, FlagEvidence, FlagSeverity
from finance.rules import all_rules

#: Every order ends with the primary key and runs over columns of the flag itself (none nullable),
#: so the queue pages by keyset: no COUNT(*) of tens of thousands of flags, any depth for one page.
SORTS = {
    "severity": ["severity", "rule", "sort_key", "id"],
    "-first_seen": ["-first_seen", "-id"],
    "date": ["sort_key", "id"],
    "status": ["status", "severity", "id"],
}


def _require_view(request) -> None:
    if not request.user.has_perm("finance.view_flag"):
        raise Http404


def _can_triage(user) -> bool:
    return has_role(user, Role.DIRECTOR, Role.FINANCE) and user.has_perm("finance.change_flag")


def _assignees(user):
    agency = agency_of(user)
    return (
        get_user_model()
        .objects.filter(
            membership__agency=agency, groups__name__in=[Role.DIRECTOR, Role.FINANCE], is_active=True
        )
        .distinct()
        .order_by("username")
    )


def every_rule() -> list:
    """The finance rules in the order of docs/rules.md, then each extension's (delivery) rules."""
    extra = [rule for extension in EXTENSIONS.values() for rule in extension.rules.values()]
    return [*all_rules(), *extra]


def _with_disabled_for(rules: list[dict], user) -> list[dict]:
    """Each rule entry with the codes of the contracts ``user`` sees that do not run it (one query)."""
    disabled_for: dict[str, list[str]] = {}
    contracts = (
        Contract.objects.for_user(user, "view").filter(policy__has_key="disabled_rules").order_by("code")
    )
    for code, policy in contracts.values_list("code", "policy"):
        for rule in policy.get("disabled_rules") or {}:
            disabled_for.setdefault(rule, []).append(code)
    return [{**rule, "disabled_for": disabled_for.get(rule["code"], [])} for rule in rules]


@login_required
def flag_list(request):
    _require_view(request)
    flag_filter = FlagFilter(request.GET or None, queryset=selectors.flags_for(request.user), request=request)
    sort = request.GET.get("sort", "severity")
    qs = flag_filter.qs.order_by(*SORTS.get(sort, SORTS["severity"]))
    page = paginate_keyset(request, qs)
    for flag in page.object_list:
        flag.redact_for(request.user)
        rule = rule_for(flag.rule)
        flag.rule_title = rule.title if rule else flag.rule
    can_triage = _can_triage(request.user)
    return render(
        request,
        "finance/flags/list.html",
        {
            "filter": flag_filter,
            "page": page,
            "sort": sort,
            "can_triage": can_triage,
            "bulk_form": BulkForm(assignees=_assignees(request.user)) if can_triage else None,
            "rules": _with_disabled_for(rule_catalogue(every_rule()), request.user),
        },
    )


@login_required
@require_POST
def flag_bulk(request):
    _require_view(request)
    if not _can_triage(request.user):
        raise Http404
    form = BulkForm(request.POST, assignees=_assignees(request.user))
    ids = [int(i) for i in request.POST.getlist("flags") if i.isdigit()]
    flags = list(Flag.objects.for_user(request.user, "change").filter(pk__in=ids))
    if not form.is_valid() or not flags:
        messages.error(request, _("Tick at least one flag and choose an action."))
        return redirect("finance-flag-list")
    try:
        count = services.flags_bulk(
            flags=flags,
            user=request.user,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
            assignee=form.cleaned_data.get("assignee"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(count)s flags updated.") % {"count": count})
    return redirect_back(request, "finance-flag-list")


@login_required
def flag_detail(request, pk: int, triage_form=None, assign_form=None):
    _require_view(request)
    flag = selectors.flag_detail(request.user, pk).redact_for(request.user)
    can_triage = _can_triage(request.user)
    rule = rule_for(flag.rule)
    owner = Contract.objects.for_user(request.user, "view").filter(pk=flag.contract_id).first()
    disabled_reason = (owner.policy.get("disabled_rules") or {}).get(flag.rule) if owner else None
    return render(
        request,
        "finance/flags/detail.html",
        {
            "flag": flag,
            "rule": rule_entry(rule) if rule else None,
            "evidence": evidence_rows(flag.evidence, flag.rule),
            "expenditures": selectors.flag_expenditures(request.user, flag),
            "extension_sections": detail_sections(flag, request.user),
            "can_triage": can_triage,
            "triage_form": triage_form
            or (TriageForm(initial={"status": flag.status}) if can_triage else None),
            "assign_form": assign_form
            or (
                AssignForm(assignees=_assignees(request.user), initial={"assignee": flag.assignee_id})
                if can_triage
                else None
            ),
            "is_director": has_role(request.user, Role.DIRECTOR),
            "disabled_reason": disabled_reason,
        },
    )


@login_required
@require_POST
def flag_triage(request, pk: int):
    _require_view(request)
    flag = selectors.flag_detail(request.user, pk)
    if not _can_triage(request.user):
        raise Http404
    form = TriageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.flag_set_status(
                flag=flag,
                user=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                evidence=form.cleaned_data.get("evidence"),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Flag updated."))
            return redirect("finance-flag-detail", pk=flag.pk)
    return flag_detail(request, pk, triage_form=form)


@login_required
@require_POST
def flag_assign(request, pk: int):
    _require_view(request)
    flag = selectors.flag_detail(request.user, pk)
    if not _can_triage(request.user):
        raise Http404
    form = AssignForm(request.POST, assignees=_assignees(request.user))
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            flag = services.flag_assign(
                flag=flag, user=request.user, assignee=assignee, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if not flag.assignment_changed:
                messages.info(
                    request,
                    _("Nothing changed: the flag is assigned to nobody.")
                    if assignee is None
                    else _("Nothing changed: the flag is already assigned to %(name)s.")
                    % {"name": login_label(assignee)},
                )
            elif assignee is None:
                messages.success(request, _("The flag is assigned to nobody now."))
            else:
                messages.success(request, _("Flag assigned to %(name)s.") % {"name": login_label(assignee)})
            return redirect("finance-flag-detail", pk=flag.pk)
    return flag_detail(request, pk, assign_form=form)


@login_required
def evidence_download(request, pk: int):
    _require_view(request)
    attachment = get_object_or_404(FlagEvidence.objects.for_user(request.user, "view"), pk=pk)
    return file_response(attachment.file.open("rb"), f"evidence-{attachment.pk}", attachment.content_type)


def _contract(request, pk: int) -> Contract:
    contract = Contract.objects.for_user(request.user, "view").filter(pk=pk).first()
    if contract is None:
        raise Http404
    return contract


@login_required
def contract_summary(request, pk: int):
    _require_view(request)
    contract = _contract(request, pk)
    summary = selectors.contract_flag_summary(request.user, contract)
    for row in summary["rows"]:
        rule = rule_for(row["rule"])
        row["title"] = rule.title if rule else row["rule"]
        labels = dict(FlagSeverity.choices)
        row["severity_label"] = labels.get(row["severity"], row["severity"])
    return render(request, "finance/flags/contract.html", {"contract": contract, "summary": summary})


@login_required
def contract_policy(request, pk: int):
    """The contract's policy with the defaults shown; saving it re-scans the contract.

    Finance officers set the values; a director sets the rules not run for the contract, each
    with a reason (the second form, ``form=disabled_rules``).
    """
    _require_view(request)
    contract = _contract(request, pk)
    can_edit = Contract.objects.for_user(request.user, "change").filter(pk=pk).exists() and _can_triage(
        request.user
    )
    can_disable = has_role(request.user, Role.DIRECTOR)
    disabled = contract.effective_policy()["disabled_rules"]
    form = PolicyForm(overrides=contract.policy) if can_edit else None
    rules_form = DisabledRulesForm(disabled=disabled) if can_disable else None
    if request.method == "POST" and request.POST.get("form") == "disabled_rules":
        if not can_disable:
            raise Http404
        rules_form = DisabledRulesForm(request.POST, disabled=disabled)
        if rules_form.is_valid():
            try:
                services.contract_disabled_rules_update(
                    contract=contract, user=request.user, disabled=rules_form.disabled()
                )
            except ValidationError as exc:
                apply_validation_error(rules_form, exc)
            else:
                messages.success(request, _("Disabled rules saved; the contract was scanned again."))
                return redirect("finance-contract-policy", pk=contract.pk)
    elif request.method == "POST":
        if not can_edit:
            raise Http404
        form = PolicyForm(request.POST, overrides=contract.policy)
        if form.is_valid():
            try:
                services.contract_policy_update(
                    contract=contract, user=request.user, overrides=form.overrides()
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Policy saved; the contract was scanned again."))
                return redirect("finance-contract-policy", pk=contract.pk)
    return render(
        request,
        "finance/flags/policy.html",
        {
            "contract": contract,
            "form": form,
            "can_edit": can_edit,
            "rules_form": rules_form,
            "disabled_rows": disabled_rule_rows(contract.effective_policy()),
            "rows": policy_rows(contract.effective_policy(), contract.policy),
        },
    )
