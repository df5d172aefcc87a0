"""backup and restore: a round trip gives back every row of every table."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from tumorboard.audit.operations import record
from tumorboard.cases.models import Case
from tumorboard.domain import Actor
from tumorboard.extensions import db
from tumorboard.reports.models import AnalyticCaseload
from tumorboard.vocab import Role, SiteGroup


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    rows = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            rows[table.name] = [
                tuple(row) for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
    return rows


def test_backup_and_restore_give_back_every_table(runner, make, tmp_path):
    coordinator = make.user(username="dana", roles=(Role.COORDINATOR,))
    presentation = make.presentation()
    db.session.add(AnalyticCaseload(year=2025, site_group=SiteGroup.BREAST, analytic_cases=652))
    record(Actor(coordinator, "10.0.0.1", datetime.now(UTC)), "view", "case", presentation.case_id, "")
    db.session.commit()
    before = snapshot()
    assert sum(len(rows) for rows in before.values()) > 10

    backup = tmp_path / "backups" / "tumorboard.maintenance.backup"
    made = runner.invoke(args=["backup", str(backup)])
    assert made.exit_code == 0, made.output
    assert oct(backup.stat().st_mode & 0o777) == "0o600"  # it holds patient data

    make.user(username="late", roles=(Role.PHYSICIAN,))
    db.session.execute(sa.update(Case).values(histology="changed after the backup"))
    record(Actor(None, None, datetime.now(UTC)), "view", "case", 99)
    db.session.commit()
    assert snapshot() != before

    refused = runner.invoke(args=["restore", str(backup)], input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output
    restored = runner.invoke(args=["restore", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert snapshot() == before


def test_restore_refuses_a_file_that_is_not_a_backup(runner, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database")
    result = runner.invoke(args=["restore", str(bogus), "--yes"])
    assert result.exit_code == 1 and "is not a" in result.output and "backup" in result.output
