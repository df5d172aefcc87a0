"""A board's members: each one's attendance of the meetings held since they joined, against the series' target.
Pure: data in, data out (the per-person attendance NAPBC and UK peer review ask for)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction


@dataclass(frozen=True)
class MemberAttendance:
    """One member's year: meetings attended of those held since they joined."""

    attended: int
    held: int
    below_target: bool

    @property
    def rate(self) -> Fraction | None:
        """Attended / held (None before any meeting was held)."""
        return Fraction(self.attended, self.held) if self.held else None


def attendance(
    joined: dict[int, date],
    held: Iterable[tuple[int, date]],
    attended: set[tuple[int, int]],
    target: Fraction,
) -> dict[int, MemberAttendance]:
    """Each member's attendance (`joined`: the day each joined, by user id; `held`: the meetings held, with their local
    day; `attended`: the (meeting, user) pairs checked in). Below target: fewer than `target` of the meetings held."""
    meetings = list(held)
    result = {}
    for user_id, since in joined.items():
        counted = [meeting for meeting, day in meetings if day >= since]
        came = sum(1 for meeting in counted if (meeting, user_id) in attended)
        below = bool(target) and bool(counted) and Fraction(came, len(counted)) < target
        result[user_id] = MemberAttendance(came, len(counted), below)
    return result
