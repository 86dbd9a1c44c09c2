"""Reads of the core app: audit history of a record, the confidential-read log, members, report
jobs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Field, Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Job, Membership, RefusedRequest, SensitiveRead, agency_of
from core.report_jobs import JOB_KIND
from core.roles import Role, user_roles


@dataclass
class HistoryEntry:
    when: Any
    who: str
    kind: str
    reason: str
    changes: list[tuple[str, Any, Any]]


def history_value(obj: Model, field: Field, value: Any) -> Any:
    """A stored value as a person reads it: a choice by its label, a related record by its name,
    yes/no for a flag, lists and mappings spelled out. A model may name its own values with
    ``history_display(field_name, value)`` (returning None to leave a value to these rules)."""
    hook = getattr(type(obj), "history_display", None)
    if hook is not None:
        shown = hook(field.name, value)
        if shown is not None:
            return shown
    if value in (None, "", [], {}):
        return None
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.many_to_one or field.one_to_one:
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    if isinstance(value, dict):
        return "；".join(f"{key}：{item}" for key, item in value.items())
    return value


def record_history(obj: Model) -> list[HistoryEntry]:
    """Every saved version of ``obj``, newest first, with field-level before and after.

    A model may leave out fields that are bookkeeping (``history_hidden``: names) and show values
    derived from a whole version instead (``history_derived(version) -> {label: value}``), e.g. a
    flag's finding rendered from its stored msgid and parameters in the reader's language), and
    show a stored change reason its own way (``history_reason(text) -> str | None``, e.g. a
    reason stored in a coded form, shown in the reader's language; None shows it as stored)."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id"))
    hidden = {"id", *getattr(type(obj), "history_hidden", ())}
    derive = getattr(type(obj), "history_derived", None)
    shown_reason = getattr(type(obj), "history_reason", None)
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[tuple[str, Any, Any]] = []
        derived = derive(record) if derive is not None else {}
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=sorted(hidden - {"id"}))
            for change in delta.changes:
                field = obj._meta.get_field(change.field)
                changes.append(
                    (
                        str(field.verbose_name),
                        history_value(obj, field, change.old),
                        history_value(obj, field, change.new),
                    )
                )
            before = derive(previous) if derive is not None else {}
            for label, value in derived.items():
                if before.get(label) != value:
                    changes.append((str(label), before.get(label), value))
        else:
            for field in obj._meta.concrete_fields:
                if field.name in hidden:
                    continue
                value = getattr(record, field.attname, None)
                if value not in (None, ""):
                    changes.append((str(field.verbose_name), None, history_value(obj, field, value)))
            changes += [(str(label), None, value) for label, value in derived.items() if value]
        reason = record.history_change_reason or ""
        if reason and shown_reason is not None:
            reason = shown_reason(reason) or reason
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else "—",
                kind=record.get_history_type_display(),
                reason=reason,
                changes=changes,
            )
        )
    return entries


def sensitive_reads_for(user) -> QuerySet[SensitiveRead]:
    return SensitiveRead.objects.for_user(user, "view").select_related("user")


def members_for(user) -> QuerySet[Membership]:
    return (
        Membership.objects.for_user(user, "view")
        .select_related("user", "agency")
        .prefetch_related("user__groups")
    )


def refused_requests_for(user) -> QuerySet[RefusedRequest]:
    """The refused requests a director reviews: those of the agency's own logins and those
    of other agencies' logins aimed at the agency's records (``aimed_at``); nothing for others."""
    agency = agency_of(user)
    if agency is None or Role.DIRECTOR not in user_roles(user):
        return RefusedRequest.objects.none()
    return (
        RefusedRequest.objects.filter(Q(agency=agency) | Q(aimed_at=agency))
        .select_related("user", "agency")
        .order_by("-at", "-id")
    )


#: A token's public id is the start of its SHA-512 digest: it names the token in lists and
#: revocations without revealing anything of the key itself.
TOKEN_ID_LENGTH = 16


def api_token_id(token) -> str:
    return token.digest[:TOKEN_ID_LENGTH]


def api_tokens_of(user) -> list[dict]:
    """The owner's own API tokens, newest first: public id, start of the key, created, expiry."""
    from knox.models import AuthToken

    now = timezone.now()
    tokens = AuthToken.objects.filter(user=user).order_by("-created")
    return [
        {
            "id": api_token_id(token),
            "starts_with": token.token_key[:8],
            "created": token.created,
            "expiry": token.expiry,
            "expired": token.expiry is not None and token.expiry <= now,
        }
        for token in tokens
    ]


def active_logins(agency, *, keep=None) -> QuerySet:
    """Logins of ``agency`` that may still sign in, for pickers; ``keep`` (a user or id) stays
    listed even when deactivated, so editing a record that names them does not lose it."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    if agency is None:
        return get_user_model().objects.none()
    visible = Q(is_active=True)
    if keep is not None:
        visible |= Q(pk=getattr(keep, "pk", keep))
    return get_user_model().objects.filter(visible, membership__agency=agency)


def report_jobs_for(user) -> QuerySet[Job]:
    """The report jobs (``core.report``) ``user`` may see, newest first: their own, and for a
    director every one of the agency (``Job.restrict_queryset``), with their makers."""
    return (
        Job.objects.for_user(user, "view")
        .filter(kind=JOB_KIND)
        .select_related("created_by", "agency")
        .order_by("-created_at", "-id")
    )
