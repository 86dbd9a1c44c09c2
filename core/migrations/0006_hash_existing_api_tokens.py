"""API tokens move from DRF's plain-text table to django-rest-knox's digests.

Each existing key keeps working (scripts need not sign in again) but is stored from now on
only as its SHA-512 digest, and expires API_TOKEN_TTL_DAYS from this migration; the plain
keys are then deleted. Nothing to do on a new installation.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def hash_plain_tokens(apps, schema_editor):
    from knox.crypto import hash_token
    from knox.settings import CONSTANTS

    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    AuthToken = apps.get_model("knox", "AuthToken")
    expiry = timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id FROM authtoken_token")
        rows = cursor.fetchall()
        AuthToken.objects.bulk_create(
            AuthToken(
                digest=hash_token(key), token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], user_id=user_id, expiry=expiry
            )
            for key, user_id in rows
        )
        cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_membership_language"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(hash_plain_tokens, migrations.RunPython.noop)]
