"""Typed reads of the environment, for config/settings.py and config/gunicorn.conf.py.

Every read names its variable: a value that cannot be read raises ``EnvError`` with one line
such as ``GUNICORN_TIMEOUT must be a whole number; got '60s'.`` ``manage.py`` prints it as one
line (``EnvError`` is an ``ImproperlyConfigured``) and the gunicorn config exits with it, so
a typo in a deployment's environment is never a traceback. An unset or blank variable takes
the default.

The messages are for the operator who set the variable, and are read before Django's
translation machinery exists, so they stay in English (as Django's own configuration errors).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


class EnvError(ImproperlyConfigured, ValueError):
    """An environment variable holds a value of the wrong kind; the message names it."""


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def env_str(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    """The variable's text (surrounding spaces removed), or ``default`` when unset or blank."""
    raw = _raw(name, environ)
    return default if raw is None else raw


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    """1/0, true/false, yes/no or on/off (any case)."""
    raw = _raw(name, environ)
    if raw is None:
        return default
    if raw.lower() in TRUE:
        return True
    if raw.lower() in FALSE:
        return False
    raise EnvError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def _check_range(name: str, value: float, minimum: float | None, maximum: float | None, raw: str) -> None:
    if minimum is not None and value < minimum:
        raise EnvError(f"{name} must be at least {minimum}; got {raw!r}.")
    if maximum is not None and value > maximum:
        raise EnvError(f"{name} must be at most {maximum}; got {raw!r}.")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """A whole number (``1_000`` and ``1000`` alike), optionally within ``minimum``–``maximum``."""
    raw = _raw(name, environ)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise EnvError(f"{name} must be a whole number; got {raw!r}.") from None
    _check_range(name, value, minimum, maximum, raw)
    return value


def env_float(
    name: str,
    default: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    environ: Mapping[str, str] | None = None,
) -> float:
    """A number such as ``0.25``, optionally within ``minimum``–``maximum``."""
    raw = _raw(name, environ)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise EnvError(f"{name} must be a number; got {raw!r}.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise EnvError(f"{name} must be a finite number; got {raw!r}.")
    _check_range(name, value, minimum, maximum, raw)
    return value


def env_list(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated list, blanks dropped: ``"a.org, b.org"`` → ``["a.org", "b.org"]``.

    Set but blank means the empty list (``ALLOWED_HOSTS=`` allows no host), not the default.
    """
    text = (os.environ if environ is None else environ).get(name, default)
    return [item.strip() for item in text.split(",") if item.strip()]


#: The database table of the default cache (created by ``migrate``: ``core.apps``).
CACHE_TABLE = "core_cache"


def env_cache(*, environ: Mapping[str, str] | None = None) -> dict:
    """``CACHES["default"]`` from ``CACHE_URL`` (or ``REDIS_URL``).

    ``redis://`` / ``rediss://`` / ``unix://`` → Django's RedisCache (production: one cache for
    every web and worker process and host); ``db://`` or unset → the database cache (table
    ``core_cache``): shared by every gunicorn worker of the installation with no extra
    service; ``locmem://`` → this process only; ``dummy://`` → nothing is kept.
    """
    name = "CACHE_URL" if _raw("CACHE_URL", environ) else "REDIS_URL"
    url = _raw(name, environ) or "db://"
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("redis", "rediss", "unix"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    rest = url.split("://", 1)[1] if "://" in url else ""
    if scheme == "db":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": rest or CACHE_TABLE}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest or "default"}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise EnvError(
        f"{name} must start with redis://, rediss://, unix://, db://, locmem:// or dummy://; got {url!r}."
    )
