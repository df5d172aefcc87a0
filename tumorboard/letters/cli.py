"""`flask --app tumorboard file-letters`: write the filed copy of every issued letter that has none yet."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app

from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.letters.models import PlanLetter
from tumorboard.letters.operations import file_letters
from tumorboard.letters.views import bp

BATCH = 50


@bp.cli.command("file-letters")
def file_letters_command() -> None:
    """File issued letters whose copy under REPORTS_DIR could not be written when they were issued (a full disk)."""
    unfiled = list(
        db.session.scalars(sa.select(PlanLetter.id).where(PlanLetter.filed_at.is_(None)).order_by(PlanLetter.id))
    )
    failed: list[str] = []
    for start in range(0, len(unfiled), BATCH):  # a batch of PDFs in memory at a time, committed as it is filed
        batch = list(db.session.scalars(sa.select(PlanLetter).where(PlanLetter.id.in_(unfiled[start : start + BATCH]))))
        failed += file_letters(batch, Path(current_app.config["REPORTS_DIR"]), utcnow())
        db.session.commit()
    click.echo(f"{len(unfiled) - len(failed)} letter(s) filed.")
    if failed:
        raise click.ClickException(f"{len(failed)} could not be written: {', '.join(failed)}")
