"""Reading the "Find a patient" box, and the key names are matched on."""

from datetime import date

import pytest

from tumorboard.cases.search import PatientQuery, name_key, parse_patient_query


def test_a_name_key_holds_each_word_folded_and_each_name_without_its_separators():
    assert name_key("O'Connor-Nguyen", "María José") == " o connor nguyen maria jose oconnornguyen mariajose "
    assert name_key("Ñúñez", "") == " nunez "


@pytest.mark.parametrize(("typed", "read"), [
    ("TB123456", PatientQuery(identifier="TB123456")),
    ("  tb123456 ", PatientQuery(identifier="tb123456")),  # an MRN is matched exactly as the program writes it
    ("683", PatientQuery(identifier="683")),  # digits: an MRN or a case number
    ("#683", PatientQuery(case_id=683)),
    ("# 683", PatientQuery(case_id=683)),
    ("1961-02-03", PatientQuery(birth_date=date(1961, 2, 3))),
    ("02/03/1961", PatientQuery(birth_date=date(1961, 2, 3))),
    ("o'con  MAR", PatientQuery(words=("o", "con", "mar"))),
    ("Ñúñez", PatientQuery(words=("nunez",))),
    ("a", PatientQuery()),  # too little to search by
    ("", PatientQuery()),
    ("%_'; --", PatientQuery()),
])
def test_the_box_is_read_as_one_kind_of_search(typed, read):
    assert parse_patient_query(typed) == read


def test_the_audit_log_gets_the_kind_never_the_text():
    assert [parse_patient_query(t).kind for t in ("TB1", "#5", "1961-02-03", "smith", "")] == [
        "identifier", "case_id", "birth_date", "name", "none"
    ]


def test_a_long_text_is_cut():
    assert parse_patient_query("x" * 500).words == ("x" * 80,)
