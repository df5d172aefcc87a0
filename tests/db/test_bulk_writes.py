"""The bulk writers the imports use: plain rows in, ids back in the rows' order."""

from datetime import UTC, date, datetime

import pytest

from tumorboard.cases.models import Case
from tumorboard.cases.operations import insert_cases
from tumorboard.extensions import db
from tumorboard.vocab import CaseStatus, SiteGroup

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
