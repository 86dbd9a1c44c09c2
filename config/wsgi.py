"""WSGI entry point (gunicorn config.wsgi)."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from core.checks import secret_key_missing  # noqa: E402  (needs the settings loaded above)

if secret_key_missing():
    from django.conf import settings

    raise ImproperlyConfigured(settings.SECRET_KEY_MISSING_MESSAGE)
