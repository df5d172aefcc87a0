"""`flask --app tumorboard access-table`: every route and who may use it."""

from __future__ import annotations

import click

from tumorboard.auth.views import bp
from tumorboard.web.access import access_markdown


@bp.cli.command("access-table")
def access_table_command() -> None:
    """Print every route and who may use it (the table of docs/security.md)."""
    click.echo(access_markdown(), nl=False)
