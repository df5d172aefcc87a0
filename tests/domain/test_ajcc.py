"""AJCC categories by edition."""

import pytest

from tumorboard.cases.ajcc import normalize_category, normalize_stage_group


@pytest.mark.parametrize(
    ("value", "kind", "axis", "edition", "stored"),
    [
        ("T2", "clinical", "T", 8, "cT2"),
        ("ct1c", "clinical", "T", 8, "cT1c"),
        ("ypT0", "pathologic", "T", 8, "ypT0"),
        ("pN1mi", "pathologic", "N", 8, "pN1mi"),
        ("M1d", "clinical", "M", 8, "cM1d"),
        ("Tis", "pathologic", "T", 7, "pTis"),
        ("N0(i+)", "pathologic", "N", 8, "pN0(i+)"),
    ],
)
def test_categories(value, kind, axis, edition, stored):
    assert normalize_category(value, kind, axis, edition) == stored


@pytest.mark.parametrize(
    ("value", "kind", "axis", "edition"),
    [("M1d", "clinical", "M", 7), ("T5", "clinical", "T", 8), ("pT2", "clinical", "T", 8), ("T2", "clinical", "T", 6)],
)
def test_unknown_categories(value, kind, axis, edition):
    with pytest.raises(ValueError):
        normalize_category(value, kind, axis, edition)


@pytest.mark.parametrize(("value", "stored"), [("iiia", "IIIA"), ("Stage IV", "IV"), ("0is", "0is"), ("IA3", "IA3")])
def test_stage_groups(value, stored):
    assert normalize_stage_group(value, 8) == stored


def test_stage_groups_new_in_the_8th_edition_are_refused_in_the_7th():
    with pytest.raises(ValueError, match="7th edition"):
        normalize_stage_group("IIID", 7)
