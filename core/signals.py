"""Receivers of the core app: a changed password revokes the person's API tokens.

Every way a password changes (the account page, a reset link, an invitation, the admin,
``changepassword``) goes through ``User.set_password`` and ``save``; the model keeps the new
raw password in ``_password`` until just after ``post_save``, which is how the change is seen
here. Sessions other than the one that made the change end by themselves (Django signs them
with the password hash).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender=get_user_model(), dispatch_uid="core.password_change_revokes_tokens")
def revoke_tokens_on_password_change(sender, instance, created, **kwargs) -> None:
    if created or getattr(instance, "_password", None) is None:
        return
    from core.services import api_tokens_revoke_all

    api_tokens_revoke_all(user=instance)
