"""config/env.py: typed environment reads; a bad value is one line naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import EnvError, env_bool, env_float, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]


def test_unset_or_blank_variables_take_the_default():
    environ = {"BLANK": "  "}
    assert env_int("MISSING", 60, environ=environ) == 60
    assert env_int("BLANK", 60, environ=environ) == 60
    assert env_float("BLANK", 0.25, environ=environ) == 0.25
    assert env_bool("BLANK", True, environ=environ) is True
    assert env_str("BLANK", "Asia/Shanghai", environ=environ) == "Asia/Shanghai"


def test_values_are_read_by_their_type():
    environ = {"N": " 1_000 ", "F": "0.5", "B": "Off", "S": " x ", "L": "a.org, ,b.org"}
    assert env_int("N", 0, environ=environ) == 1000
    assert env_float("F", 0, environ=environ) == 0.5
    assert env_bool("B", True, environ=environ) is False
    assert env_str("S", environ=environ) == "x"
    assert env_list("L", environ=environ) == ["a.org", "b.org"]


def test_a_list_set_to_blank_is_empty_rather_than_the_default():
    assert env_list("ALLOWED_HOSTS", "localhost", environ={"ALLOWED_HOSTS": ""}) == []
    assert env_list("ALLOWED_HOSTS", "localhost,127.0.0.1", environ={}) == ["localhost", "127.0.0.1"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e: env_int("GUNICORN_TIMEOUT", 60, environ=e), "GUNICORN_TIMEOUT must be a whole number; got '60s'."),
        (lambda e: env_float("AXES_COOLOFF_HOURS", 1, environ=e), "AXES_COOLOFF_HOURS must be a number; got 'soon'."),
        (lambda e: env_bool("DEBUG", False, environ=e), "DEBUG must be one of 1/0, true/false, yes/no, on/off; got 'maybe'."),
        (lambda e: env_int("CONN_MAX_AGE", 60, minimum=0, environ=e), "CONN_MAX_AGE must be at least 0; got '-5'."),
        (lambda e: env_int("PORT", 0, maximum=65535, environ=e), "PORT must be at most 65535; got '70000'."),
        (lambda e: env_float("AXES_COOLOFF_HOURS", 1, environ=e), "AXES_COOLOFF_HOURS must be a finite number; got 'nan'."),
    ],
)  # fmt: skip
def test_a_bad_value_raises_one_message_naming_the_variable(call, message):
    environ = {
        "GUNICORN_TIMEOUT": "60s",
        "AXES_COOLOFF_HOURS": "soon" if "finite" not in message else "nan",
        "DEBUG": "maybe",
        "CONN_MAX_AGE": "-5",
        "PORT": "70000",
    }
    with pytest.raises(EnvError) as raised:
        call(environ)
    assert str(raised.value) == message
    assert isinstance(raised.value, ImproperlyConfigured)


def _run(args, **overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CONN_MAX_AGE", "GUNICORN_TIMEOUT"}}
    env.update(overrides)
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_a_bad_number_for_the_settings_is_one_line_from_manage_py():
    result = _run([sys.executable, "manage.py", "check"], DEBUG="1", CONN_MAX_AGE="sixty")
    assert result.returncode == 1
    assert result.stderr.strip() == "Configuration error: CONN_MAX_AGE must be a whole number; got 'sixty'."


def test_a_bad_number_for_gunicorn_is_one_line_not_a_traceback():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = _run(
        [str(gunicorn), "--check-config", "-c", "config/gunicorn.conf.py", "config.wsgi"],
        GUNICORN_TIMEOUT="60s",
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "Configuration error: GUNICORN_TIMEOUT must be a whole number; got '60s'."
