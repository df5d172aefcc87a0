"""The case status machine."""

import pytest

from tumorboard.cases.workflow import MOVES, IllegalMove, check_move, manual_moves, may_move_by_hand
from tumorboard.vocab import CaseStatus as S
from tumorboard.vocab import Role

LEGAL = [(old, new) for old, targets in MOVES.items() for new in targets]
ILLEGAL = [(old, new) for old in S for new in S if new not in MOVES[old]]


@pytest.mark.parametrize(("old", "new"), LEGAL)
def test_legal_moves_pass(old, new):
    check_move(old, new)


@pytest.mark.parametrize(("old", "new"), ILLEGAL)
def test_illegal_moves_are_refused_with_a_message(old, new):
    with pytest.raises(IllegalMove, match=f"A {old.label.lower()} case cannot become {new.label.lower()}"):
        check_move(old, new)


def test_every_status_has_a_way_on():
    assert all(MOVES[status] for status in S)


@pytest.mark.parametrize(
    ("status", "roles", "expected"),
    [
        (S.DRAFT, {Role.PHYSICIAN}, [S.SUBMITTED, S.WITHDRAWN]),
        (S.SUBMITTED, {Role.PHYSICIAN}, [S.DRAFT, S.WITHDRAWN]),
        (S.SUBMITTED, {Role.COORDINATOR}, [S.DRAFT, S.WITHDRAWN, S.DEFERRED]),
        (S.SCHEDULED, {Role.PHYSICIAN}, []),
        (S.DEFERRED, {Role.PHYSICIAN}, [S.SUBMITTED, S.WITHDRAWN]),
        (S.PRESENTED, {Role.COORDINATOR}, []),  # presenting, finalizing and letters are not done by hand
        (S.SUBMITTED, {Role.AUDITOR}, []),
        (S.DRAFT, {Role.NAVIGATOR}, [S.SUBMITTED]),
    ],
)
def test_manual_moves_by_role(status, roles, expected):
    assert manual_moves(status, frozenset(roles)) == expected


def test_scheduling_is_not_a_manual_move():
    assert not may_move_by_hand(S.SUBMITTED, S.SCHEDULED, frozenset(Role))
