"""A signed-in person's own language (``Membership.language``) for every page they open.

Runs after authentication; Django's LocaleMiddleware has already chosen from the language
cookie and the browser, and a stored preference replaces that choice. API clients with a token
get the same treatment in ``core.api.auth.ExpiringTokenAuthentication``.
"""

from __future__ import annotations

from django.utils import translation

from core.models import membership_of


def person_language(user) -> str:
    """The stored language of ``user``, or "" (follow the browser)."""
    membership = membership_of(user)
    return membership.language if membership else ""


def activate_person_language(request, user) -> None:
    language = person_language(user)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PersonLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        activate_person_language(request, request.user)
        return self.get_response(request)
