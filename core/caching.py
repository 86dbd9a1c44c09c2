"""What may be a minute old, computed once a minute: the shared cache (``settings.CACHES``).

``minute_cached(name, compute, agency=..., user=...)`` returns ``compute()``'s value as it was
at most ``timeout`` seconds (default 60) ago, computing it on a miss. The key holds the name,
the agency, the language of the request (panels hold translated labels) and, when given, the
user (what a user may see depends on their roles and grants) and any ``parts``, so two
agencies, two languages or two users never share an entry. The cache is the database (one
table shared by every web worker), Redis in production, or local memory in the tests
(``config.env.env_cache``). A cache that cannot be reached is not an error: the value is
computed, as without a cache.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.utils.translation import get_language

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds an entry lives: "what may be a minute old".
MINUTE = 60
#: Bumped when the shape of a cached value changes, so old entries are never read back.
VERSION = 1


def cache_key(name: str, *, agency=None, user=None, parts: Iterable = ()) -> str:
    agency_id = getattr(agency, "pk", agency)
    user_id = getattr(user, "pk", user)
    tail = ":".join(str(part) for part in parts)
    return f"minute:{VERSION}:{name}:a{agency_id}:u{user_id}:{get_language() or '-'}:{tail}"


def minute_cached(
    name: str,
    compute: Callable[[], T],
    *,
    agency=None,
    user=None,
    parts: Iterable = (),
    timeout: int = MINUTE,
) -> T:
    """``compute()``, or its value cached under ``name`` for this agency/user/language ≤ ``timeout`` s ago."""
    key = cache_key(name, agency=agency, user=user, parts=parts)
    try:
        hit = cache.get(key)
    except Exception:
        log.warning("cache unavailable; computing %s", name, exc_info=True)
        return compute()
    if hit is not None:
        return hit[0]
    value = compute()
    try:
        cache.set(key, (value,), timeout)
    except Exception:
        log.warning("cache unavailable; not keeping %s", name, exc_info=True)
    return value
