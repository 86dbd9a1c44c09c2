"""Forms of the flag pages: triage, bulk actions, contract policy."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from finance.flags.presentation import chinese, policy_help, policy_unit
from finance.models import FlagStatus
from finance.policy import POLICY_KEYS


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
        label=_("Evidence"), required=False, help_text=_("Optional: a PDF, PNG or JPEG document.")
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("A director or finance officer; empty to unassign."),
    )
    note = forms.CharField(label=_("Note"), required=False, help_text=_("Optional."))

    def __init__(self, *args, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        if assignees is not None:
            self.fields["assignee"].queryset = assignees


class BulkForm(forms.Form):
    ACTIONS = (("dismiss", _("Dismiss")), ("assign", _("Assign")))
    action = forms.ChoiceField(
        label=_("Action"), choices=ACTIONS, help_text=_("Applied to every ticked flag.")
    )
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("For the assign action."),
    )
    note = forms.CharField(label=_("Note"), required=False, help_text=_("Required to dismiss."))
    flags = forms.CharField(widget=forms.MultipleHiddenInput, required=False)

    def __init__(self, *args, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        if assignees is not None:
            self.fields["assignee"].queryset = assignees


class PolicyForm(forms.Form):
    """Every policy key; blank means "use the default" (shown as help text)."""

    def __init__(self, *args, overrides: dict | None = None, **kwargs):
        overrides = overrides or {}
        super().__init__(*args, **kwargs)
        for key, spec in POLICY_KEYS.items():
            kind = spec.kind
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
