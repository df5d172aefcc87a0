"""Importing cases from CSV and XLSX: the command and the upload, all or nothing, repeatable."""

import io
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tumorboard.audit.models import AuditEntry, AuditSubject
from tumorboard.cases.models import Case, Patient
from tumorboard.extensions import db
from tumorboard.vocab import CaseStatus, Role

HEADER = (
    "mrn,last_name,first_name,birth_date,sex,site_group,histology,diagnosis_date,ajcc_edition,clinical_t,clinical_n,"
    "clinical_m,clinical_stage,ecog,question,imaging_to_review,pathology_to_review,presenting_physician,managing_physician,"
    "referring_name,analytic,biomarkers,status"
)
ROW = (
    "{mrn},{last},Ann,1961-02-03,female,{site},Adenocarcinoma,2026-10-01,8,T2,N0,M0,{stage},1,Surgery first?,CT chest,"
    "Biopsy,skim,skim,Dr. Whitaker,yes,ER=positive,submitted"
)
CLEAN = (
    "\n".join(
        [
            HEADER,
            ROW.format(mrn="TB100001", last="Abernathy", site="breast", stage="IIA"),
            ROW.format(mrn="TB100002", last="Bellweather", site="Thoracic", stage="IIA"),
            ROW.format(mrn="TB100001", last="Abernathy", site="colorectal", stage="IIA"),
        ]
    )
    + "\n"
)
BAD = (
    "\n".join(
        [
            HEADER,
            ROW.format(mrn="TB100001", last="Abernathy", site="breast", stage="IIA"),  # fine
            ROW.format(mrn="TB100003", last="Calloway", site="lung", stage="IIA"),  # unknown site group
            ROW.format(mrn="TB100004", last="Dunmore", site="breast", stage="IIZ"),  # not an AJCC stage group
            ROW.format(mrn="tb 5", last="Eastwick", site="breast", stage="IIA"),  # MRN format
            ROW.format(mrn="TB100006", last="", site="breast", stage="IIA"),  # missing last name
            ROW.format(mrn="TB100001", last="Abernathy", site="breast", stage="IIA"),  # same case as row 2
            ROW.format(mrn="TB100007", last="Fairbanks", site="breast", stage="IIA").replace(
                "2026-10-01", "2026-13-45"
            ),
            ROW.format(mrn="TB100008", last="Galloway", site="breast", stage="IIA").replace(
                ",skim,skim,", ",nobody,skim,"
            ),
        ]
    )
    + "\n"
)


@pytest.fixture
def people(make):
    make.user(username="skim", roles=(Role.PHYSICIAN,))
    return make.user(username="dana", roles=(Role.COORDINATOR,))


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_file_with_bad_rows_reports_each_and_writes_nothing(people, runner, tmp_path):
    result = runner.invoke(args=["import-cases", str(_write(tmp_path, "bad.csv", BAD))])
    assert result.exit_code == 1
    report = result.output
    for expected in (
        "row 3, site_group:",
        "row 4, clinical_stage:",
        "row 5, mrn:",
        "row 6, last_name:",
        "row 7, mrn: The same case",
        "row 8, diagnosis_date:",
        "row 9, presenting_physician: No physician with username 'nobody'",
    ):
        assert expected in report
    assert "nothing was imported" in report
    assert _count(Case) == 0 and _count(Patient) == 0


def test_a_clean_file_is_imported_once_however_often_it_is_run(people, runner, tmp_path):
    path = _write(tmp_path, "clean.csv", CLEAN)
    first = runner.invoke(args=["import-cases", str(path), "--as", "dana"])
    assert first.exit_code == 0 and "Imported 3 case(s); 0 row(s) were already imported." in first.output
    again = runner.invoke(args=["import-cases", str(path)])
    assert again.exit_code == 0 and "Imported 0 case(s); 3 row(s) were already imported." in again.output
    assert _count(Case) == 3 and _count(Patient) == 2  # the returning patient is one person with two cases
    case = db.session.scalars(sa.select(Case).where(Case.site_group == "thoracic")).one()
    assert case.status is CaseStatus.SUBMITTED and case.clinical_t == "cT2" and case.biomarkers[0].value == "positive"
    audit = db.session.execute(sa.select(AuditEntry.action, AuditEntry.user_id, AuditEntry.detail)).all()
    assert audit == [("import", people.id, "status=submitted;cases=3")]  # one entry naming the three cases
    named = db.session.execute(sa.select(AuditSubject.case_id, AuditSubject.patient_id)).all()
    assert sorted(named) == sorted(db.session.execute(sa.select(Case.id, Case.patient_id)).all())


def test_xlsx_files_are_read_too(people, runner, tmp_path):
    frame = pd.read_csv(io.StringIO(CLEAN), dtype=str)
    frame["birth_date"] = pd.to_datetime(frame["birth_date"])  # real date cells, as Excel stores them
    path = tmp_path / "cases.xlsx"
    frame.to_excel(path, index=False)
    result = runner.invoke(args=["import-cases", str(path)])
    assert result.exit_code == 0, result.output
    assert _count(Case) == 3


def test_an_unreadable_file_is_a_clear_error(people, runner, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a spreadsheet")
    result = runner.invoke(args=["import-cases", str(path)])
    assert result.exit_code == 1 and "This is not an Excel file (.xlsx)" in result.output


def test_the_upload_shows_the_report_and_keeps_the_database_unchanged(people, auth, client):
    auth.login("dana")
    response = client.post(
        "/cases/import", data={"file": (io.BytesIO(BAD.encode()), "cases.csv")}, content_type="multipart/form-data"
    )
    page = response.data.decode()
    assert response.status_code == 200 and "7 problems found. Nothing was imported." in page
    assert "<td>9</td><td><code>presenting_physician</code></td>" in page
    assert _count(Case) == 0


def test_the_upload_imports_a_clean_file(people, auth, client):
    auth.login("dana")
    response = client.post(
        "/cases/import", data={"file": (io.BytesIO(CLEAN.encode()), "cases.csv")}, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and _count(Case) == 3 and "Imported 3 cases" in page
    ids = db.session.scalars(sa.select(Case.id).order_by(Case.id)).all()
    assert all(f'href="/cases/{case_id}"' in page for case_id in ids)  # each new case listed, to open or check
    again = client.post(
        "/cases/import", data={"file": (io.BytesIO(CLEAN.encode()), "cases.csv")}, content_type="multipart/form-data"
    ).get_data(as_text=True)
    assert "Imported 0 cases; 3 rows of the file had been imported before and were skipped." in again


@pytest.mark.parametrize(("name", "message"), [("cases.txt", "Upload a .csv or .xlsx file."), ("", "Choose a file.")])
def test_the_upload_refuses_other_files(people, auth, client, name, message):
    auth.login("dana")
    data = {"file": (io.BytesIO(b"a,b"), name)} if name else {}
    response = client.post("/cases/import", data=data, content_type="multipart/form-data")
    assert message in response.data.decode() and _count(Case) == 0


def test_the_upload_takes_at_most_2500_cases_a_file_and_says_so(people, auth, client):
    from tumorboard.cases.importer import MAX_CASE_UPLOAD_ROWS

    header, row = CLEAN.splitlines()[:2]
    big = "\n".join([header, *[row] * (MAX_CASE_UPLOAD_ROWS + 1)])
    auth.login("dana")
    response = client.post(
        "/cases/import", data={"file": (io.BytesIO(big.encode()), "cases.csv")}, content_type="multipart/form-data"
    )
    assert "The file has 2,501 rows; import at most 2,500 at a time." in response.data.decode() and _count(Case) == 0


def test_the_same_new_patients_imported_at_the_same_moment_is_a_message_not_a_500(people, auth, client, monkeypatch):
    import sqlalchemy as sa

    from tumorboard.cases import operations

    def meanwhile_imported(*_args, **_kwargs):  # what the database answers the second of two simultaneous imports
        raise sa.exc.IntegrityError(
            "INSERT INTO patients", {}, Exception('duplicate key value violates unique constraint "uq_patients_mrn"')
        )

    auth.login("dana")
    monkeypatch.setattr(operations, "import_cases", meanwhile_imported)
    response = client.post(
        "/cases/import", data={"file": (io.BytesIO(CLEAN.encode()), "cases.csv")}, content_type="multipart/form-data"
    )
    assert (
        response.status_code == 409
        and "Someone else entered some of these patients at the same moment" in response.data.decode()
    )
    monkeypatch.undo()
    assert _count(Case) == 0 and _count(Patient) == 0
    again = client.post(
        "/cases/import", data={"file": (io.BytesIO(CLEAN.encode()), "cases.csv")}, content_type="multipart/form-data"
    )
    assert again.status_code == 200 and _count(Case) == 3
