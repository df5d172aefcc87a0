"""Calendar feeds: each series' and each user's, through a secret link (a revocable token in the URL)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, url_for

from tumorboard.auth.models import User
from tumorboard.conferences.ical import FeedEvent, calendar_bytes
from tumorboard.conferences.models import Conference, ConferenceSeries, SeriesMember
from tumorboard.conferences.queries import agenda_size
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.room.models import Presentation
from tumorboard.tokens import MAX_TOKEN_LENGTH, same_token, token_digest
from tumorboard.web.access import public

bp = Blueprint("calendar", __name__, url_prefix="/calendar")

PAST = timedelta(days=90)
AHEAD = timedelta(weeks=26)


def _uid_domain() -> str:
    return "".join(ch for ch in current_app.config["PROGRAM_NAME"].lower() if ch.isalnum()) or "tumorboard"


def feed_events(where: sa.ColumnElement[bool], now: datetime) -> list[FeedEvent]:
    """Conferences as feed events: counts and links only (one query)."""
    rows = db.session.execute(
        sa.select(Conference, ConferenceSeries.name, ConferenceSeries.timezone, agenda_size())
        .join(ConferenceSeries, Conference.series_id == ConferenceSeries.id)
        .where(where, Conference.starts_at >= now - PAST, Conference.starts_at < now + AHEAD)
        .order_by(Conference.starts_at)
    ).all()
    domain = _uid_domain()
    return [
        FeedEvent(
            uid=f"conference-{c.id}@{domain}.tumorboard",
            summary=name,
            starts_at=c.starts_at,
            duration_minutes=c.duration_minutes,
            timezone=tz,
            place=c.place,
            video_link=c.video_link,
            case_count=n,
            url=url_for("conferences.show", conference_id=c.id, _external=True),
            cancelled=c.status.value == "cancelled",
            sequence=c.sequence,
            changed_at=c.updated_at,
        )
        for c, name, tz, n in rows
    ]


def _ics(name: str, events: list[FeedEvent]) -> Response:
    response = Response(calendar_bytes(name, events, utcnow()), mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Content-Disposition"] = "inline; filename=tumorboard.ics"
    return response


@bp.route("/series/<int:series_id>.ics")
@public
def old_series_feed(series_id: int) -> Response:
    """The public series feed of earlier releases: gone, since it gave anyone a board's video link."""
    abort(404, description="Board calendars are private: ask the coordinator for the board's calendar link, or use "
                           "the personal calendar link on your profile.")


@bp.route("/s/<token>.ics")
@public
def series_feed(token: str) -> Response:
    """A series' conferences, through the series' secret link (calendar apps cannot sign in); no patient data."""
    series = _holder(ConferenceSeries, "feed_token", token)
    return _ics(series.name, feed_events(Conference.series_id == series.id, utcnow()))


@bp.route("/u/<token>.ics")
@public
def personal_feed(token: str) -> Response:
    """The conferences of the series a user belongs to and those where they present; unknown or revoked token: 404."""
    user = _holder(User, "calendar_token", token)
    if not user.active:
        abort(404)
    member = sa.select(SeriesMember.series_id).where(SeriesMember.user_id == user.id)
    presenting = sa.select(Presentation.conference_id).where(Presentation.presenter_id == user.id)
    return _ics(
        f"TumorBoard: {user.full_name}",
        feed_events(Conference.series_id.in_(member) | Conference.id.in_(presenting), utcnow()),
    )


def _holder(model: type, attribute: str, token: str) -> object:
    """The row whose link `token` is: found by the token's digest, then compared in constant time; 404 otherwise."""
    found = None
    if len(token) <= MAX_TOKEN_LENGTH:
        found = db.session.scalar(sa.select(model).where(getattr(model, f"{attribute}_digest") == token_digest(token)))
    if found is None or not same_token(getattr(found, attribute), token):
        abort(404)
    return found
