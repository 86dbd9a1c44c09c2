"""Every command finds its agency the same way (cli.md: ``--agency SLUG``, optional with one agency)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.importing.cli import resolve_agency
from core.models import Agency

NO_AGENCY = (
    "No agency exists yet; create one first: manage.py create_agency SLUG --name NAME --director USERNAME"
)

FILE = "{file}"  # stands for a file in the test's folder
COMMANDS = [
    ("import_staff", FILE),
    ("import_training", FILE),
    ("import_ledger", FILE, "--contract", "JX-XF-2025-01"),
    ("load_contract", FILE),
    ("scan_flags",),
    ("report", "retention", "--year", "2025", "--format", "json"),
]


def _error(args, tmp_path) -> tuple[CommandError, str]:
    path = tmp_path / "file.csv"
    path.write_bytes(b"staff_no\r\nS1\r\n")
    name, *rest = (str(path) if arg == FILE else arg for arg in args)
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(name, *rest, stdout=io.StringIO(), stderr=err)
    return raised.value, err.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("args", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_without_any_agency_every_command_says_to_create_one_and_exits_1(args, tmp_path):
    error, _stderr = _error(args, tmp_path)
    assert str(error) == NO_AGENCY
    assert error.returncode == 1


@pytest.mark.django_db
@pytest.mark.parametrize("args", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_with_several_agencies_every_command_asks_for_agency_by_the_same_words(args, tmp_path):
    Agency.objects.create(name="信丰县阳光社会工作服务中心", slug="xinfeng")
    Agency.objects.create(name="安远县社工站", slug="anyuan")
    error, _stderr = _error(args, tmp_path)
    assert str(error) == "There are several agencies (anyuan, xinfeng); choose one with --agency."
    assert error.returncode == 1
    error, _stderr = _error([*args, "--agency", "nowhere"], tmp_path)
    assert str(error) == "There is no agency with the short name nowhere (known: anyuan, xinfeng)."


@pytest.mark.django_db
def test_an_import_command_prints_the_agency_problem_on_stderr_too(tmp_path):
    _raised, stderr = _error(("import_staff", FILE), tmp_path)
    assert stderr == NO_AGENCY + "\n"


@pytest.mark.django_db
@pytest.mark.parametrize("written", ["XINFENG", "XinFeng", " xinfeng "])
def test_the_agency_slug_is_matched_without_regard_to_case(written):
    xinfeng = Agency.objects.create(name="信丰县阳光社会工作服务中心", slug="xinfeng")
    Agency.objects.create(name="安远县社工站", slug="anyuan")
    assert resolve_agency(written) == xinfeng


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [
        ("report", "retention", "--year", "2025", "--format", "json"),
        ("scan_flags", "--format", "json"),
        ("verify_totals",),
    ],
    ids=["report", "scan_flags", "verify_totals"],
)
def test_a_command_finds_the_agency_written_in_another_case(args):
    Agency.objects.create(name="信丰县阳光社会工作服务中心", slug="xinfeng")
    Agency.objects.create(name="安远县社工站", slug="anyuan")
    out = io.StringIO()
    call_command(*args, "--agency", "XinFeng", stdout=out, stderr=io.StringIO())
    assert out.getvalue() != ""


@pytest.mark.django_db
def test_a_slug_matching_several_agencies_only_in_case_is_refused_with_the_candidates():
    # create_agency refuses such a pair; the admin or a database edit can still make one.
    Agency.objects.create(name="信丰县阳光社会工作服务中心", slug="xinfeng")
    upper = Agency.objects.create(name="信丰县另一中心", slug="XinFeng")
    with pytest.raises(CommandError) as raised:
        resolve_agency("XINFENG")
    assert str(raised.value) == (
        "The short name XINFENG matches several agencies that differ only in case "
        "(XinFeng, xinfeng); write it exactly as one of them."
    )
    assert resolve_agency("XinFeng") == upper


@pytest.mark.django_db
def test_verify_totals_names_an_unknown_agency_like_every_command():
    Agency.objects.create(name="信丰县阳光社会工作服务中心", slug="xinfeng")
    with pytest.raises(CommandError) as raised:
        call_command("verify_totals", "--agency", "nowhere", stdout=io.StringIO())
    assert str(raised.value) == "There is no agency with the short name nowhere (known: xinfeng)."
