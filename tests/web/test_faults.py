"""Faults: the database going away mid-request, a crash in the middle of a letter batch. Nothing half-written."""

from __future__ import annotations

import io
from pathlib import Path

import sqlalchemy as sa

from tests.web.test_letters import Presented, finalize, sign_in
from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db
from tumorboard.letters import operations as letter_operations
from tumorboard.letters.models import PlanLetter
from tumorboard.reports.models import AnalyticCaseload
from tumorboard.vocab import Role


def _gone(*_args, **_kwargs):
    raise sa.exc.OperationalError("COMMIT", {}, ConnectionError("server closed the connection unexpectedly"))


def test_the_database_going_away_mid_request_gives_the_error_page_and_writes_nothing(client, auth, make, monkeypatch):
    make.user(username="dana", roles=(Role.COORDINATOR,))
    auth.login("dana")
    monkeypatch.setattr(db.session, "commit", _gone)  # the rows are flushed, then the connection is lost
    response = client.post(
        "/reports/caseload", data={"file": (io.BytesIO(b"year,site_group,analytic_cases\n2025,breast,652\n"), "c.csv")}
    )
    assert response.status_code == 500 and b"Something went wrong on our side" in response.data
    monkeypatch.undo()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnalyticCaseload)) == 0
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.entity_type == "analytic_caseload")
        )
        == 0
    )


def test_a_crash_in_the_middle_of_a_letter_batch_leaves_no_letter_half_issued(make, auth, client, app, monkeypatch):
    first = Presented(make)
    second = first.beside(make)
    sign_in(auth, client, first.managing)
    finalize(client, first)
    finalize(client, second)
    real_render, calls = letter_operations.render, []

    def crash_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # the first case's two letters are made, the second case's first one crashes
            raise MemoryError("the worker ran out of memory")
        return real_render(*args, **kwargs)

    filed = lambda: set(Path(app.config["REPORTS_DIR"]).glob("letters/**/*.pdf"))  # noqa: E731  (shared by the session's tests)
    before = filed()
    monkeypatch.setattr(letter_operations, "render", crash_on_the_third)
    response = client.post(f"/letters/batch/{first.conference.id}", data={})
    assert response.status_code == 500
    monkeypatch.undo()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanLetter)) == 0  # the request was one transaction
    assert filed() == before  # files are filed only after the commit
    again = client.post(f"/letters/batch/{first.conference.id}", data={}, follow_redirects=True).data.decode()
    assert (
        "Letters issued for 2 cases." in again
        and db.session.scalar(sa.select(sa.func.count()).select_from(PlanLetter)) == 4
    )
