"""Dashboard and health check."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template
from flask_login import current_user

from tumorboard.dashboard.queries import build_dashboard
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.web.access import public, signed_in

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@signed_in
def index() -> str:
    """The landing page, fitted to the user's roles."""
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    return render_template("dashboard/index.html", board=build_dashboard(current_user, utcnow(), tz))


@bp.route("/healthz")
@public
def healthz() -> tuple[dict[str, str], int]:
    """For load balancers: the app answers and the database is reachable."""
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}, 200
