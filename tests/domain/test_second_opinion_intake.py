"""The intake rules of a second-opinion request, without HTTP: the MRN can wait, dates against each other, phone,
NPI, consent, insurance; duplicates by name and date of birth; records received with their day."""

from datetime import date

import pytest

from tumorboard.second_opinions.intake import (
    RecordUpdate,
    RequestInput,
    npi_check_digit_ok,
    phone_problem,
    same_person,
    validate_records,
    validate_request,
)
from tumorboard.vocab import (
    AttendanceMode,
    InsuranceStatus,
    PriorAuthorization,
    RecordKind,
    RecordState,
    Requester,
    RequestSource,
    Sex,
    Specialty,
)

TODAY = date(2026, 12, 7)
MRN_PATTERN = r"TB\d{6}"


def intake(**overrides: object) -> RequestInput:
    values = dict(
        last_name="Ravenscroft", first_name="Helen", birth_date=date(1967, 7, 9), sex=Sex.FEMALE,
        requester=Requester.PATIENT, contact_name="Helen Ravenscroft", contact_phone="(555) 010-1234",
        diagnosis_as_stated="Breast cancer", requested_specialty=Specialty.SURGERY, visit_mode=AttendanceMode.VIRTUAL,
        navigator_id=3, received_on=TODAY,
    )
    return RequestInput(**(values | overrides))


def problems(public: bool = False, **overrides: object) -> dict[str, list[str]]:
    return validate_request(intake(**overrides), TODAY, MRN_PATTERN, public).by_field


def test_a_request_without_an_mrn_is_taken_and_a_given_mrn_is_checked():
    assert problems() == {}
    assert problems(mrn="TB123456") == {}
    assert list(problems(mrn="12")) == ["mrn"] and problems(mrn="12")["mrn"][0].startswith("An MRN here is")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"received_on": date(1950, 1, 1)}, "received_on", "The request cannot come in before the patient was born."),
        ({"received_on": date(2026, 12, 8)}, "received_on", "This date is in the future."),
        ({"received_on": None}, "received_on", "Give the date the request came in."),
        ({"birth_date": date(2027, 1, 1), "received_on": None}, "birth_date", "This date is in the future."),
        ({"contact_phone": "call me maybe!!"}, "contact_phone", "Write a phone number with digits"),
        ({"contact_email": "helen@", "contact_phone": ""}, "contact_email", "This is not an e-mail address."),
        ({"referring_npi": "123456789"}, "referring_npi", "An NPI is 10 digits."),
        ({"referring_npi": "1234567890"}, "referring_npi", "This is not a valid NPI"),
        ({"insurance_status": InsuranceStatus.VERIFIED, "insurance_payer": "Aetna"}, "insurance_member_id",
         "Give the member id"),
        ({"insurance_verified_on": TODAY}, "insurance_verified_on", "A verification date goes with"),
        ({"prior_authorization": PriorAuthorization.APPROVED}, "prior_authorization_reference",
         "Give the payer's reference"),
    ],
)
def test_each_bad_intake_is_named_by_its_field(overrides, field, message):
    assert any(text.startswith(message) for text in problems(**overrides).get(field, [])), problems(**overrides)


def test_the_public_forms_need_consent_and_no_navigator_and_a_referral_its_practice_npi_and_reason():
    taken_on = problems(source=RequestSource.WEB_REQUEST, navigator_id=None)  # staff edit a web request: take it on
    assert taken_on == {"navigator_id": ["Give the navigator."]}
    web = {"public": True, "source": RequestSource.WEB_REQUEST, "navigator_id": None, "received_on": None}
    assert problems(**web) == {"consent_to_contact": [
        "Tick the box so that our navigator may contact you about this request."
    ]}
    assert problems(**web, consent_to_contact=True) == {}
    referral = problems(public=True, source=RequestSource.WEB_REFERRAL, navigator_id=None, consent_to_contact=True,
                        requester=Requester.REFERRING_PROVIDER, referring_name="Dr Paul Grimaldi")
    assert set(referral) == {"referring_practice", "referring_npi", "referral_reason"}
    assert problems(public=True, source=RequestSource.WEB_REFERRAL, navigator_id=None, consent_to_contact=True,
                    requester=Requester.REFERRING_PROVIDER, referring_name="Dr Paul Grimaldi",
                    referring_practice="Valley Internal Medicine", referring_npi="1234567893",
                    referral_reason="Offered mastectomy; wants breast conservation reviewed") == {}


def test_phone_numbers_as_people_write_them():
    for good in ("555-0101 ext 12", "+44 20 7946 0958", "(555) 010-1234", "555.010.1234 x9"):
        assert phone_problem(good) is None, good
    assert phone_problem("12345") == "A phone number has 7 to 15 digits; this one has 5."
    assert phone_problem("1" * 16) == "A phone number has 7 to 15 digits; this one has 16."
    assert phone_problem("555-0101; DROP TABLE").startswith("Write a phone number")


def test_the_npi_check_digit_is_cms_luhn_over_80840():
    assert npi_check_digit_ok("1234567893")  # CMS's own example
    assert not npi_check_digit_ok("1234567890")
    assert npi_check_digit_ok("1245319599")


def test_the_same_person_ignores_case_accents_and_spacing_but_not_the_birth_date():
    born = date(1967, 7, 9)
    assert same_person(("Núñez", "José María", born), ("NUNEZ", "jose maria", born))
    assert not same_person(("Nunez", "Jose", born), ("Nunez", "Jose", date(1967, 7, 10)))
    assert not same_person(("Nunez", "Jose", None), ("Nunez", "Jose", None))


def test_a_record_marked_received_says_the_day_it_came():
    checked, found = validate_records([RecordUpdate(RecordKind.LABS, RecordState.RECEIVED)], TODAY)
    assert found.by_field == {"labs": ["Labs: give the day it was received."]}
    checked, found = validate_records(
        [RecordUpdate(RecordKind.SLIDES_BLOCKS, RecordState.RECEIVED, date(2026, 12, 1), date(2026, 11, 30))], TODAY
    )
    assert found.by_field == {"slides_blocks": ["Slides and blocks: received before it was requested."]}
