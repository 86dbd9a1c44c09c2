"""The layer contracts of pyproject.toml ([tool.importlinter]) hold, cover every app of the
project, and catch an import that breaks them, even one hidden inside a function."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_project_keeps_every_layer_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_every_app_of_the_project_is_a_root_package_of_the_layers_contract():
    base = Path(settings.BASE_DIR).resolve()
    own = {
        config.name
        for config in apps.get_app_configs()
        # The virtualenv may live inside the project folder (make install puts it in .venv/).
        if Path(config.path).resolve().is_relative_to(base)
        and "site-packages" not in Path(config.path).resolve().parts
    }
    assert own == {"core", "staff", "training", "supervision", "finance", "delivery", "overview"}
    roots = set(_config()["root_packages"])
    assert own <= roots
    layered = {
        name.strip()
        for contract in _config()["contracts"]
        if contract["type"] == "layers"
        for layer in contract["layers"]
        for name in layer.replace("|", ":").split(":")
    }
    assert layered == own


def _broken(tmp_path: Path, files: dict[str, str]) -> str:
    """lint-imports' report on the project's packages as empty modules plus ``files``; it must fail."""
    empty = ["core", "staff", "training", "supervision", "finance", "delivery", "overview"]
    empty += [f"{app}.models" for app in empty if app != "overview"] + ["finance.rules", "delivery.rules"]
    for module in empty:
        package = tmp_path.joinpath(*module.split("."))
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").touch()
    for path, text in files.items():
        tmp_path.joinpath(path).write_text(text)
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    return result.stdout


def test_a_core_module_importing_a_domain_app_inside_a_function_breaks_the_layers(tmp_path):
    report = _broken(tmp_path, {"core/helper.py": "def member(user):\n    from staff.models import x\n"})
    assert "core.helper -> staff.models" in report
    assert "Contracts: 3 kept, 1 broken." in report


def test_staff_reaching_up_to_supervision_and_a_domain_app_importing_overview_break_the_layers(tmp_path):
    report = _broken(
        tmp_path,
        {
            "staff/rules.py": "import supervision.models\n",
            "finance/pages.py": "from overview import views\n",
            "overview/views.py": "",
        },
    )
    assert "staff.rules -> supervision.models" in report
    assert "finance.pages -> overview.views" in report


def test_a_rule_module_importing_models_or_the_orm_breaks_the_rules_contracts(tmp_path):
    rule = "from finance.models import Expenditure\nfrom django.db.models import Q\n"
    report = _broken(tmp_path, {"finance/rules/cash.py": rule})
    assert "finance.rules.cash -> finance.models" in report
    assert "finance.rules.cash -> django.db.models" in report
    assert "Contracts: 2 kept, 2 broken." in report
