"""Dashboard and health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user

from tumorboard.dashboard.queries import build_dashboard
from tumorboard.extensions import db
from tumorboard.program.settings import program_zone
from tumorboard.web.access import public, signed_in
from tumorboard.web.actor import current_actor

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@signed_in
def index() -> str:
    """The landing page, fitted to the user's roles."""
    board = build_dashboard(current_user, current_actor().now, program_zone())
    return render_template("dashboard/index.html", board=board)


@bp.route("/healthz")
@public
def healthz() -> tuple[dict[str, str], int]:
    """For load balancers: the app answers and the database is reachable."""
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}, 200
