"""The health check answers load balancers cheaply and never reveals configuration."""

import json
import logging
import logging.config
import sys

import pytest
from kombu import Connection

from config.logging import JsonFormatter, build_logging, redact
from core import health

SECRET_BROKER = "redis://:hunter2-broker-password@broker.internal.example:6390/3"


@pytest.mark.django_db
def test_health_is_ok_on_the_test_database_with_no_broker_configured(
    client, settings, django_assert_num_queries
):
    settings.CELERY_BROKER_URL = ""
    with django_assert_num_queries(1):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "not configured", "worker": "not used (jobs run in-process)"},
    }


@pytest.mark.django_db
def test_health_needs_no_login_and_sets_no_cookie(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/health/")
    assert response.status_code == 200
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_is_exempt_from_the_https_redirect_but_other_pages_are_not(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.CELERY_BROKER_URL = ""
    assert client.get("/health/").status_code == 200
    assert client.get("/login/").status_code == 301


@pytest.mark.django_db
def test_health_refuses_post(client):
    assert client.post("/health/").status_code == 405


@pytest.mark.django_db
def test_unreachable_broker_is_503_naming_only_the_error_class(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = SECRET_BROKER

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError(
            111, "Connection refused: broker.internal.example:6390 hunter2-broker-password"
        )

    monkeypatch.setattr(Connection, "ensure_connection", refuse)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {
            "database": "ok",
            "broker": "error: ConnectionRefusedError",
            "worker": "not seen",
        },
    }
    body = response.content.decode()
    for secret in ("hunter2", "broker.internal.example", "6390", "redis://", settings.SECRET_KEY):
        assert secret not in body


@pytest.mark.django_db
def test_reachable_broker_is_ok(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = SECRET_BROKER
    connected = []
    monkeypatch.setattr(Connection, "ensure_connection", lambda self, **kw: connected.append(kw) or self)
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"
    assert connected[0]["max_retries"] == 1


@pytest.mark.django_db
def test_database_failure_is_503(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = ""

    class BrokenCursor:
        def __enter__(self):
            raise RuntimeError("db host db.internal down")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(health.connection, "cursor", BrokenCursor)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error: RuntimeError"
    assert "db.internal" not in response.content.decode()


@pytest.mark.django_db
def test_real_redis_broker_on_a_closed_port_fails_fast(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    assert health.check_broker().startswith("error: ")


# --- structured logs -------------------------------------------------------------------------


def _record(name="agency.test", msg="hello %s", args=("world",), **extra):
    record = logging.LogRecord(name, logging.WARNING, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_a_log_record_renders_as_one_json_line_with_the_standard_keys():
    line = JsonFormatter().format(_record())
    assert "\n" not in line
    data = json.loads(line)
    assert data["level"] == "WARNING"
    assert data["logger"] == "agency.test"
    assert data["message"] == "hello world"
    assert data["timestamp"].endswith("+00:00")


def test_a_django_request_record_carries_request_id_method_path_and_status(rf):
    request = rf.get("/staff/12/?token=abc", HTTP_X_REQUEST_ID="req-42", HTTP_COOKIE="sessionid=s3ss10n")
    record = _record(
        name="django.request", msg="Not Found: %s", args=(request.path,), request=request, status_code=404
    )
    data = json.loads(JsonFormatter().format(record))
    assert data == {
        "timestamp": data["timestamp"],
        "level": "WARNING",
        "logger": "django.request",
        "message": "Not Found: /staff/12/",
        "request_id": "req-42",
        "method": "GET",
        "path": "/staff/12/",
        "status": 404,
    }
    assert "s3ss10n" not in json.dumps(data)
    assert "abc" not in json.dumps(data)


def test_a_gunicorn_access_record_keeps_only_the_named_fields():
    atoms = {
        "h": "10.0.0.7",
        "m": "POST",
        "U": "/login/",
        "q": "next=/finance/",
        "s": "302",
        "M": 35,
        "{x-request-id}i": "abc123",
        "{cookie}i": "sessionid=s3ss10n",
        "{authorization}i": "Token 0123456789",
    }
    record = _record(name="gunicorn.access", msg="%(m)s %(U)s %(s)s", args=(atoms,))
    data = json.loads(JsonFormatter().format(record))
    assert data["message"] == "POST /login/ 302"
    assert (data["method"], data["path"], data["status"], data["duration_ms"]) == ("POST", "/login/", 302, 35)
    assert (data["request_id"], data["remote_addr"]) == ("abc123", "10.0.0.7")
    text = json.dumps(data)
    for secret in ("s3ss10n", "0123456789", "finance"):
        assert secret not in text


def test_credentials_in_messages_and_tracebacks_are_masked():
    assert (
        redact("connect postgres://agency:pa55word@db:5432/agency") == "connect postgres://***@db:5432/agency"
    )
    assert redact("login failed password=hunter2 user=bob") == "login failed password=*** user=bob"
    try:
        raise ValueError("bad url redis://:topsecret@cache:6379/0")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    data = json.loads(JsonFormatter().format(record))
    assert "topsecret" not in data["exception"]
    assert "ValueError" in data["exception"]


def test_json_is_the_default_in_production_and_plain_text_in_development():
    assert build_logging(debug=False)["handlers"]["console"]["formatter"] == "json"
    assert build_logging(debug=True)["handlers"]["console"]["formatter"] == "plain"
    assert build_logging(debug=True, log_format="json")["handlers"]["console"]["formatter"] == "json"
    assert build_logging(debug=False, log_format="plain")["handlers"]["console"]["formatter"] == "plain"


def test_an_unknown_log_format_or_level_is_named():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        build_logging(debug=False, log_format="xml")
    with pytest.raises(ImproperlyConfigured, match="LOG_LEVEL"):
        build_logging(debug=False, level="LOUD")


def test_the_logging_config_loads_and_writes_json_to_stderr(capsys):
    logging.config.dictConfig(build_logging(debug=False))
    try:
        logging.getLogger("agency.smoke").warning("ready %d", 1)
        err = capsys.readouterr().err.strip().splitlines()
    finally:
        from django.conf import settings

        logging.config.dictConfig(settings.LOGGING)
    assert json.loads(err[-1])["message"] == "ready 1"
