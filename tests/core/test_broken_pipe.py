"""cli.md: never a traceback, and quiet when piped. A command whose reader stops reading (``scan_flags
| head -2``) exits 141 (128 + SIGPIPE) with nothing on stderr (core.management.base)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_sqlite

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(Path(sys.executable))


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    """The environment of a migrated SQLite file with one agency, and a roster file beside it."""
    folder = tmp_path_factory.mktemp("pipe")
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}", "PATH": "/usr/bin:/bin"}
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    subprocess.run(
        [PYTHON, "manage.py", "create_agency", "xf", "--name", "信丰"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    roster = folder / "roster.csv"
    roster.write_text("员工编号,姓名,入职日期\nS001,王芳,2019-03-01\n", encoding="utf-8")
    return env, roster


def run_with_the_reader_gone(env, *args: str) -> tuple[int, str]:
    """Run ``manage.py *args`` with its stdout a pipe whose reading end is closed at once: the
    command's first write meets a broken pipe, whatever the size of its output."""
    process = subprocess.Popen(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()
    stderr = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    return process.wait(timeout=120), stderr


@pytest.mark.parametrize(
    "args",
    [
        ["scan_flags"],
        ["scan_flags", "--format", "json"],
        ["report", "retention", "--year", "2025", "--format", "csv"],
        ["report", "qualifications", "--as-of", "2026-10-15", "--format", "json"],
        ["import_staff", "{roster}", "--dry-run"],
    ],
    ids=lambda args: " ".join(args),
)
def test_a_command_piped_into_a_reader_that_stops_exits_quietly(shell, args):
    env, roster = shell
    code, stderr = run_with_the_reader_gone(env, *(arg.format(roster=roster) for arg in args))
    assert (code, stderr) == (141, "")


def test_with_its_reader_there_the_command_still_exits_0(shell):
    env, _roster = shell
    result = subprocess.run(
        [PYTHON, "manage.py", "scan_flags"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "0 critical, 0 warning, 0 info (0 contracts scanned)\n"
