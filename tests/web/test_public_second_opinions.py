"""The public second-opinion forms: anyone may ask or refer, nothing half-written, robots and floods turned away,
no patient data in the answer's URL or in the log, and the navigators see the new request."""

import logging
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db
from tumorboard.program.settings import program_today
from tumorboard.second_opinions.models import PublicFormCount, RecordItem, SecondOpinionRequest
from tumorboard.vocab import RecordKind, RequestSource, Role


def asked(**overrides: str) -> dict[str, str]:
    data = {
        "requester": "caregiver",
        "contact_name": "Marcus Ravenscroft",
        "contact_phone": "(555) 010-1234",
        "contact_email": "marcus@example.org",
        "last_name": "Ravenscroft",
        "first_name": "Helen",
        "birth_date": "1967-07-09",
        "sex": "female",
        "diagnosis_as_stated": "Breast cancer, told I need a mastectomy",
        "treated_at": "Valley Hospital",
        "requested_specialty": "surgery",
        "visit_mode": "virtual",
        "insurance_payer": "Blue Shield",
        "insurance_member_id": "XZ123",
        "consent_to_contact": "y",
    }
    return data | overrides


def referred(**overrides: str) -> dict[str, str]:
    data = asked(requester="", contact_name="Front desk, Valley Internal Medicine", referring_name="Dr Paul Grimaldi",
                 referring_practice="Valley Internal Medicine", referring_npi="1234567893",
                 referral_reason="Wants breast conservation reviewed")
    return data | overrides


def requests() -> list[SecondOpinionRequest]:
    return list(db.session.scalars(sa.select(SecondOpinionRequest)))


def test_a_caregiver_asks_without_signing_in_and_gets_the_promise_not_the_patient_in_the_url(client, caplog):
    assert client.get("/second-opinions/request").status_code == 200
    with caplog.at_level(logging.DEBUG):
        response = client.post("/second-opinions/request", data=asked())
    assert response.status_code == 302 and response.headers["Location"] == "/second-opinions/sent"
    [saved] = requests()
    assert saved.source is RequestSource.WEB_REQUEST and saved.patient_id is None and saved.navigator_id is None
    assert (saved.last_name, saved.birth_date) == ("Ravenscroft", date(1967, 7, 9))
    assert saved.insurance_payer == "Blue Shield"
    assert len(saved.records) == len(RecordKind) and saved.consent_to_contact
    page = client.get("/second-opinions/sent").data.decode()
    assert f"SO-{saved.id:06d}" in page and "within 7 days" in page and "Ravenscroft" not in page
    assert "Ravenscroft" not in caplog.text and "1967" not in caplog.text
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_type == "second_opinion")).one()
    assert (entry.action, entry.user_id, entry.detail) == ("create", None, "source=web_request")


def test_a_provider_refers_and_the_referral_needs_its_practice_npi_and_reason(client):
    response = client.post("/second-opinions/refer", data=referred(referring_npi="1234567890", referral_reason=""))
    page = response.data.decode()
    assert response.status_code == 200 and "This is not a valid NPI" in page
    assert "Give the reason for the referral." in page
    assert 'value="Valley Internal Medicine"' in page and requests() == []
    assert client.post("/second-opinions/refer", data=referred()).status_code == 302
    [saved] = requests()
    assert saved.source is RequestSource.WEB_REFERRAL and saved.requester.value == "referring_provider"
    assert saved.referring_npi == "1234567893"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent_to_contact": ""}, "Tick the box so that our navigator may contact you"),
        ({"contact_phone": "call me maybe!!"}, "Write a phone number with digits"),
        ({"contact_phone": "", "contact_email": ""}, "Give a phone number or an e-mail address"),
        ({"birth_date": "2999-01-01"}, "This date is in the future."),
        ({"birth_date": "1967-02-30"}, "Write the date as YYYY-MM-DD"),
        ({"last_name": ""}, "Give the patient&#39;s last name."),
        ({"requester": "referring_provider"}, "Choose one from the list."),
        ({"diagnosis_as_stated": ""}, "Give the diagnosis as you know it."),
        ({"contact_name": "x" * 121}, "Field cannot be longer than 120 characters."),
    ],
)
def test_every_refusal_says_why_keeps_the_answers_and_writes_nothing(client, overrides, message):
    response = client.post("/second-opinions/request", data=asked(**overrides))
    page = response.data.decode()
    assert response.status_code == 200 and message in page and "Nothing was sent yet" in page
    assert requests() == [] and db.session.scalar(sa.select(sa.func.count(RecordItem.id))) == 0


def test_a_robot_that_fills_the_hidden_field_is_answered_as_sent_and_nothing_is_kept(client):
    response = client.post("/second-opinions/request", data=asked(website="http://spam.example"))
    assert response.status_code == 302 and response.headers["Location"] == "/second-opinions/sent"
    assert requests() == []


def test_a_flood_from_one_address_is_throttled_and_another_address_still_gets_through(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_FORM_POSTS_PER_ADDRESS", 3)
    flood = {"REMOTE_ADDR": "203.0.113.9"}
    codes = [client.post("/second-opinions/request", data=asked(last_name=f"Flood{i}"), environ_base=flood)
             .status_code for i in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    refused = client.post("/second-opinions/request", data=asked(), environ_base=flood).data.decode()
    assert "Too many requests" in refused and "Nothing was sent" in refused
    normal = client.post("/second-opinions/request", data=asked(), environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert normal.status_code == 302
    assert sorted(r.last_name for r in requests()) == ["Flood0", "Flood1", "Flood2", "Ravenscroft"]


def test_the_overall_limit_holds_whatever_the_addresses_and_an_old_window_is_forgotten(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_FORM_POSTS_OVERALL", 2)
    codes = [client.post("/second-opinions/request", data=asked(), environ_base={"REMOTE_ADDR": f"192.0.2.{i}"})
             .status_code for i in range(3)]
    assert codes == [302, 302, 429]
    for row in db.session.scalars(sa.select(PublicFormCount)):
        row.window_started_at -= timedelta(hours=1, seconds=1)
    db.session.commit()
    assert client.post("/second-opinions/request", data=asked(), environ_base={"REMOTE_ADDR": "192.0.2.9"}) \
        .status_code == 302


def test_a_post_larger_than_a_form_needs_is_refused_whole(client):
    response = client.post("/second-opinions/request", data=asked(diagnosis_as_stated="x" * 70_000))
    assert response.status_code == 413 and requests() == []


def test_the_public_form_needs_its_csrf_token(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/second-opinions/request", data=asked())
    assert response.status_code == 400 and "The form expired" in response.data.decode() and requests() == []


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
FIELDS = list(asked()) + ["website", "referring_npi", "referring_name", "referring_practice", "referral_reason"]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["request", "refer"]), posted=st.dictionaries(
    st.sampled_from(FIELDS), TEXT | st.sampled_from(["1967-07-09", "y", "surgery", "virtual", "patient", "female"]),
))
def test_hostile_posts_never_fail_and_never_half_write(app, client, monkeypatch, kind, posted):
    monkeypatch.setitem(app.config, "PUBLIC_FORM_POSTS_PER_ADDRESS", 10**9)
    monkeypatch.setitem(app.config, "PUBLIC_FORM_POSTS_OVERALL", 10**9)
    response = client.post(f"/second-opinions/{kind}", data=asked() | posted)
    assert response.status_code in (200, 302, 400, 413)  # 400: a NUL byte (web/security.py)
    db.session.rollback()
    rows = db.session.execute(sa.select(SecondOpinionRequest.id, sa.func.count(RecordItem.id))
                              .outerjoin(RecordItem).group_by(SecondOpinionRequest.id)).all()
    assert all(count == len(RecordKind) for _, count in rows)  # a request is whole, or not there


def test_the_navigators_list_and_dashboard_show_the_new_web_request_with_equal_counts(client, make, auth):
    client.post("/second-opinions/request", data=asked())
    client.post("/second-opinions/refer", data=referred(last_name="Okafor", birth_date="1958-03-02"))
    navigator = make.user(roles=(Role.NAVIGATOR,), full_name="Priya Shah")
    auth.login(navigator.username)
    listed = client.get("/second-opinions/?source=web&navigator=unassigned").data.decode()
    assert listed.count("new from the web") == 2 and "no MRN yet" in listed and '2 requests' in listed
    board = client.get("/").data.decode()
    assert "New from the web, not taken on yet" in board
    assert 'href="/second-opinions/?source=web&amp;navigator=unassigned"' in board


def test_a_navigator_takes_a_web_request_on_by_naming_its_navigator(client, make, auth):
    client.post("/second-opinions/request", data=asked())
    [sent] = requests()
    navigator = make.user(roles=(Role.NAVIGATOR,), full_name="Priya Shah")
    auth.login(navigator.username)
    edited = asked(received_on=program_today().isoformat(), navigator_id="")
    page = client.post(f"/second-opinions/{sent.id}/edit", data=edited).data.decode()
    assert "Give the navigator." in page
    response = client.post(f"/second-opinions/{sent.id}/edit", data=edited | {"navigator_id": str(navigator.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert sent.navigator_id == navigator.id and sent.source is RequestSource.WEB_REQUEST
    assert "0 requests" in client.get("/second-opinions/?source=web&navigator=unassigned").data.decode()
