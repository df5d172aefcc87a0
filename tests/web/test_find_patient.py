"""'Find a patient' from the header, and the audit trail that answers "who looked at this patient"."""

from __future__ import annotations

import io
import logging
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from tumorboard.audit.models import AuditEntry, AuditSubject
from tumorboard.auth.models import User
from tumorboard.cases.models import Patient
from tumorboard.cases.operations import SEARCHES_PER_MINUTE
from tumorboard.extensions import db
from tumorboard.program.models import PROGRAM_SETTINGS_ID, ProgramSettings
from tumorboard.vocab import CaseStatus, Role, SiteGroup


@pytest.fixture
def maria(make):
    """María O'Connor-Nguyen with a breast case on next week's agenda and an older withdrawn one; and a namesake."""
    patient = make.patient(mrn="MR204511", last_name="O'Connor-Nguyen", first_name="María",
                           birth_date=date(1961, 2, 3))
    case = make.case(patient=patient)
    old = make.case(patient=patient, site_group=SiteGroup.THORACIC, status=CaseStatus.WITHDRAWN)
    series = make.series(name="Breast Tumor Board")
    start = datetime.now(UTC) + timedelta(days=5)
    make.presentation(conference=make.conference(series=series, starts_at=start, occurrence_start=start), case=case)
    make.case(patient=make.patient(mrn="MR300001", last_name="Connors", first_name="Mark"))
    db.session.commit()
    return patient, case, old


def _find(client, text: str) -> str:
    return client.post("/cases/find", data={"q": text}).get_data(as_text=True)


@pytest.mark.parametrize("typed", ["MR204511", "o'con mar", "oconnor", "NGUY", "maria o", "Mari", "1961-02-03",
                                   "02/03/1961"])
def test_maria_is_found_by_mrn_name_beginnings_or_birth_date(make, auth, client, maria, typed):
    auth.login(make.user(roles=(Role.COORDINATOR,)).username)
    page = _find(client, typed)
    assert "O&#39;Connor-Nguyen, María" in page and "Connors" not in page
    assert "next: Breast Tumor Board" in page and "Withdrawn" in page  # her cases, with status and next conference


@pytest.mark.parametrize("by", ["case", "#case"])
def test_a_case_number_finds_its_patient(make, auth, client, maria, by):
    _, case, _ = maria
    auth.login(make.user(roles=(Role.PHYSICIAN,)).username)
    page = _find(client, f"#{case.id}" if by == "#case" else str(case.id))
    assert "O&#39;Connor-Nguyen, María" in page and f'href="/cases/{case.id}"' in page


def test_nothing_found_and_too_little_typed_say_so(make, auth, client, maria):
    auth.login(make.user(roles=(Role.PHYSICIAN,)).username)
    assert "No patient found" in _find(client, "zzyzx")
    assert "type at least two letters" in _find(client, "m")
    assert "Type at most 80 characters." in _find(client, "m" * 81)


def test_the_search_is_posted_audited_by_kind_and_patients_shown_and_never_logged(make, auth, client, maria, caplog):
    patient, _, _ = maria
    user = make.user(roles=(Role.NAVIGATOR,))
    auth.login(user.username)
    assert client.get("/cases/find?q=oconnor").status_code == 200  # a GET searches nothing
    with caplog.at_level(logging.DEBUG):
        _find(client, "o'connor")
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "search")).one()
    assert (entry.user_id, entry.entity_type, entry.detail) == (user.id, "patient", "kind=name;found=1")
    assert db.session.scalars(sa.select(AuditSubject.patient_id).where(AuditSubject.audit_id == entry.id)).all() == [
        patient.id
    ]
    assert "connor" not in caplog.text.casefold()
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.detail.ilike("%connor%")
    ))


def test_own_boards_only_finds_only_the_physicians_patients(make, auth, client, maria):
    settings = ProgramSettings(id=PROGRAM_SETTINGS_ID, restrict_cases_to_series=True)
    db.session.merge(settings)
    db.session.commit()
    auth.login(make.user(roles=(Role.PHYSICIAN,)).username)
    assert "No patient found" in _find(client, "MR204511")


def test_searching_is_throttled(make, auth, client, maria):
    auth.login(make.user(roles=(Role.PHYSICIAN,)).username)
    for _ in range(SEARCHES_PER_MINUTE):
        _find(client, "zzyzx")
    assert "Wait a minute" in _find(client, "MR204511")


def test_the_search_runs_the_same_statements_for_ten_or_hundreds_of_patients(make, auth, client, count_statements):
    auth.login(make.user(roles=(Role.COORDINATOR,)).username)
    counts = []
    for total in (10, 300):
        while db.session.scalar(sa.select(sa.func.count()).select_from(Patient)) < total:
            make.case(patient=make.patient(last_name="Smith"))
        db.session.commit()
        with count_statements() as counter:
            _find(client, "smith")
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_the_auditor_finds_who_looked_at_maria_on_one_page_and_in_the_export(make, auth, client, maria):
    patient, case, old = maria
    coordinator = make.user(username="dana", roles=(Role.COORDINATOR,))
    surgeon = make.user(username="skim", roles=(Role.PHYSICIAN,))
    db.session.commit()
    auth.login(coordinator.username)
    client.get("/cases/?status=any")  # the queue lists her two cases among others
    client.post("/logout")
    auth.login(surgeon.username)
    client.get(f"/cases/{case.id}")
    client.post("/logout")
    auth.login(make.user(username="audrey", roles=(Role.AUDITOR,)).username)
    found = _find(client, "o'connor")
    assert f'href="/audit/?patient_id={patient.id}"' in found
    page = client.get(f"/audit/?patient_id={patient.id}").get_data(as_text=True)
    assert "Entries concerning <strong>O&#39;Connor-Nguyen, María</strong>" in page
    assert "dana" in page and "skim" in page and f'href="/cases/{old.id}"' in page
    frame = pd.read_csv(io.StringIO(client.get(f"/audit/export.csv?patient_id={patient.id}").get_data(as_text=True)),
                        dtype=str)
    looked = frame[frame["action"].isin(["list", "view"]) & frame["user"].isin(["dana", "skim"])]
    assert set(looked["user"]) == {"dana", "skim"} and looked["patient_mrns"].str.contains("MR204511").all()
    by_case = client.get(f"/audit/?case_id={case.id}&username=dana").get_data(as_text=True)
    assert "1 entry" in by_case and "list" in by_case  # the queue view is found by the case


def test_the_audit_page_runs_the_same_statements_for_few_or_many_entries_and_patients(make, auth, client,
                                                                                       count_statements):
    auth.login(make.user(roles=(Role.COORDINATOR,)).username)
    auditor = make.user(roles=(Role.AUDITOR,))
    counts = []
    for total in (10, 120):
        while db.session.scalar(sa.select(sa.func.count()).select_from(Patient)) < total:
            make.case(patient=make.patient(last_name="Smith"))
        db.session.commit()
        client.get("/cases/?status=any")  # list entries naming every patient on the page
        client.post("/logout")
        auth.login(auditor.username)
        patient_id = db.session.scalar(sa.select(Patient.id).order_by(Patient.id))
        with count_statements() as counter:
            assert client.get(f"/audit/?patient_id={patient_id}").status_code == 200
        counts.append(counter.count)
        client.post("/logout")
        auth.login(db.session.scalar(sa.select(User.username).where(User.id != auditor.id).order_by(User.id)))
    assert counts[0] == counts[1]
