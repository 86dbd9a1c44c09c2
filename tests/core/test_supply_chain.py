"""Supply chain: complete hashed locks for production and for development, installed with
--require-hashes, and an audit that says "not audited" as a failed step when it cannot ask."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST_TOOLS = {
    "pytest",
    "pytest-django",
    "ruff",
    "pypdf",
    "hypothesis",
    "schemathesis",
    "playwright",
    "bandit",
}


def _pins(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name → (version, hashes) of a pip-compile lock; every requirement must be ``==`` pinned."""
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)\s*(.*)$", line)
        assert match, f"{path.name}: not an exact pin: {line[:80]}"
        pins[match[1].lower()] = (match[2], re.findall(r"--hash=sha256:([0-9a-f]{64})", match[3]))
    return pins


def _top_level(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "-")):
            names.add(re.split(r"[<>=\[~!]", line, maxsplit=1)[0].lower())
    return names


def test_the_production_lock_pins_and_hashes_every_package_and_holds_no_test_tools():
    pins = _pins(ROOT / "requirements.txt")
    assert all(hashes for _version, hashes in pins.values()), [n for n, (_v, h) in pins.items() if not h]
    assert _top_level(ROOT / "requirements.in") <= set(pins)
    assert {"asgiref", "sqlparse", "kombu"} <= set(pins)  # transitive packages are locked too
    assert not TEST_TOOLS & set(pins)


def test_the_development_lock_is_complete_and_agrees_with_production():
    prod, dev = _pins(ROOT / "requirements.txt"), _pins(ROOT / "requirements-dev.txt")
    assert all(hashes for _version, hashes in dev.values())
    assert {name: version for name, (version, _h) in prod.items()} == {name: dev[name][0] for name in prod}
    assert set(dev) >= TEST_TOOLS


def test_pypdf_is_past_its_public_advisories():
    version = tuple(int(part) for part in _pins(ROOT / "requirements-dev.txt")["pypdf"][0].split("."))
    assert version >= (6, 14, 2)


def test_make_installs_with_require_hashes():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "install --quiet --require-hashes -r requirements-dev.txt" in makefile


def test_an_unreachable_advisory_service_is_a_failed_not_audited_step_that_does_not_fail_the_build(tmp_path):
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    (bin_dir / "pip-audit").write_text(
        '#!/bin/sh\necho "requests.exceptions.ConnectionError: Max retries exceeded" >&2\nexit 1\n'
    )
    (bin_dir / "bandit").write_text("#!/bin/sh\nexit 0\n")
    for tool in ("pip-audit", "bandit"):
        os.chmod(bin_dir / tool, 0o700)
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "supply_chain.sh")],
        env={**os.environ, "VENV": str(tmp_path / "venv")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAILED: NOT AUDITED" in result.stdout
    assert "supply chain: pip-audit: FAILED (not audited)" in result.stdout
    assert "--vulnerability-service osv" in result.stdout and "--vulnerability-service pypi" in result.stdout
