"""One-time links with which an invited person sets their first password.

The link is Django's password-reset token under its own salt: it is valid for
``PASSWORD_RESET_TIMEOUT`` (72 hours) and only once, because it is signed over the password
hash, which setting the password changes. Re-inviting a person replaces their unusable
password, so earlier links stop working too.
"""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "core.invitations.InvitationTokenGenerator"


invitation_token_generator = InvitationTokenGenerator()


def invitation_path(user) -> str:
    """The path of a fresh one-time link for ``user`` (the view makes it absolute)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_token_generator.make_token(user)
    return reverse("invitation-accept", kwargs={"uidb64": uid, "token": token})
