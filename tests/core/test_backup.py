"""Backups restore every record, its audit history and the uploaded files (scripts/backup.py)."""

import importlib.util
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "backup.py"

_spec = importlib.util.spec_from_file_location("agency_backup_script", SCRIPT)
backup_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(backup_script)

SEED = """
import json
from tests.factories import AgencyFactory, StaffMemberFactory
agency = AgencyFactory(name="备份测试中心", slug="backup-test")
member = StaffMemberFactory(agency=agency, staff_no="B001", name="李备份")
member.name = "李恢复"
member.save()
print("IDS=" + json.dumps({"agency": agency.pk, "member": member.pk}))
"""


def _env(database_url: str, media: Path) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, DEBUG="1", MEDIA_ROOT=str(media), CONN_MAX_AGE="0")
    env.pop("CELERY_BROKER_URL", None)
    return env


def _manage(database_url: str, media: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(database_url, media),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _migrate_and_seed(database_url: str, media: Path) -> dict:
    _manage(database_url, media, "migrate", "--noinput", "-v0")
    out = _manage(database_url, media, "shell", "-c", SEED)
    ids = json.loads(re.search(r"IDS=(\{.*\})", out).group(1))
    (media / "scans").mkdir(parents=True, exist_ok=True)
    (media / "scans" / "cert-B001.pdf").write_bytes(b"%PDF-1.4 certificate scan")
    return ids


def _sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory):
    base = tmp_path_factory.mktemp("backup-src")
    db = base / "source.sqlite3"
    media = base / "media"
    media.mkdir()
    ids = _migrate_and_seed(f"sqlite:///{db}", media)
    return {"db": db, "url": f"sqlite:///{db}", "media": media, "ids": ids}


@pytest.fixture(scope="module")
def sqlite_archive(sqlite_source, tmp_path_factory):
    out = tmp_path_factory.mktemp("backups")
    return backup_script.backup(out_dir=out, database_url=sqlite_source["url"], media=sqlite_source["media"])


@pytest.mark.own_sqlite
def test_a_sqlite_backup_is_one_timestamped_private_archive(sqlite_archive):
    assert re.fullmatch(r"agency-\d{8}-\d{6}\.tar\.gz", sqlite_archive.name)
    assert sqlite_archive.stat().st_mode & 0o777 == 0o600
    import tarfile

    with tarfile.open(sqlite_archive) as tar:
        names = sorted(tar.getnames())
    assert names == ["database.sqlite3", "manifest.json", "media/scans/cert-B001.pdf"]


@pytest.mark.own_sqlite
def test_restoring_into_an_empty_database_brings_back_every_record_and_its_history(
    sqlite_source, sqlite_archive, tmp_path
):
    target = tmp_path / "restored.sqlite3"
    media = tmp_path / "media"
    manifest = backup_script.restore(archive=sqlite_archive, database_url=f"sqlite:///{target}", media=media)

    assert manifest["database_kind"] == "sqlite"
    assert manifest["media_files"] == 1
    source_counts = _sqlite_counts(sqlite_source["db"])
    assert _sqlite_counts(target) == source_counts
    assert source_counts["staff_staffmember"] >= 1
    ids = sqlite_source["ids"]
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT name FROM core_agency WHERE id = ?", (ids["agency"],)).fetchone() == (
            "备份测试中心",
        )
        assert conn.execute(
            "SELECT staff_no, name, agency_id FROM staff_staffmember WHERE id = ?", (ids["member"],)
        ).fetchone() == ("B001", "李恢复", ids["agency"])
        history = conn.execute(
            "SELECT name, history_type FROM staff_historicalstaffmember WHERE id = ? ORDER BY history_id",
            (ids["member"],),
        ).fetchall()
    assert history == [("李备份", "+"), ("李恢复", "~")]
    assert (media / "scans" / "cert-B001.pdf").read_bytes() == b"%PDF-1.4 certificate scan"


@pytest.mark.own_sqlite
def test_restoring_over_a_database_with_tables_is_refused_unless_forced(
    sqlite_source, sqlite_archive, tmp_path
):
    target = tmp_path / "live.sqlite3"
    with sqlite3.connect(target) as conn:
        conn.execute("CREATE TABLE newer_work (id integer)")
    with pytest.raises(backup_script.BackupError, match=r"already has 1 tables.*--force"):
        backup_script.restore(
            archive=sqlite_archive, database_url=f"sqlite:///{target}", media=tmp_path / "m"
        )
    assert set(_sqlite_counts(target)) == {"newer_work"}

    backup_script.restore(
        archive=sqlite_archive, database_url=f"sqlite:///{target}", media=tmp_path / "m", force=True
    )
    assert _sqlite_counts(target) == _sqlite_counts(sqlite_source["db"])


@pytest.mark.own_sqlite
def test_forced_restore_moves_existing_uploads_aside(sqlite_archive, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    (media / "later-upload.pdf").write_bytes(b"newer")
    target = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    with pytest.raises(backup_script.BackupError, match="MEDIA_ROOT"):
        backup_script.restore(archive=sqlite_archive, database_url=target, media=media)
    backup_script.restore(archive=sqlite_archive, database_url=target, media=media, force=True)
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == ["cert-B001.pdf"]
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("media.before-restore-")]
    assert len(aside) == 1
    assert (aside[0] / "later-upload.pdf").read_bytes() == b"newer"


@pytest.mark.own_sqlite
def test_the_command_line_backs_up_and_refuses_with_one_line_and_exit_1(sqlite_source, tmp_path):
    env = _env(sqlite_source["url"], sqlite_source["media"])
    made = subprocess.run(
        [sys.executable, str(SCRIPT), "backup", "--out", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    archives = list(tmp_path.glob("agency-*.tar.gz"))
    assert len(archives) == 1
    assert str(archives[0]) in made.stdout

    refused = subprocess.run(
        [sys.executable, str(SCRIPT), "restore", str(archives[0])],
        env=env,  # the source database is not empty
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: Refusing to restore")
    assert "Traceback" not in refused.stderr


@pytest.mark.own_sqlite
def test_a_sqlite_backup_is_not_restored_into_postgresql(sqlite_archive):
    with pytest.raises(backup_script.BackupError, match="holds a sqlite database"):
        backup_script.restore(archive=sqlite_archive, database_url="postgres://nobody@127.0.0.1:1/none")


def test_a_file_that_is_not_a_backup_is_named(tmp_path):
    bogus = tmp_path / "agency-20250101-000000.tar.gz"
    bogus.write_bytes(b"not a tar file")
    with pytest.raises(backup_script.BackupError, match="not a readable backup archive"):
        backup_script.restore(archive=bogus, database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")


def test_a_missing_sqlite_database_is_named(tmp_path):
    with pytest.raises(backup_script.BackupError, match="No SQLite database"):
        backup_script.backup(out_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'absent.sqlite3'}")


# --- PostgreSQL ------------------------------------------------------------------------------

PG_ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}
PG_SRC, PG_DST = "backup_test_src", "backup_test_dst"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(**PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def _pg_counts(dbname: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(**{**PG_ADMIN, "dbname": dbname}) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs DATABASE_URL=postgres://..."
)
def test_a_postgresql_backup_restores_every_record_and_its_history(tmp_path):
    for name in (PG_SRC, PG_DST):
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {name}")
    try:
        src_url = f"postgres://postgres@127.0.0.1:5432/{PG_SRC}"
        dst_url = f"postgres://postgres@127.0.0.1:5432/{PG_DST}"
        media = tmp_path / "media"
        media.mkdir()
        ids = _migrate_and_seed(src_url, media)

        archive = backup_script.backup(out_dir=tmp_path / "backups", database_url=src_url, media=media)
        with pytest.raises(backup_script.BackupError, match="already has"):
            backup_script.restore(archive=archive, database_url=src_url, media=tmp_path / "m0")
        backup_script.restore(archive=archive, database_url=dst_url, media=tmp_path / "restored-media")

        assert _pg_counts(PG_DST) == _pg_counts(PG_SRC)
        import psycopg

        with psycopg.connect(**{**PG_ADMIN, "dbname": PG_DST}) as conn:
            history = conn.execute(
                "SELECT name, history_type FROM staff_historicalstaffmember WHERE id = %s ORDER BY history_id",
                (ids["member"],),
            ).fetchall()
        assert history == [("李备份", "+"), ("李恢复", "~")]
        assert (tmp_path / "restored-media" / "scans" / "cert-B001.pdf").is_file()
    finally:
        for name in (PG_SRC, PG_DST):
            _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
