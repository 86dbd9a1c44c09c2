"""The one check for redirect targets a user supplies (``next=``): same host and scheme only.

Every view that follows a target from the request goes through ``redirect_back``, so an
``https://evil.example/`` in a form cannot send a signed-in user off the site.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_target(request, target: str | None) -> str | None:
    """``target`` when it points at this site (Django's ``url_has_allowed_host_and_scheme``), else None."""
    target = (target or "").strip()
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def redirect_back(request, fallback: str, *args, **kwargs) -> HttpResponseRedirect:
    """Redirect to the request's ``next`` (POST, then GET) when it is safe, else to ``fallback``."""
    target = safe_target(request, request.POST.get("next") or request.GET.get("next"))
    if target is not None:
        return redirect(target)
    return redirect(fallback, *args, **kwargs)
