"""Simplified Chinese is complete: every message in the code is translated, nothing is fuzzy,
and the compiled catalogue matches the source catalogue."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def parse_po(text: str) -> list[dict]:
    """A small .po reader: entries with msgctxt, msgid, msgid_plural, msgstr[n] and flags."""
    entries, current, field = [], None, None

    def unquote(s: str) -> str:
        return bytes(s[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")

    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current and "msgid" in current:
                entries.append(current)
            current, field = None, None
            continue
        current = current if current is not None else {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            current["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            field, current["msgctxt"] = ("msgctxt", None), unquote(line[8:])
        elif line.startswith("msgid_plural "):
            field, current["msgid_plural"] = ("msgid_plural", None), unquote(line[13:])
        elif line.startswith("msgid "):
            field, current["msgid"] = ("msgid", None), unquote(line[6:])
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            field = ("msgstr", index)
            current["msgstr"][index] = unquote(line[line.index("]") + 2 :])
        elif line.startswith("msgstr "):
            field = ("msgstr", 0)
            current["msgstr"][0] = unquote(line[7:])
        elif line.startswith('"') and field:
            name, index = field
            if name == "msgstr":
                current["msgstr"][index] += unquote(line)
            else:
                current[name] += unquote(line)
    return [e for e in entries if e["msgid"] != ""]


def catalogue() -> list[dict]:
    return parse_po(PO.read_text(encoding="utf-8"))


def test_every_catalogue_entry_is_translated_and_not_fuzzy():
    problems = [
        e["msgid"]
        for e in catalogue()
        if "fuzzy" in e["flags"] or not e["msgstr"] or any(not s for s in e["msgstr"].values())
    ]
    assert problems == [], f"{len(problems)} untranslated or fuzzy messages, e.g. {problems[:10]}"


def test_placeholders_survive_translation():
    placeholder = re.compile(r"%\(\w+\)[sdf]|\{\w+\}")
    broken = []
    for entry in catalogue():
        expected = sorted(placeholder.findall(entry["msgid"]))
        for text in entry["msgstr"].values():
            if sorted(placeholder.findall(text)) != expected and not entry.get("msgid_plural"):
                broken.append(entry["msgid"])
    assert broken == []


def test_compiled_catalogue_matches_the_source():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in catalogue():
        if entry.get("msgid_plural") or entry.get("msgctxt"):
            continue
        if compiled.gettext(entry["msgid"]) != entry["msgstr"][0]:
            stale.append(entry["msgid"])
    assert stale == [], f"run `make compilemessages`: {stale[:5]}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext's xgettext is not installed")
def test_no_message_in_the_code_is_missing_from_the_chinese_catalogue(tmp_path):
    # Run makemessages on a copy of the project so the real catalogue is untouched.
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "media", "staticfiles", "*.sqlite3", "__pycache__", ".tmp", "screenshots"
    )
    shutil.copytree(ROOT, copy, ignore=ignore)
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--ignore=tests",
            "--ignore=bench",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    fresh = parse_po((copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
    missing = [
        e["msgid"]
        for e in fresh
        if "fuzzy" in e["flags"] or not e["msgstr"] or any(not s for s in e["msgstr"].values())
    ]
    assert missing == [], (
        f"{len(missing)} messages lack a Chinese translation (run `make messages`), e.g. {missing[:10]}"
    )


@pytest.mark.django_db
def test_pages_switch_to_chinese(client, director):
    client.force_login(director)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()
    assert "退出" in response.content.decode()
