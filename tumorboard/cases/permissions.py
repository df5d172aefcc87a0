"""Who may change a case (the table in docs/security.md). Pure: the caller says how the user stands to the case.

A user's role opens the case pages (`cases.views`) and the status moves a role may make (`workflow.MANUAL_MOVES`);
on top of that, a physician changes only a case they have a standing in: they present it, manage it, belong to the
board it is requested for, or entered it and it is still a draft. Withdrawing a case (or reopening a withdrawn one)
takes the presenter, the managing physician or a coordinator.
"""

from __future__ import annotations

from enum import Enum

from tumorboard.vocab import CaseStatus


class Standing(Enum):
    """How a user stands to one case."""

    COORDINATOR = "a coordinator"
    PRESENTER = "the presenting physician"
    MANAGER = "the managing physician"
    BOARD_MEMBER = "a member of the requested board"
    AUTHOR = "the person who entered the draft"


class CaseChange(Enum):
    """What a user does to a case."""

    EDIT = "edit"  # the case form, and the moves that keep the case in play (submit, return to draft, re-queue)
    WITHDRAW = "withdraw or reopen"


MAY: dict[CaseChange, tuple[Standing, ...]] = {
    CaseChange.EDIT: tuple(Standing),
    CaseChange.WITHDRAW: (Standing.COORDINATOR, Standing.PRESENTER, Standing.MANAGER),
}


def standing(
    user_id: int,
    coordinator: bool,
    on_board: bool,
    presenter_id: int | None,
    manager_id: int | None,
    author_id: int | None,
    status: CaseStatus,
) -> frozenset[Standing]:
    """Every standing the user has in the case."""
    held = {
        Standing.COORDINATOR: coordinator,
        Standing.PRESENTER: user_id == presenter_id,
        Standing.MANAGER: user_id == manager_id,
        Standing.BOARD_MEMBER: on_board,
        Standing.AUTHOR: user_id == author_id and status is CaseStatus.DRAFT,
    }
    return frozenset(name for name, has in held.items() if has)


def change_of_move(old: CaseStatus, new: CaseStatus) -> CaseChange:
    """Which change a status move is: withdrawing and reopening are their own."""
    return CaseChange.WITHDRAW if CaseStatus.WITHDRAWN in (old, new) else CaseChange.EDIT


def may(change: CaseChange, held: frozenset[Standing]) -> bool:
    """Whether a user with these standings may make the change."""
    return not held.isdisjoint(MAY[change])


def refusal(change: CaseChange) -> str:
    """What a user without the standing is told."""
    who = [standing.value for standing in MAY[change]]
    return f"Only {', '.join(who[:-1])} or {who[-1]} may {change.value} this case."
