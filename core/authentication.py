"""The API's token check (django-rest-knox), kept apart from the views so that DRF's settings
can import it without importing DRF's views (which read those settings), as ``core.api`` does."""

from __future__ import annotations

from knox.auth import TokenAuthentication

from core.middleware import activate_person_language


class ExpiringTokenAuthentication(TokenAuthentication):
    """Knox's check of ``Authorization: Token <key>`` against the stored digests: unknown,
    expired and revoked keys, and deactivated people, answer 401. The person's own language
    then applies to the answer (and to exports it starts)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            activate_person_language(request, result[0])
        return result
