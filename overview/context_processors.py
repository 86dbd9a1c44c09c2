"""The inbox count beside "Home" in the menu.

On the home page the inbox panel has just counted (``request.inbox_items``); elsewhere the
count comes from the cache, at most ``INBOX_CACHE_SECONDS`` old, so a page of the menu costs no
query for it most of the time. The panel itself is always counted afresh.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from core.roles import Role, user_roles

INBOX_CACHE_SECONDS = 60


def inbox_cache_key(user) -> str:
    return f"inbox-count:{user.pk}"


def _count(request, user) -> int:
    items = getattr(request, "inbox_items", None)
    if items is not None:
        count = sum(item.count for item in items)
        cache.set(inbox_cache_key(user), count, INBOX_CACHE_SECONDS)
        return count
    count = cache.get(inbox_cache_key(user))
    if count is None:
        from overview.inbox import inbox_count

        count = inbox_count(user)
        cache.set(inbox_cache_key(user), count, INBOX_CACHE_SECONDS)
    return count


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not (user_roles(user) & {Role.DIRECTOR, Role.FINANCE}):
        return {}
    return {"inbox_count": SimpleLazyObject(lambda: _count(request, user))}
