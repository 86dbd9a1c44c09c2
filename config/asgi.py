"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

from core.checks import secret_key_missing  # noqa: E402  (needs the settings loaded above)

if secret_key_missing():
    from django.conf import settings

    raise ImproperlyConfigured(settings.SECRET_KEY_MISSING_MESSAGE)
