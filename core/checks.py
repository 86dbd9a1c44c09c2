"""System checks of the project's own settings."""

from django.conf import settings
from django.core.checks import Error, Tags, register
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
