"""Shared vocabularies: codes and labels are read case-insensitively; yes/no fields."""

import pytest

from tumorboard.vocab import Role, SiteGroup, Specialty, parse_yes_no


@pytest.mark.parametrize(
    ("vocabulary", "text", "expected"),
    [
        (SiteGroup, "breast", SiteGroup.BREAST),
        (SiteGroup, "BREAST", SiteGroup.BREAST),
        (SiteGroup, "Head & neck", SiteGroup.HEAD_NECK),
        (SiteGroup, "head_neck", SiteGroup.HEAD_NECK),
        (SiteGroup, " upper  gi ", SiteGroup.UPPER_GI),
        (SiteGroup, "cns", SiteGroup.CNS),
        (Specialty, "Diagnostic radiology", Specialty.DIAGNOSTIC_RADIOLOGY),
        (Specialty, "medical oncology", Specialty.MEDICAL_ONCOLOGY),
        (Role, "Coordinator", Role.COORDINATOR),
    ],
)
def test_parse_accepts_code_or_label(vocabulary, text, expected):
    assert vocabulary.parse(text) is expected


@pytest.mark.parametrize("text", ["", "lung", "breast cancer", "surgeon"])
def test_parse_refuses_unknown_words_with_the_choices(text):
    with pytest.raises(ValueError, match="expected one of"):
        SiteGroup.parse(text)


def test_codes_are_the_stored_values():
    assert [s.value for s in SiteGroup][:3] == ["breast", "thoracic", "colorectal"]
    assert len(SiteGroup) == 15 and len(Specialty) == 19


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", True),
        ("Y", True),
        ("true", True),
        ("1", True),
        ("no", False),
        ("N", False),
        ("FALSE", False),
        ("0", False),
        (" yes ", True),
    ],
)
def test_yes_no(text, expected):
    assert parse_yes_no(text) is expected


@pytest.mark.parametrize("text", ["", "maybe", "2", "oui"])
def test_yes_no_refuses_other_words(text):
    with pytest.raises(ValueError):
        parse_yes_no(text)
