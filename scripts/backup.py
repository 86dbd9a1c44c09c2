#!/usr/bin/env python3
"""Back up and restore the database and the uploaded files: ``make backup`` / ``make restore``.

    python scripts/backup.py backup [--out DIR]
    python scripts/backup.py restore FILE [--force]

A backup is one archive ``backups/agency-<UTC timestamp>.tar.gz`` holding ``manifest.json``, the
database (``database.pgdump``: ``pg_dump --format=custom``; or ``database.sqlite3``: SQLite's
online backup, safe while the site is running) and ``media/`` (everything under MEDIA_ROOT).

The database and MEDIA_ROOT are found as config/settings.py finds them: ``DATABASE_URL``
(default ``sqlite:///<project>/db.sqlite3``) and ``MEDIA_ROOT`` (default ``<project>/media``);
no SECRET_KEY is needed. PostgreSQL credentials reach pg_dump/pg_restore through PG* environment
variables, never the command line. Restoring into a database that already has tables, or a
MEDIA_ROOT that already has files, is refused unless ``--force`` is given.
Exit status: 0 done, 1 refused or failed (one line on stderr), 2 bad usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
FORMAT_VERSION = 1
PG_DUMP_NAME = "database.pgdump"
SQLITE_DUMP_NAME = "database.sqlite3"


class BackupError(Exception):
    """A refusal or failure to report to the operator as one line."""


# --- where things are ------------------------------------------------------------------------


def database_config(database_url: str | None = None) -> dict:
    url = database_url or os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    config = dj_database_url.parse(url)
    engine = config["ENGINE"]
    if engine.endswith("sqlite3"):
        config["KIND"] = "sqlite"
    elif engine.endswith("postgresql") or "postgis" in engine:
        config["KIND"] = "postgresql"
    else:
        raise BackupError(f"Unsupported database engine {engine}: only PostgreSQL and SQLite are handled.")
    return config


def media_root(value: str | os.PathLike | None = None) -> Path:
    return Path(value or os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")


def _pg_env(config: dict) -> dict:
    env = dict(os.environ)
    for key, setting in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if config.get(setting):
            env[key] = str(config[setting])
    env["PGDATABASE"] = config["NAME"]
    sslmode = (config.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _run(command: list[str], env: dict) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian/Ubuntu: apt install postgresql-client).")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(
            f"{command[0]} failed: {detail[-1] if detail else 'exit ' + str(result.returncode)}"
        )


# --- backup ----------------------------------------------------------------------------------


def backup(*, out_dir: Path, database_url: str | None = None, media: str | os.PathLike | None = None) -> Path:
    """Write one timestamped archive of the database and MEDIA_ROOT into ``out_dir``."""
    config = database_config(database_url)
    media_dir = media_root(media)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    target = out_dir / f"agency-{stamp}.tar.gz"
    suffix = 1
    while target.exists():
        suffix += 1
        target = out_dir / f"agency-{stamp}-{suffix}.tar.gz"

    with tempfile.TemporaryDirectory(prefix="agency-backup-") as tmp:
        if config["KIND"] == "sqlite":
            dump = Path(tmp) / SQLITE_DUMP_NAME
            _sqlite_backup(Path(config["NAME"]), dump)
        else:
            dump = Path(tmp) / PG_DUMP_NAME
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}"], _pg_env(config))
        media_files = [p for p in sorted(media_dir.rglob("*")) if p.is_file()] if media_dir.is_dir() else []
        manifest = {
            "format": FORMAT_VERSION,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database_kind": config["KIND"],
            "database_file": dump.name,
            "media_files": len(media_files),
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            manifest_path = Path(tmp) / "manifest.json"
            manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
            archive.add(manifest_path, arcname="manifest.json")
            archive.add(dump, arcname=dump.name)
            for path in media_files:
                archive.add(path, arcname=f"media/{path.relative_to(media_dir).as_posix()}")
        partial.replace(target)  # a half-written archive never carries the final name
    target.chmod(0o600)  # it holds personal data
    return target


def _sqlite_backup(source: Path, dump: Path) -> None:
    if not source.is_file():
        raise BackupError(f"No SQLite database at {source}.")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(dump)
    try:
        with dst:
            src.backup(dst)  # SQLite's online backup: consistent even while the site writes
    finally:
        dst.close()
        src.close()


# --- restore ---------------------------------------------------------------------------------


def restore(
    *,
    archive: Path,
    database_url: str | None = None,
    media: str | os.PathLike | None = None,
    force: bool = False,
) -> dict:
    """Restore an archive made by ``backup`` into the configured database and MEDIA_ROOT."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"No backup file at {archive}.")
    config = database_config(database_url)
    media_dir = media_root(media)
    with tempfile.TemporaryDirectory(prefix="agency-restore-") as tmp:
        manifest = _extract(archive, Path(tmp))
        if manifest.get("database_kind") != config["KIND"]:
            raise BackupError(
                f"This backup holds a {manifest.get('database_kind')} database but DATABASE_URL points to "
                f"{config['KIND']}; restore it into the same kind of database."
            )
        tables = _table_count(config)
        if tables and not force:
            raise BackupError(
                f"Refusing to restore: the target database already has {tables} tables. A restore replaces "
                "its contents; back it up first, then re-run with --force (make restore FILE=... FORCE=1)."
            )
        if _has_files(media_dir) and not force:
            raise BackupError(
                f"Refusing to restore: MEDIA_ROOT ({media_dir}) already holds files. Re-run with --force to "
                "move them aside and restore the backup's files."
            )
        dump = Path(tmp) / manifest["database_file"]
        if config["KIND"] == "sqlite":
            _sqlite_restore(dump, Path(config["NAME"]))
        else:
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    f"--dbname={config['NAME']}",
                    str(dump),
                ],
                _pg_env(config),
            )
        _restore_media(Path(tmp) / "media", media_dir)
    return manifest


def _extract(archive: Path, into: Path) -> dict:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(into, filter="data")  # "data" refuses absolute paths, links out, devices
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive} is not a readable backup archive ({exc}).") from exc
    try:
        manifest = json.loads((into / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{archive} has no manifest.json: not a backup made by this script.") from exc
    if manifest.get("format") != FORMAT_VERSION or not (into / str(manifest.get("database_file"))).is_file():
        raise BackupError(f"{archive} is not a backup of a format this script reads.")
    return manifest


def _table_count(config: dict) -> int:
    if config["KIND"] == "sqlite":
        path = Path(config["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return 0
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]
    import psycopg

    env = _pg_env(config)
    try:
        with psycopg.connect(
            host=env.get("PGHOST"),
            port=env.get("PGPORT"),
            user=env.get("PGUSER"),
            password=env.get("PGPASSWORD"),
            dbname=config["NAME"],
            sslmode=env.get("PGSSLMODE"),
            connect_timeout=10,
        ) as conn:
            return conn.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            ).fetchone()[0]
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BackupError(
            f"Cannot open the target database {config['NAME']!r} ({first}). Create it first "
            f"(createdb {config['NAME']}) and check DATABASE_URL."
        ) from exc


def _sqlite_restore(dump: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)  # replaces every page of the target, in one step
    finally:
        dst.close()
        src.close()


def _has_files(directory: Path) -> bool:
    return directory.is_dir() and any(p.is_file() for p in directory.rglob("*"))


def _restore_media(source: Path, media_dir: Path) -> None:
    if _has_files(media_dir):
        aside = media_dir.with_name(
            f"{media_dir.name}.before-restore-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}"
        )
        media_dir.rename(aside)
        print(f"Existing uploads moved to {aside}", file=sys.stderr)
    media_dir.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, media_dir, dirs_exist_ok=True)


# --- command line ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Back up or restore the database and uploaded files.")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write backups/agency-<timestamp>.tar.gz")
    make.add_argument("--out", type=Path, default=BASE_DIR / "backups", help="folder (default: backups/)")
    back = commands.add_parser("restore", help="restore an archive made by 'backup'")
    back.add_argument("file", type=Path)
    back.add_argument("--force", action="store_true", help="replace a database or uploads that are not empty")
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            path = backup(out_dir=args.out)
            print(f"Backup written: {path} ({path.stat().st_size:,} bytes)")
        else:
            manifest = restore(archive=args.file, force=args.force)
            print(
                f"Restored {args.file}: {manifest['database_kind']} database from {manifest['created']}, "
                f"{manifest['media_files']} uploaded files. Run 'manage.py migrate' if the code is newer."
            )
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
