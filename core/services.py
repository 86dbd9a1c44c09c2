"""Writes of the core app: agencies, members, their roles, sign-in and API tokens."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from core.models import Agency, Membership
from core.roles import Role
from core.selectors import TOKEN_ID_LENGTH

User = get_user_model()


def _clean_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        raise ValidationError(
            {
                "roles": _("Unknown role %(roles)s; choose from %(choices)s.")
                % {"roles": ", ".join(map(str, unknown)), "choices": ", ".join(Role.values)}
            }
        )
    if not roles:
        raise ValidationError({"roles": _("Give the user at least one role.")})
    return roles


@transaction.atomic
def agency_create(*, name: str, slug: str, country: str = "CN") -> Agency:
    agency = Agency(name=name, slug=slug, country=country)
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def member_create(
    *,
    agency: Agency,
    username: str,
    password: str | None,
    roles: Iterable[str],
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    validate: bool = True,
) -> User:
    """Create a login in ``agency`` with the given roles; the password is validated."""
    roles = _clean_roles(roles)
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.full_clean(exclude=["password"])
    if password:
        if validate:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, agency=agency)
    member_set_roles(user=user, roles=roles)
    return user


@transaction.atomic
def member_set_roles(*, user: User, roles: Iterable[str]) -> None:
    """Replace a member's roles; unknown role names are refused with the valid choices."""
    roles = _clean_roles(roles)
    groups = [Group.objects.get_or_create(name=role)[0] for role in roles]
    valid = set(Role.values)
    keep = [g for g in user.groups.all() if g.name not in valid]
    user.groups.set(keep + groups)
    user._role_cache = None
    if hasattr(user, "_perm_cache"):
        del user._perm_cache
    if hasattr(user, "_group_perm_cache"):
        del user._group_perm_cache


@transaction.atomic
def member_update(
    *, user: User, first_name: str | None = None, last_name: str | None = None, email: str | None = None
) -> User:
    """Change a member's name or e-mail address (the username is fixed once created)."""
    for field, value in (("first_name", first_name), ("last_name", last_name), ("email", email)):
        if value is not None:
            setattr(user, field, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name", "email"])
    return user


def _refuse_self(user: User, by: User | None, message: str) -> None:
    if by is not None and by.pk == user.pk:
        raise ValidationError({"is_active": message})


@transaction.atomic
def member_deactivate(*, user: User, by: User | None = None) -> int:
    """Stop a login at once: it can no longer sign in, its sessions end and its API tokens are revoked.

    Its records (who imported, approved or wrote what) stay. Returns the number of sessions
    ended. A director cannot deactivate their own login.
    """
    _refuse_self(user, by, _("You cannot deactivate your own login."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    api_tokens_revoke_all(user=user)
    return sessions_end(user=user)


@transaction.atomic
def member_reactivate(*, user: User, by: User | None = None) -> None:
    """Let a deactivated login sign in again, with the password it had; it gets new tokens by signing in."""
    _refuse_self(user, by, _("You cannot reactivate your own login."))
    user.is_active = True
    user.save(update_fields=["is_active"])


def sessions_end(*, user: User) -> int:
    """Delete every stored session of ``user``; returns how many.

    Sessions are not indexed by user, so the live ones are decoded one by one: an agency has
    at most a few hundred at a time.
    """
    ended = []
    live = Session.objects.filter(expire_date__gt=timezone.now())
    for session in live.iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


@transaction.atomic
def member_set_language(*, user: User, language: str) -> Membership:
    """Store the person's own language ("" follows the browser)."""
    membership = Membership.objects.get(user=user)
    membership.language = language
    membership.full_clean(exclude=["user", "agency"])
    membership.save(update_fields=["language"])
    if getattr(user, "_membership_cache", None) is not None:
        user._membership_cache.language = language
    return membership


# API tokens (django-rest-knox); their public ids are core.selectors.api_token_id.


def api_token_issue(*, user: User) -> tuple[AuthToken, str]:
    """A new API token for ``user``, valid ``API_TOKEN_TTL_DAYS``; returns the row and the key.

    The key is shown once: only its digest is stored.
    """
    return AuthToken.objects.create(user=user)


def api_token_revoke(*, user: User, token_id: str) -> bool:
    """Revoke one of ``user``'s own tokens by its public id; False when there is no such token."""
    if len(token_id) != TOKEN_ID_LENGTH:
        return False
    deleted, _details = AuthToken.objects.filter(user=user, digest__startswith=token_id).delete()
    return bool(deleted)


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every API token of ``user``; returns how many there were."""
    deleted, _details = AuthToken.objects.filter(user=user).delete()
    return deleted


def _username_available(username: str) -> None:
    # One message whether the name is used in this agency or in another one: the answer
    # must not tell a director that a login exists elsewhere on the installation.
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username cannot be used; choose another one.")})


@transaction.atomic
def member_invite(
    *,
    agency: Agency,
    username: str,
    roles: Iterable[str],
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    links: dict[str, str] | None = None,
    by: User | None = None,
) -> User:
    """Add a person with roles and no password yet; they set one from ``invitation_url``.

    ``links`` maps a registered member link (``core.members``, e.g. ``staff_record``) to the
    chosen value; empty values are skipped.
    """
    from core.members import member_links

    _username_available(username)
    user = member_create(
        agency=agency,
        username=username,
        password=None,
        roles=roles,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    registered = {link.key: link for link in member_links()}
    for key, value in (links or {}).items():
        if value:
            registered[key].apply(user=user, value=value, by=by)
    return user


@transaction.atomic
def member_reinvite(*, user: User) -> User:
    """Make earlier invitation links of ``user`` stop working (a new unusable password); the
    caller then hands out a new one. Only for people who have not set a password yet."""
    if user.has_usable_password():
        raise ValidationError(_("%(name)s has already set a password.") % {"name": user.username})
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def invitation_send(*, user: User, url: str) -> bool:
    """E-mail the invitation link in the person's language; False when they have no address."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    if not user.email:
        return False
    membership = Membership.objects.select_related("agency").get(user=user)
    language = membership.language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"user": user, "agency": membership.agency, "url": url, "hours": 72}
        subject = render_to_string("registration/invitation_subject.txt", context).strip()
        body = render_to_string("registration/invitation_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True
