"""Admins set the letterhead, the MRN format and the targets; the MRN format applies at once."""

import pytest

from tumorboard.extensions import db
from tumorboard.program.models import ProgramSettings
from tumorboard.program.settings import program_settings
from tumorboard.vocab import Role

SETTINGS = {
    "letterhead_name": "Mercy Cancer Center",
    "letterhead_address": "1 Main St",
    "letterhead_phone": "555-0100",
    "mrn_pattern": r"^\d{8}$",
    "target_case_presentation_rate": "20",
    "target_prospective_rate": "85",
    "target_attendance_rate": "90",
    "target_discussion_rate": "90",
    "target_frequency_rate": "95",
    "second_opinion_days": "10",
}


def test_defaults_without_a_stored_row():
    settings = program_settings()
    assert settings.mrn_pattern == r"^[A-Z0-9]{6,12}$" and float(settings.target_case_presentation_rate) == 0.15


def test_admin_saves_settings_and_the_mrn_format_applies(make, auth, client):
    admin = make.user(roles=(Role.ADMIN, Role.PHYSICIAN))
    auth.login(admin.username)
    assert client.post("/settings/", data=SETTINGS).status_code == 302
    stored = db.session.get(ProgramSettings, 1)
    assert stored.letterhead_name == "Mercy Cancer Center" and float(stored.target_case_presentation_rate) == 0.2
    assert 'value="20.0"' in client.get("/settings/").data.decode()
    page = client.post(
        "/cases/new",
        data={
            "mrn": "TB123456",
            "last_name": "X",
            "first_name": "Y",
            "birth_date": "1960-01-01",
            "sex": "female",
            "site_group": "breast",
            "save_draft": "1",
        },
    ).data.decode()
    assert "An MRN here is 8 digits." in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mrn_pattern", "^[A-Z", "not a valid regular expression"),
        ("mrn_pattern", "^$", "accepts an empty MRN"),
        ("mrn_pattern", "^(a|aa)+$", "takes too long"),
        ("mrn_example", "A1234567", "does not accept the example MRN"),
        ("target_case_presentation_rate", "150", "from 0 to 100"),
        ("second_opinion_days", "0", "Number must be between 1 and 60."),
    ],
)
def test_bad_settings_are_refused(make, auth, client, field, value, message):
    auth.login(make.user(roles=(Role.ADMIN,)).username)
    response = client.post("/settings/", data={**SETTINGS, field: value})
    assert response.status_code == 200 and message in response.data.decode()
    assert db.session.get(ProgramSettings, 1) is None


def test_only_admins(make, auth, client):
    auth.login(make.user(roles=(Role.COORDINATOR,)).username)
    assert client.get("/settings/").status_code == 403
