"""Production settings: the deployment check, a missing SECRET_KEY, no traceback pages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    env.update(env_overrides)
    for key in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "STATIC_MANIFEST"):
        env.pop(key, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_deploy_check_passes_with_only_the_three_production_variables():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "SECRET_KEY": "k9W!zq2-production-like-secret-value-with-enough-entropy-4410",
            "ALLOWED_HOSTS": "agency.example.org",
            "DEBUG": "0",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_missing_secret_key_in_production_fails_the_deploy_check_with_one_clear_message():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env_overrides={"DEBUG": "0", "ALLOWED_HOSTS": "agency.example.org"},
    )  # fmt: skip
    assert result.returncode != 0
    assert "(core.E001) SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_app_refuses_to_serve_without_a_secret_key_in_production():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env["DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_migrations_can_be_checked_without_a_secret_key():
    result = _manage("makemigrations", "--check", "--dry-run", env_overrides={"DEBUG": "0"})
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_invalid_debug_value_is_named():
    result = _manage("check", env_overrides={"DEBUG": "maybe", "SECRET_KEY": "x" * 60})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Configuration error: DEBUG must be one of 1/0, true/false, yes/no, on/off; got 'maybe'."
    )


@pytest.mark.django_db
def test_unknown_page_with_debug_off_shows_our_page_without_internals(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Not found" in html
    assert "Traceback" not in html
    assert "settings" not in html.lower()


@pytest.mark.django_db
def test_server_error_page_shows_no_trace(client, settings, monkeypatch):
    from core import views
    from overview import views as overview_views

    settings.DEBUG = False

    def boom(request):
        raise RuntimeError("secret internal detail SELECT * FROM auth_user")

    monkeypatch.setattr(overview_views, "home", boom)
    from django.urls import clear_url_caches

    clear_url_caches()
    client.raise_request_exception = False
    response = client.get("/login/?next=/")  # sanity: the login page still works
    assert response.status_code == 200
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    error = views.server_error(request)
    html = error.content.decode()
    assert error.status_code == 500
    assert "Something went wrong" in html
    assert "SELECT" not in html
    assert "Traceback" not in html


def test_the_installations_language_is_a_setting_and_commands_speak_it():
    env = {"DEBUG": "1", "SECRET_KEY": "x" * 60}
    english = _manage("report", "retention", "--format", "json", env_overrides=env)
    chinese = _manage(
        "report", "retention", "--format", "json", env_overrides={**env, "LANGUAGE_CODE": "zh_Hans"}
    )
    assert (english.returncode, english.stderr) == (1, "report retention needs --year\n")
    assert (chinese.returncode, chinese.stderr) == (1, "报表 retention 需要 --year\n")


def test_an_unknown_language_is_named():
    result = _manage("check", env_overrides={"DEBUG": "1", "SECRET_KEY": "x" * 60, "LANGUAGE_CODE": "fr"})
    assert result.returncode == 1
    assert result.stderr.strip() == "Configuration error: LANGUAGE_CODE must be one of en, zh-hans; got 'fr'."
