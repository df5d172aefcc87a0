"""Who may change a case: every cell of the table in docs/security.md."""

import pytest

from tumorboard.cases.permissions import CaseChange, Standing, change_of_move, may, refusal, standing
from tumorboard.vocab import CaseStatus

# standing -> (may edit, may withdraw or reopen)
TABLE = {
    Standing.COORDINATOR: (True, True),
    Standing.PRESENTER: (True, True),
    Standing.MANAGER: (True, True),
    Standing.BOARD_MEMBER: (True, False),
    Standing.AUTHOR: (True, False),
    None: (False, False),  # any other physician
}


@pytest.mark.parametrize("held", TABLE)
@pytest.mark.parametrize("change", [CaseChange.EDIT, CaseChange.WITHDRAW])
def test_each_cell_of_the_table(held, change):
    expected = TABLE[held][0 if change is CaseChange.EDIT else 1]
    assert may(change, frozenset({held} if held else set())) is expected


def test_several_standings_add_up():
    assert may(CaseChange.WITHDRAW, frozenset({Standing.BOARD_MEMBER, Standing.PRESENTER}))


def test_the_author_stands_in_the_case_only_while_it_is_a_draft():
    def held(status):
        return standing(7, False, False, None, None, 7, status)

    assert held(CaseStatus.DRAFT) == {Standing.AUTHOR}
    assert held(CaseStatus.SUBMITTED) == frozenset()


def test_standing_reads_each_relation():
    assert standing(1, True, True, 1, 1, 1, CaseStatus.DRAFT) == set(Standing)
    assert standing(1, False, False, 2, 3, 4, CaseStatus.DRAFT) == frozenset()
    assert standing(3, False, False, 2, 3, 4, CaseStatus.SUBMITTED) == {Standing.MANAGER}


@pytest.mark.parametrize(
    ("old", "new", "change"),
    [
        (CaseStatus.SUBMITTED, CaseStatus.WITHDRAWN, CaseChange.WITHDRAW),
        (CaseStatus.WITHDRAWN, CaseStatus.DRAFT, CaseChange.WITHDRAW),
        (CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseChange.EDIT),
        (CaseStatus.SUBMITTED, CaseStatus.DRAFT, CaseChange.EDIT),
        (CaseStatus.DEFERRED, CaseStatus.SUBMITTED, CaseChange.EDIT),
    ],
)
def test_withdrawing_and_reopening_are_their_own_change(old, new, change):
    assert change_of_move(old, new) is change


def test_the_refusal_names_who_may():
    assert refusal(CaseChange.WITHDRAW) == (
        "Only a coordinator, the presenting physician or the managing physician may withdraw or reopen this case."
    )
