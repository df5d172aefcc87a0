"""TumorBoard: manager for multidisciplinary cancer conferences."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from tumorboard import schema  # noqa: F401  (every model, so the metadata and Alembic see the whole schema)
from tumorboard.audit.operations import install_append_only_guard
from tumorboard.audit.views import bp as audit_bp
from tumorboard.auth import cli as auth_cli  # noqa: F401  (commands register on their blueprint)
from tumorboard.auth.views import bp as auth_bp
from tumorboard.benchmarks.cli import bp as benchmarks_bp
from tumorboard.cases import cli as cases_cli  # noqa: F401
from tumorboard.cases.views import bp as cases_bp
from tumorboard.conferences import cli as conferences_cli  # noqa: F401
from tumorboard.conferences.feeds import bp as calendar_bp
from tumorboard.conferences.views import bp as conferences_bp
from tumorboard.config import (
    INSTANCE_DIR,
    ConfigError,
    flask_config,
    instance_secret_key,
    load_config,
    private_sqlite_file,
)
from tumorboard.dashboard.views import bp as dashboard_bp
from tumorboard.db import configure_sqlite_connections
from tumorboard.demo.cli import bp as demo_bp
from tumorboard.extensions import bootstrap, csrf, db, login_manager, migrate
from tumorboard.letters import cli as letters_cli  # noqa: F401
from tumorboard.letters.views import bp as letters_bp
from tumorboard.maintenance.backup import bp as maintenance_bp
from tumorboard.program.settings import local_time
from tumorboard.program.views import bp as program_bp
from tumorboard.reports import cli as reports_cli  # noqa: F401
from tumorboard.reports.exports import percent
from tumorboard.reports.views import bp as reports_bp
from tumorboard.room.views import bp as room_bp
from tumorboard.second_opinions.views import bp as second_opinions_bp
from tumorboard.users import cli as users_cli  # noqa: F401
from tumorboard.users.views import bp as users_bp
from tumorboard.vocab import Role
from tumorboard.web import errors, security
from tumorboard.web.access import enforce_access, may_use

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
BLUEPRINTS = (
    auth_bp,
    dashboard_bp,
    users_bp,
    audit_bp,
    cases_bp,
    conferences_bp,
    calendar_bp,
    room_bp,
    letters_bp,
    second_opinions_bp,
    program_bp,
    reports_bp,
    demo_bp,
    benchmarks_bp,
    maintenance_bp,
)


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the application; `config` overrides settings read from the environment (tests)."""
    try:
        settings = load_config(os.environ)
    except ConfigError as error:
        # A one-line message at start-up, not a traceback.
        print(f"tumorboard: configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None

    app = Flask(__name__, template_folder="../templates", instance_path=str(INSTANCE_DIR))
    app.config.from_mapping(flask_config(settings))
    if config:
        app.config.from_mapping(config)
    app.logger.setLevel(logging.INFO)
    if app.config["TRUSTED_PROXIES"]:
        # Behind the hospital's TLS proxy: the client's address (for throttling and the audit log) and scheme it
        # forwards.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    try:
        if not app.config["SECRET_KEY"]:
            app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:"):
            private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    except (ConfigError, OSError) as error:
        print(f"tumorboard: cannot prepare the instance folder: {error}", file=sys.stderr)
        raise SystemExit(2) from None

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see this page."
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    bootstrap.init_app(app)
    install_append_only_guard()
    configure_sqlite_connections()
    security.init_app(app)  # the session's limits are checked before access
    app.before_request(enforce_access)
    app.url_map.converters["int"] = DatabaseIdConverter  # before any route is added
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    errors.init_app(app)
    app.context_processor(_layout_context)
    app.add_template_filter(local_time, "local")
    app.add_template_filter(lambda left, right: zip(left, right, strict=True), "zip")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(lambda number: f"{number:,}", "thousands")
    return app


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in URLs only matches ids the database can hold: a larger number is a 404, not a database error."""

    def __init__(self, url_map: Map, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _layout_context() -> dict[str, object]:
    """Role checks for the templates: `can(*roles)`, and `may(endpoint)`, whether a link to a route can be followed."""

    def can(*roles: str) -> bool:
        return current_user.is_authenticated and current_user.has_role(*(Role(r) for r in roles))

    return {"can": can, "may": may_use}
