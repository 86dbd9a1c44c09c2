"""cli.md: every command exits 1 with a one-line summary on stderr for invalid input, never
argparse's usage text and exit status 2 (core.management.base)."""

from __future__ import annotations

import pytest
from django.core.management import get_commands, load_command_class

#: The product's own commands (the apps' ``management/commands``), found, not listed by hand.
OURS = sorted(
    name
    for name, app in get_commands().items()
    if app.split(".")[0] in {"core", "staff", "training", "supervision", "finance", "delivery", "overview"}
)


def run(capsys, name: str, *args: str) -> tuple[int, str]:
    command = load_command_class(get_commands()[name], name)
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["manage.py", name, *args])
    return exited.value.code, capsys.readouterr().err


def test_the_products_commands_are_all_found():
    assert {"create_agency", "seed_demo", "import_staff", "import_training", "load_contract"} <= set(OURS)
    assert {"import_ledger", "import_activities", "scan_flags", "report"} <= set(OURS)


@pytest.mark.parametrize("name", OURS)
def test_an_unknown_option_exits_1_with_one_line(name, capsys):
    code, err = run(capsys, name, "--no-such-option")
    assert code == 1
    assert err.startswith(f"manage.py {name}: error: ") and err.count("\n") == 1 and "usage:" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["scan_flags", "--format", "xml"],
            "argument --format: invalid choice: 'xml' (choose from 'text', 'json')",
        ),
        (
            ["seed_demo", "--size", "medium"],
            "argument --size: invalid choice: 'medium' (choose from 'small', 'large')",
        ),
        (["create_agency", "demo3"], "the following arguments are required: --name"),
        (["import_ledger", "ledger.csv"], "the following arguments are required: --contract"),
        (["import_activities", "a.csv"], "the following arguments are required: --contract"),
        (["import_staff"], "the following arguments are required: path"),
        (["load_contract"], "the following arguments are required: path"),
    ],
)
def test_a_missing_or_wrong_argument_exits_1_with_one_line(args, message, capsys):
    code, err = run(capsys, args[0], *args[1:])
    assert (code, err) == (1, f"manage.py {args[0]}: error: {message}\n")


@pytest.mark.django_db
def test_a_refusal_from_the_command_line_is_its_message_alone(capsys):
    """Django writes ``CommandError: …``: an English class name before the message."""
    code, err = run(capsys, "report", "retention", "--format", "json")
    assert (code, err) == (1, "report retention needs --year\n")


@pytest.mark.django_db
def test_a_refusal_through_call_command_is_still_raised():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="needs --year"):
        call_command("report", "retention", "--format", "json")
