"""`flask --app tumorboard generate-conferences`: keep every active
series' occurrences generated ahead (run it daily).
"""

from __future__ import annotations

import click
import sqlalchemy as sa

from tumorboard.conferences.models import ConferenceSeries
from tumorboard.conferences.operations import generate_occurrences
from tumorboard.conferences.views import bp
from tumorboard.db import utcnow
from tumorboard.extensions import db


@bp.cli.command("generate-conferences")
def generate_conferences_command() -> None:
    """Create the missing occurrences of each active series for its configured weeks ahead."""
    now = utcnow()
    total = 0
    for series in db.session.scalars(
        sa.select(ConferenceSeries).where(ConferenceSeries.active.is_(True)).order_by(ConferenceSeries.name)
    ):
        created = generate_occurrences(series, now)
        total += created
        if created:
            click.echo(f"{series.name}: {created} new occurrence{'s' if created != 1 else ''}")
    db.session.commit()
    click.echo(f"{total} occurrence{'s' if total != 1 else ''} generated.")
