"""A person's own sign-in: the account page (password, language, API tokens), password reset
by e-mail, accepting an invitation, and the login page of a fresh installation.

Password change and reset are Django's own views with our templates (templates/registration/);
a changed password revokes the person's API tokens (``core.signals``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from core import forms, selectors, services
from core.invitations import invitation_token_generator
from core.models import Agency, membership_of


class LoginView(auth_views.LoginView):
    """Django's login; on an installation without any agency it names the command to run first."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["no_agency_yet"] = not Agency.objects.exists()
        return context


@login_required
def account(request):
    membership = membership_of(request.user)
    return render(
        request,
        "core/account.html",
        {
            "language_form": forms.LanguageForm(instance=membership) if membership else None,
            "tokens": selectors.api_tokens_of(request.user),
        },
    )


@login_required
@require_POST
def account_language(request):
    membership = membership_of(request.user)
    form = forms.LanguageForm(request.POST, instance=membership)
    if membership is None or not form.is_valid():
        messages.error(request, _("Choose one of the languages offered."))
        return redirect("account")
    language = form.cleaned_data["language"]
    services.member_set_language(user=request.user, language=language)
    if language:
        translation.activate(language)
    messages.success(request, _("Your language is saved."))
    response = redirect("account")
    if language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


@require_POST
def language_switch(request):
    """The header's language menu: Django's ``set_language``, and for a signed-in person it
    also becomes their stored language (else their stored one would win on the next page)."""
    response = set_language(request)
    language = request.POST.get("language", "")
    signed_in = request.user.is_authenticated and membership_of(request.user) is not None
    if signed_in and language in dict(settings.LANGUAGES):
        services.member_set_language(user=request.user, language=language)
    return response


@login_required
@require_POST
def account_token_revoke(request, token_id: str):
    if services.api_token_revoke(user=request.user, token_id=token_id):
        messages.success(request, _("The token is revoked; programs using it must sign in again."))
    else:
        messages.error(request, _("There is no such token."))
    return redirect("account")


@login_required
@require_POST
def account_tokens_revoke_all(request):
    count = services.api_tokens_revoke_all(user=request.user)
    messages.success(
        request,
        ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", count) % {"count": count},
    )
    return redirect("account")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed; your API tokens were revoked."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PersonPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The invited person sets their first password from the one-time link, then signs in."""

    token_generator = invitation_token_generator
    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("login")
    reset_url_token = "set-password"  # noqa: S105  (a URL placeholder, not a secret)
    title = gettext_lazy("Set your password")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password is set. Sign in as %(name)s.") % {"name": form.user.get_username()},
        )
        return response


account_password_change = login_required(PasswordChangeView.as_view())
password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()
invitation_accept = InvitationAcceptView.as_view()
login = LoginView.as_view()
