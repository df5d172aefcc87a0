"""An auditor searches the audit log and exports what they found."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from tumorboard.audit.models import AuditEntry
from tumorboard.audit.operations import record
from tumorboard.domain import Actor
from tumorboard.extensions import db
from tumorboard.vocab import Role


def _entries(make):
    dana = make.user(username="dana", roles=(Role.COORDINATOR,))
    skim = make.user(username="skim", roles=(Role.PHYSICIAN,))
    record(Actor(dana, "10.0.0.1", datetime.now(UTC)), "view", "case", 7, "")
    record(Actor(skim, "10.0.0.2", datetime.now(UTC)), "view", "case", 8, "")
    record(Actor(skim, "10.0.0.2", datetime.now(UTC)), "update", "case", 7, '=HYPERLINK("http://x.example.org")')
    db.session.commit()
    return make.user(username="audrey", roles=(Role.AUDITOR,))


def test_search_by_user_record_and_action(client, auth, make):
    _entries(make)
    auth.login("audrey")
    page = client.get("/audit/?username=skim&entity_type=case&entity_id=7").get_data(as_text=True)
    assert "1 entry" in page and "update" in page and "10.0.0.2" in page
    assert "2 entries" in client.get("/audit/?entity_id=7").get_data(as_text=True)
    bad = client.get("/audit/?entity_id=seven&date_from=monday").get_data(as_text=True)
    assert "Ignored the record number" in bad and "Ignored the from date" in bad


def test_a_page_past_the_end_shows_the_last_page(client, auth, make):
    _entries(make)
    auth.login("audrey")
    for page in ("99999999999999999999", "5", "-3", "x"):
        response = client.get(f"/audit/?page={page}")
        assert response.status_code == 200 and "page 1 of 1" in response.get_data(as_text=True).lower(), page


def test_export_is_the_search_as_csv_and_is_itself_audited(client, auth, make):
    auditor = _entries(make)
    auth.login("audrey")
    response = client.get("/audit/export.csv?username=skim")
    assert response.headers["Content-Disposition"] == 'attachment; filename="audit-log.csv"'
    frame = pd.read_csv(io.StringIO(response.get_data(as_text=True)), dtype=str)
    assert list(frame.columns) == [
        "at", "user", "action", "record_type", "record_id", "cases", "patient_mrns", "detail", "from"
    ]
    assert frame["at"].str.endswith(("-05:00", "-04:00")).all()  # the program's zone (America/New_York), said
    assert frame["action"].tolist() == ["view", "update"]  # oldest first
    assert frame["detail"].iloc[1].startswith("'=HYPERLINK")  # a formula is written as text
    logged = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_type == "audit_log"))
    assert (
        logged.user_id == auditor.id
        and logged.action == "export"
        and "rows=2" in logged.detail
        and "username=skim" in logged.detail
    )


def test_only_auditors_and_admins_read_the_log(client, auth, make):
    make.user(username="nina", roles=(Role.NAVIGATOR,))
    auth.login("nina")
    assert client.get("/audit/").status_code == 403 and client.get("/audit/export.csv").status_code == 403
