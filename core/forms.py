"""Forms of the core app, and the one way a service's ``ValidationError`` reaches a form."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.members import member_links
from core.models import Membership
from core.roles import Role


def login_label(user) -> str:
    """A login in a picker: the person's name, with the login name that tells two namesakes apart."""
    name = user.get_full_name().strip()
    return f"{name} ({user.username})" if name else user.username


def field_errors_text(form: forms.BaseForm) -> str:
    """The errors of a bound, invalid ``form`` as one line, each named by its field's label
    (``As of: Give a date from ...``): for a page that shows them as a message, not inline."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        for error in errors:
            if field is None:
                parts.append(str(error))
            else:
                parts.append(_("%(field)s: %(message)s") % {"field": field.label or name, "message": error})
    return " ".join(parts)


def apply_validation_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form``: each message under its field when the
    form has that field, otherwise (and for errors without fields) at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class MemberRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A person may hold several roles, e.g. director and supervisor."),
    )


class MemberInviteForm(MemberRolesForm):
    """A new person: name, roles, and optional links (such as their staff record); no password."""

    username = forms.CharField(
        label=_("Username"), max_length=150, help_text=_("What the person types to sign in.")
    )
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Optional: the invitation link is also sent here when e-mail is set up."),
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.link_keys = []
        for link in member_links():
            choices = list(link.choices(agency))
            if not choices:
                continue
            self.fields[link.key] = forms.ChoiceField(
                label=link.label, help_text=link.help, required=False, choices=[("", "—"), *choices]
            )
            self.link_keys.append(link.key)
        self.order_fields(["username", "last_name", "first_name", "email", "roles", *self.link_keys])

    def clean_username(self):
        return self.cleaned_data["username"].strip()

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        links = {key: data.pop(key) for key in self.link_keys}
        return {**data, "links": links}


class LanguageForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["language"]
        widgets = {"language": forms.Select}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = {"en": "English", "zh-hans": "简体中文"}
        self.fields["language"].choices = [
            ("", _("As my browser asks")),
            *[(code, names.get(code, str(name))) for code, name in settings.LANGUAGES],
        ]


class PersonPasswordResetForm(PasswordResetForm):
    """Django's reset form, writing each e-mail in the language its recipient chose."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        user = context.get("user")
        language = (
            Membership.objects.filter(user=user).values_list("language", flat=True).first() if user else ""
        )
        with translation.override(language or translation.get_language()):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


#: A choice among more people than this is typed by number instead of picked from a list: a
#: provincial network's 5,000 names made a 226 KB select on every page that offered one.
PEOPLE_SELECT_MAX = 300


def typed_when_many(field: forms.ModelChoiceField, *, to_field: str) -> bool:
    """Turn ``field`` (a choice of people) into a text box taking ``to_field`` (a staff number,
    say) when its queryset holds more than ``PEOPLE_SELECT_MAX`` rows; the choice stays limited
    to the same queryset, so a number outside it is refused. One query (a bounded count).
    Returns True when the field was turned."""
    limit = PEOPLE_SELECT_MAX
    if field.queryset[: limit + 1].count() <= limit:
        return False
    field.to_field_name = to_field
    field.widget = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    field.error_messages = {
        **field.error_messages,
        "invalid_choice": _("No one you may choose here has the number %(value)s."),
    }
    return True
