"""`flask --app tumorboard backup FILE` and `restore FILE`: a whole, consistent copy of the database and back.

SQLite: the sqlite3 online-backup API (a consistent copy while the app runs). PostgreSQL: pg_dump's custom
format and pg_restore (the client tools of the server's version, from PATH or /usr/lib/postgresql/*/bin); the
password goes through the environment, never the command line.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess  # pg_dump and pg_restore, run with argument lists, never a shell
from pathlib import Path

import click
from flask import Blueprint, current_app
from sqlalchemy.engine import make_url

from tumorboard.extensions import db
from tumorboard.storage import create_private_file

bp = Blueprint("maintenance", __name__, cli_group=None)

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason."""


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client).")
    return found


def _pg_arguments(url_text: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the PostgreSQL client tools, and the environment carrying the password."""
    url = make_url(url_text)
    arguments = ["--host", url.host or "localhost", "--port", str(url.port or 5432), "--dbname", url.database or ""]
    if url.username:
        arguments += ["--username", url.username]
    environment = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if url.password:
        environment["PGPASSWORD"] = url.password
    return arguments, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-500:]}")


def backup_database(url_text: str, target: Path) -> None:
    """Write a whole copy of the database at `url_text` to `target`."""
    url = make_url(url_text)
    create_private_file(target)  # a whole copy of the patient data: its owner's only, before a byte is written
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return
    arguments, environment = _pg_arguments(url_text)
    _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *arguments], environment)


def restore_database(url_text: str, source: Path) -> None:
    """Replace the whole database at `url_text` with the copy in `source` (every table, every row)."""
    url = make_url(url_text)
    header = source.read_bytes()[:16]
    db.session.remove()
    db.engine.dispose()  # no connection of ours may hold the database while it is replaced
    if url.get_backend_name() == "sqlite":
        if not header.startswith(SQLITE_HEADER):
            raise BackupError(f"{source.name} is not an SQLite backup.")
        with sqlite3.connect(source) as copy, sqlite3.connect(url.database) as live:
            copy.backup(live)
        return
    if not header.startswith(PG_DUMP_HEADER):
        raise BackupError(f"{source.name} is not a PostgreSQL backup made by `backup` (pg_dump custom format).")
    arguments, environment = _pg_arguments(url_text)
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *arguments,
            str(source),
        ],
        environment,
    )


@bp.cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a whole, consistent copy of the database to PATH (it holds
    patient data: keep it as safe as the database).
    """
    try:
        backup_database(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except (BackupError, sqlite3.Error) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {path} ({path.stat().st_size:,} bytes).")


@bp.cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace EVERYTHING in the database with the backup in PATH."""
    if not yes:
        click.confirm("This replaces every table of the database with the backup. Continue?", abort=True)
    try:
        restore_database(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except (BackupError, sqlite3.Error) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored from {path}.")
