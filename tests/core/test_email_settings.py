"""E-mail comes from the environment: ``EMAIL_URL`` or Django's usual settings; console by default."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import email_settings


def test_an_smtp_url_with_tls_gives_every_setting():
    assert email_settings("smtp://mailer%40xf.org:p%40ss@mail.xf.org:587?tls=1") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.xf.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer@xf.org",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }


def test_smtps_means_implicit_tls_on_port_465():
    settings = email_settings("smtps://mail.xf.org")
    assert (settings["EMAIL_PORT"], settings["EMAIL_USE_SSL"], settings["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )


def test_console_file_and_memory_backends():
    assert email_settings("console://")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert email_settings("file:///var/mail/agency") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/var/mail/agency",
    }
    assert email_settings("memory://")["EMAIL_BACKEND"] == "django.core.mail.backends.locmem.EmailBackend"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "imap://mail.xf.org",
            "EMAIL_URL must start with one of console, file, memory, smtp, smtps://; got 'imap'.",
        ),
        ("smtp://mail.xf.org:port", "EMAIL_URL has a port that is not a number: 'smtp://mail.xf.org:port'."),
        ("smtp://mail.xf.org?tls=1&ssl=1", "EMAIL_URL asks for both tls and ssl; choose one."),
    ],
)
def test_a_bad_email_url_is_one_clear_message(url, message):
    with pytest.raises(ImproperlyConfigured) as raised:
        email_settings(url)
    assert str(raised.value) == message
