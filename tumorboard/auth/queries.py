"""What the user's own pages show."""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.auth.models import User
from tumorboard.conferences.models import ConferenceSeries, SeriesMember
from tumorboard.extensions import db


def boards_of(user: User) -> list[tuple[int, str, SeriesMember]]:
    """The boards the user sits on (id, name, membership), by name: one query."""
    return [
        (series_id, name, member)
        for series_id, name, member in db.session.execute(
            sa.select(ConferenceSeries.id, ConferenceSeries.name, SeriesMember)
            .join(SeriesMember, SeriesMember.series_id == ConferenceSeries.id)
            .where(SeriesMember.user_id == user.id)
            .order_by(ConferenceSeries.name)
        )
    ]
