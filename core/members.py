"""Links a director may make while inviting a person (e.g. to their staff record).

Core knows no domain app, so the invitation form asks this registry: an app registers a
``MemberLink`` in ``AppConfig.ready()``; the form shows one optional choice per link, and the
invitation service calls ``apply`` with the new login and the chosen value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class MemberLink:
    key: str
    label: str
    help: str
    #: ``choices(agency)`` → ``[(value, label), ...]`` of the records free to link.
    choices: Callable[..., Iterable[tuple[str, str]]]
    #: ``apply(user=..., value=..., by=...)`` links the new login; raises ValidationError if it cannot.
    apply: Callable[..., None]


_LINKS: dict[str, MemberLink] = {}


def register_member_link(link: MemberLink) -> MemberLink:
    _LINKS[link.key] = link
    return link


def member_links() -> list[MemberLink]:
    return list(_LINKS.values())
