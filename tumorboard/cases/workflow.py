"""The case status machine: which moves exist and who may make them. Pure."""

from __future__ import annotations

from tumorboard.domain import Refused
from tumorboard.vocab import CaseStatus as S
from tumorboard.vocab import Role

# Every legal move. Moves to scheduled, presented, plan finalized and letter sent
# are made by the agenda, the conference room and the letters, not by hand.
MOVES: dict[S, frozenset[S]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.DRAFT, S.SCHEDULED, S.DEFERRED, S.WITHDRAWN}),
    S.SCHEDULED: frozenset({S.SUBMITTED, S.PRESENTED, S.DEFERRED, S.WITHDRAWN}),
    S.PRESENTED: frozenset({S.PLAN_FINALIZED, S.SCHEDULED, S.DEFERRED}),
    S.PLAN_FINALIZED: frozenset({S.LETTER_SENT, S.SCHEDULED}),
    S.LETTER_SENT: frozenset({S.SCHEDULED}),  # presented again, e.g. with the final pathology
    S.DEFERRED: frozenset({S.SUBMITTED, S.WITHDRAWN}),  # re-queued, or given up
    S.WITHDRAWN: frozenset({S.DRAFT}),  # reopened
}

# Moves a user makes from the case page, and the roles that may make each.
MANUAL_MOVES: dict[tuple[S, S], frozenset[Role]] = {
    (S.DRAFT, S.SUBMITTED): frozenset({Role.PHYSICIAN, Role.COORDINATOR, Role.NAVIGATOR}),
    (S.SUBMITTED, S.DRAFT): frozenset({Role.PHYSICIAN, Role.COORDINATOR}),
    (S.DRAFT, S.WITHDRAWN): frozenset({Role.PHYSICIAN, Role.COORDINATOR}),
    (S.SUBMITTED, S.WITHDRAWN): frozenset({Role.PHYSICIAN, Role.COORDINATOR}),
    (S.SUBMITTED, S.DEFERRED): frozenset({Role.COORDINATOR}),
    (S.SCHEDULED, S.DEFERRED): frozenset({Role.COORDINATOR}),
    (S.SCHEDULED, S.WITHDRAWN): frozenset({Role.COORDINATOR}),
    (S.DEFERRED, S.SUBMITTED): frozenset({Role.PHYSICIAN, Role.COORDINATOR}),
    (S.DEFERRED, S.WITHDRAWN): frozenset({Role.PHYSICIAN, Role.COORDINATOR}),
    (S.WITHDRAWN, S.DRAFT): frozenset({Role.PHYSICIAN, Role.COORDINATOR}),
}

ACTION_LABELS: dict[S, str] = {
    S.SUBMITTED: "Submit to the board",
    S.DRAFT: "Return to draft",
    S.WITHDRAWN: "Withdraw",
    S.DEFERRED: "Defer",
}
# A case in these states can still be edited.
EDITABLE = frozenset({S.DRAFT, S.SUBMITTED, S.SCHEDULED, S.DEFERRED})


class IllegalMove(Refused):
    """A status change the workflow does not allow."""


def check_move(old: S, new: S) -> None:
    """Raise IllegalMove with a message a user understands when `old -> new` is not a legal move."""
    if new not in MOVES[old]:
        allowed = ", ".join(sorted(s.label.lower() for s in MOVES[old])) or "nothing"
        raise IllegalMove(f"A {old.label.lower()} case cannot become {new.label.lower()}; it can become: {allowed}.")


def manual_moves(status: S, roles: frozenset[Role]) -> list[S]:
    """The moves a user with `roles` may make by hand from `status`, in a stable order."""
    return [new for (old, new), who in MANUAL_MOVES.items() if old is status and not who.isdisjoint(roles)]


def may_move_by_hand(old: S, new: S, roles: frozenset[Role]) -> bool:
    """Whether a user with `roles` may make this move from the case page."""
    return not MANUAL_MOVES.get((old, new), frozenset()).isdisjoint(roles)
