"""Forms of the flag pages: triage, bulk actions, contract policy."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.forms import login_label
from finance.flags.presentation import chinese, policy_help, policy_unit
from finance.models import FlagStatus
from finance.policy import POLICY_KEYS, REASON_MAX, rule_codes


class TriageForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=FlagStatus.choices,
        help_text=_(
            "Explained: acceptable, with evidence. Confirmed: a real irregularity. Dismissed: a false alarm."
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Why. Required to explain or dismiss."),
    )
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        help_text=_(
            "A PDF, PNG or JPEG document. Required to explain, unless the flag has evidence already."
        ),
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Nobody"),
        help_text=_("A director or finance officer; empty to unassign."),
    )
    note = forms.CharField(label=_("Note"), required=False, help_text=_("Optional."))

    def __init__(self, *args, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        if assignees is not None:
            self.fields["assignee"].queryset = assignees
        self.fields["assignee"].label_from_instance = login_label


class BulkForm(forms.Form):
    ACTIONS = (("dismiss", _("Dismiss")), ("assign", _("Assign")))
    action = forms.ChoiceField(
        label=_("Action"), choices=ACTIONS, help_text=_("Applied to every ticked flag.")
    )
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Nobody"),
        help_text=_("For the assign action."),
    )
    note = forms.CharField(label=_("Note"), required=False, help_text=_("Required to dismiss."))
    flags = forms.CharField(widget=forms.MultipleHiddenInput, required=False)

    def __init__(self, *args, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        if assignees is not None:
            self.fields["assignee"].queryset = assignees
        self.fields["assignee"].label_from_instance = login_label


class PolicyForm(forms.Form):
    """Every policy key; blank means "use the default" (shown as help text)."""

    def __init__(self, *args, overrides: dict | None = None, **kwargs):
        overrides = overrides or {}
        super().__init__(*args, **kwargs)
        for key, spec in POLICY_KEYS.items():
            kind = spec.kind
            if kind == "rules":
                continue  # disabled_rules: the director's own form (DisabledRulesForm)
            help_text = policy_help(key, spec)
            initial = overrides.get(key)
            if kind == "keywords":
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
                initial = "\n".join(initial) if initial else ""
            elif kind == "action":
                field = forms.ChoiceField(
                    choices=[
                        ("", _("Default")),
                        ("stop", _("Stop")),
                        ("warn", _("Warn")),
                        ("ignore", _("Ignore")),
                    ],
                    required=False,
                )
            elif kind == "int":
                field = forms.IntegerField(min_value=0, required=False)
            else:
                field = forms.DecimalField(
                    min_value=Decimal(0), decimal_places=2, max_digits=14, required=False
                )
            field.label = spec.label or key
            unit = policy_unit(key, kind)
            if unit:
                field.label = f"{field.label}（{unit}）" if chinese() else f"{field.label} ({unit})"
            field.help_text = help_text
            field.initial = initial
            self.fields[key] = field

    def overrides(self) -> dict:
        """The keys the user set, in the JSON form ``finance.policy.validate_policy`` takes."""
        result = {}
        for key, spec in POLICY_KEYS.items():
            kind = spec.kind
            if kind == "rules":
                continue
            value = self.cleaned_data.get(key)
            if value in (None, ""):
                continue
            if kind == "keywords":
                words = [w.strip() for w in value.splitlines() if w.strip()]
                if words:
                    result[key] = words
            elif kind in ("decimal", "decimal_or_none"):
                result[key] = str(value)
            else:
                result[key] = value
        return result


class DisabledRulesForm(forms.Form):
    """The director's choice of rules not run for a contract: per rule, a tick and the reason.

    Each rule is labelled by its title with its code beside it; a ticked rule needs a reason.
    """

    def __init__(self, *args, disabled: dict | None = None, **kwargs):
        from finance.flags.extensions import rule_for

        disabled = disabled or {}
        super().__init__(*args, **kwargs)
        self.rows = []
        for code in rule_codes():
            rule = rule_for(code)
            title = str(rule.title) if rule else code
            tick = forms.BooleanField(
                label=_("Do not run %(title)s") % {"title": title},
                required=False,
                initial=code in disabled,
            )
            reason = forms.CharField(
                label=_("Reason %(title)s is not run") % {"title": title},
                max_length=REASON_MAX,
                required=False,
                initial=disabled.get(code, ""),
            )
            self.fields[f"disable_{code}"] = tick
            self.fields[f"reason_{code}"] = reason
            self.rows.append({"code": code, "title": title, "severity": rule.severity if rule else ""})

    def bound_rows(self) -> list[dict]:
        """Each rule with its bound tick and reason fields, for the page's table."""
        return [
            {**row, "tick": self[f"disable_{row['code']}"], "reason": self[f"reason_{row['code']}"]}
            for row in self.rows
        ]

    def clean(self):
        cleaned = super().clean()
        for row in self.rows:
            code = row["code"]
            if cleaned.get(f"disable_{code}") and not (cleaned.get(f"reason_{code}") or "").strip():
                self.add_error(
                    f"reason_{code}",
                    _("Give the reason %(code)s is not run for this contract.") % {"code": code},
                )
        return cleaned

    def disabled(self) -> dict[str, str]:
        """Rule code → reason, for ``contract_disabled_rules_update``."""
        return {
            row["code"]: self.cleaned_data[f"reason_{row['code']}"].strip()
            for row in self.rows
            if self.cleaned_data.get(f"disable_{row['code']}")
        }
