"""System checks of the project's own settings."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


def secret_key_missing() -> bool:
    try:
        return not settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to hand out an empty SECRET_KEY
        return True


@register(Tags.security, deploy=True)
def secret_key_is_set(app_configs=None, **kwargs):
    if secret_key_missing():
        return [Error(settings.SECRET_KEY_MISSING_MESSAGE, id="core.E001")]
    return []


@register(Tags.database)
def next_years_calendar_is_entered(app_configs=None, databases=None, **kwargs):
    """In December, warn when an agency has no official calendar for next year and the
    chinesecalendar package cannot fill it (runs with the database checks, e.g. at migrate)."""
    from django.db import DatabaseError
    from django.utils import timezone

    if not databases:
        return []
    today = timezone.localdate()
    if today.month != 12:
        return []
    from core.official_calendar import agencies_missing_year

    try:
        missing = agencies_missing_year(today.year + 1)
    except DatabaseError:  # tables not created yet
        return []
    if not missing:
        return []
    return [
        Warning(
            f"No official calendar for {today.year + 1} for {len(missing)} agencies "
            f"({', '.join(a.slug for a in missing[:5])}{'…' if len(missing) > 5 else ''}): from 1 January "
            "the weekend and holiday check falls back to plain weekends.",
            hint="A director enters the year's public holidays and make-up working days under "
            "Official calendar (/calendar/); see docs/calendar.md.",
            id="core.W101",
        )
    ]
