"""``create_agency``: a new installation's first step, its refusals, and what it prints."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from core.models import Agency, Membership
from core.roles import user_roles
from tests.core.signin import log_in

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
GOOD = "a-Long-pass-phrase-9"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_agency", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_creates_the_agency_and_its_first_director_who_can_sign_in(client):
    out, err = run(
        "xinfeng", "--name", "信丰县阳光社会工作服务中心", "--director", "zhang", "--password", GOOD
    )
    assert out.strip() == (
        "Created agency xinfeng (信丰县阳光社会工作服务中心) and its director zhang; sign in as zhang."
    )
    assert err == ""
    agency = Agency.objects.get(slug="xinfeng")
    assert agency.name == "信丰县阳光社会工作服务中心"
    user = get_user_model().objects.get(username="zhang")
    assert Membership.objects.get(user=user).agency == agency
    assert user_roles(user) == {"director"}
    assert log_in(client, "zhang", GOOD)


def test_without_a_director_only_the_agency_is_created():
    out, _err = run("xinfeng", "--name", "Centre")
    assert out.strip() == "Created agency xinfeng (Centre)."
    assert Agency.objects.count() == 1
    assert get_user_model().objects.count() == 0


def test_an_existing_short_name_is_refused_with_exit_1_and_nothing_changes(agency):
    with pytest.raises(CommandError) as raised:
        run("xinfeng", "--name", "Another", "--director", "zhang", "--password", GOOD)
    assert raised.value.returncode == 1
    assert Agency.objects.count() == 1
    assert Agency.objects.get().name == "信丰县阳光社会工作服务中心"
    assert not get_user_model().objects.filter(username="zhang").exists()


def test_refusals_print_a_summary_and_one_problem_per_line_on_stderr(agency, director):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "create_agency", "xinfeng", "--name", "X", "--director", "alice", "--password", GOOD, stderr=err
        )
    assert err.getvalue().splitlines() == [
        "Refused: 2 problems; nothing was changed.",
        "An agency with the short name xinfeng exists already.",
        "The username alice is taken.",
    ]


def test_a_weak_password_is_refused_with_every_reason_and_nothing_is_created():
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "create_agency", "xf", "--name", "X", "--director", "zhang", "--password", "1234", stderr=err
        )
    assert raised.value.returncode == 1
    assert err.getvalue().splitlines() == [
        "Refused: 3 problems; nothing was changed.",
        "Password: This password is too short. It must contain at least 8 characters.",
        "Password: This password is too common.",
        "Password: This password is entirely numeric.",
    ]
    assert Agency.objects.count() == 0
    assert get_user_model().objects.count() == 0


def test_a_bad_short_name_is_refused():
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("create_agency", "信丰", "--name", "X", stderr=err)
    assert err.getvalue().splitlines()[0] == "Refused: 1 problem; nothing was changed."
    assert err.getvalue().splitlines()[1].startswith("short name: ")
    assert Agency.objects.count() == 0


def test_without_password_and_without_a_terminal_it_says_how_and_changes_nothing(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("create_agency", "xf", "--name", "X", "--director", "zhang", stderr=err)
    assert err.getvalue().splitlines() == [
        "Refused: 1 problem; nothing was changed.",
        "No terminal to ask for the password on: give it with --password, or run the command in a terminal.",
    ]
    assert Agency.objects.count() == 0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_password_is_asked_for_twice(monkeypatch, client):
    answers = iter([GOOD, GOOD])
    prompts = []
    monkeypatch.setattr(sys, "stdin", _Terminal(""))
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or next(answers))
    out, _err = run("xf", "--name", "X", "--director", "zhang")
    assert prompts == ["Password for zhang: ", "The same password again: "]
    assert "sign in as zhang" in out
    assert log_in(client, "zhang", GOOD)


def test_two_different_passwords_on_the_terminal_are_refused(monkeypatch):
    answers = iter([GOOD, GOOD + "x"])
    monkeypatch.setattr(sys, "stdin", _Terminal(""))
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("create_agency", "xf", "--name", "X", "--director", "zhang", stderr=err)
    assert err.getvalue().splitlines()[1] == "The two passwords differ."
    assert Agency.objects.count() == 0


@pytest.mark.own_sqlite
def test_from_the_shell_a_refusal_exits_1_without_a_traceback(tmp_path):
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PATH": "/usr/bin:/bin"}
    python = str(Path(sys.executable))
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    first = subprocess.run(
        [
            python,
            "manage.py",
            "create_agency",
            "xf",
            "--name",
            "X",
            "--director",
            "zhang",
            "--password",
            GOOD,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert first.returncode == 0, first.stderr
    again = subprocess.run(
        [python, "manage.py", "create_agency", "xf", "--name", "Y"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert again.returncode == 1
    assert again.stdout == ""
    assert again.stderr.splitlines() == [
        "Refused: 1 problem; nothing was changed.",
        "An agency with the short name xf exists already.",
    ]
    no_tty = subprocess.run(
        [python, "manage.py", "create_agency", "other", "--name", "Y", "--director", "li"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert no_tty.returncode == 1
    assert "give it with --password" in no_tty.stderr
    assert "Traceback" not in no_tty.stderr


def test_import_commands_on_an_empty_installation_name_create_agency(tmp_path):
    roster = tmp_path / "people.csv"
    roster.write_text("staff_no,name,hire_date\nS1,李,2024-01-01\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("import_staff", str(roster))
    assert "manage.py create_agency SLUG --name NAME --director USERNAME" in str(raised.value)
