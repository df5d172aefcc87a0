"""The bulk writers the imports use: plain rows in, converted by their types, ids back in the rows' order."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tumorboard.cases.models import Case, CaseBiomarker, CaseStatusChange, Patient
from tumorboard.cases.operations import insert_cases, insert_patients
from tumorboard.cases.search import name_key
from tumorboard.db import insert_rows
from tumorboard.extensions import db
from tumorboard.vocab import CaseStatus, Sex, SiteGroup

NOW = datetime(2026, 12, 3, 9, tzinfo=UTC)


def _row(patient_id: int, site: SiteGroup, diagnosed: date | None) -> dict[str, object]:
    return {"patient_id": patient_id, "site_group": site, "diagnosis_date": diagnosed, "status": CaseStatus.DRAFT,
            "created_at": NOW}


def test_insert_cases_gives_each_row_its_own_id_in_the_rows_order(make):
    first, second = make.patient(mrn="B0000001"), make.patient(mrn="B0000002")
    rows = [
        _row(second.id, SiteGroup.THORACIC, date(2026, 3, 1)),
        _row(first.id, SiteGroup.BREAST, None),
        _row(second.id, SiteGroup.THORACIC, date(2026, 1, 5)),
        _row(first.id, SiteGroup.THORACIC, None),
    ]
    ids = insert_cases(rows)
    assert len(set(ids)) == 4
    for case_id, row in zip(ids, rows, strict=True):
        case = db.session.get(Case, case_id)
        assert (case.patient_id, case.site_group, case.diagnosis_date) == (
            row["patient_id"], row["site_group"], row["diagnosis_date"]
        )


def test_insert_cases_refuses_two_rows_for_the_same_case(make):
    patient = make.patient(mrn="B0000003")
    with pytest.raises(ValueError, match="one case a patient"):
        insert_cases([_row(patient.id, SiteGroup.THORACIC, None), _row(patient.id, SiteGroup.THORACIC, None)])
    db.session.rollback()


def test_bulk_rows_are_converted_by_their_types_and_get_their_python_defaults(make):
    ids = insert_patients(
        [{"mrn": "B0000010", "last_name": "O'Brien-Núñez", "first_name": "Ana", "birth_date": date(1961, 2, 3),
          "sex": Sex.FEMALE}],
        NOW,
    )
    case = make.case()
    insert_rows(db.session, CaseStatusChange.__table__, [
        {"case_id": case.id, "from_status": None, "to_status": CaseStatus.SUBMITTED, "at": NOW, "by_id": None}
    ])
    db.session.expire_all()
    patient = db.session.get(Patient, ids["B0000010"])
    assert (patient.sex, patient.birth_date, patient.created_at) == (Sex.FEMALE, date(1961, 2, 3), NOW)
    assert patient.name_key == name_key("O'Brien-Núñez", "Ana")  # a default that reads its row
    change = db.session.scalars(sa.select(CaseStatusChange).where(CaseStatusChange.case_id == case.id)).one()
    assert (change.to_status, change.at, change.reason) == (CaseStatus.SUBMITTED, NOW, "")  # the scalar default


def test_bulk_rows_must_all_name_the_same_columns(make):
    case = make.case()
    with pytest.raises(ValueError, match="same columns"):
        insert_rows(db.session, CaseBiomarker.__table__, [
            {"case_id": case.id, "name": "ER", "value": "positive"}, {"case_id": case.id, "name": "PR"}
        ])
    db.session.rollback()


def test_a_bulk_insert_larger_than_the_drivers_parameter_limit_is_split_and_returns_every_row(make, monkeypatch):
    monkeypatch.setattr(db.engine.dialect, "insertmanyvalues_max_parameters", 20)  # two patients a statement (SQLite)
    people = [
        {"mrn": f"B00001{n:02d}", "last_name": "Split", "first_name": f"P{n}", "birth_date": date(1960, 1, 1),
         "sex": Sex.UNKNOWN}
        for n in range(8)
    ]
    ids = insert_patients(people, NOW)
    assert sorted(ids) == sorted(person["mrn"] for person in people) and len(set(ids.values())) == 8


def test_plain_rows_over_the_parameter_limit_are_all_written(make, monkeypatch):
    case = make.case()
    monkeypatch.setattr(db.engine.dialect, "insertmanyvalues_max_parameters", 7)  # two biomarkers a statement
    insert_rows(db.session, CaseBiomarker.__table__, [
        {"case_id": case.id, "name": f"M{n}", "value": str(n)} for n in range(5)
    ])
    written = db.session.execute(
        sa.select(CaseBiomarker.name, CaseBiomarker.value).where(CaseBiomarker.case_id == case.id)
    ).all()
    assert sorted(written) == [(f"M{n}", str(n)) for n in range(5)]


def test_sqlite_keeps_its_temporary_structures_in_memory(app):
    """Statement journals of multi-row writes, and sorts, stay off the disk (a third less time for 10,000
    presentations); PostgreSQL has no such setting."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("a SQLite connection setting")
    assert db.session.connection().exec_driver_sql("PRAGMA temp_store").scalar() == 2  # MEMORY


def test_bulk_texts_come_back_as_written_whatever_their_signs(make):
    """PostgreSQL receives each column as one array: texts that mean something in an array's text form (NULL, braces,
    commas, quotes, backslashes) and a column of NULLs must survive it."""
    case = make.case()
    texts = ["NULL", "{ER}", "a, b", 'said "positive"', "back\\slash", "", "  spaced  ", "Ki-67 ≥ 20%"]
    insert_rows(db.session, CaseBiomarker.__table__, [
        {"case_id": case.id, "name": f"M{n}", "value": text} for n, text in enumerate(texts)
    ])
    insert_rows(db.session, CaseStatusChange.__table__, [
        {"case_id": case.id, "from_status": None, "to_status": CaseStatus.SUBMITTED, "at": NOW, "by_id": None}
        for _ in range(2)
    ])
    written = dict(db.session.execute(
        sa.select(CaseBiomarker.name, CaseBiomarker.value).where(CaseBiomarker.case_id == case.id)
    ).all())
    assert [written[f"M{n}"] for n in range(len(texts))] == texts
    changes = db.session.scalars(sa.select(CaseStatusChange).where(CaseStatusChange.case_id == case.id)).all()
    assert [(c.from_status, c.by_id) for c in changes] == [(None, None), (None, None)]
