"""Each member's attendance of the meetings held since they joined, against the series' target."""

from datetime import date
from fractions import Fraction

from tumorboard.conferences.membership import MemberAttendance, attendance

HELD = [(1, date(2026, 1, 6)), (2, date(2026, 1, 13)), (3, date(2026, 1, 20))]


def test_attendance_counts_the_meetings_held_since_joining():
    rates = attendance(
        {10: date(2025, 6, 1), 11: date(2026, 1, 13), 12: date(2026, 2, 1)},
        HELD,
        {(1, 10), (2, 10), (2, 11), (3, 11), (3, 99)},
        Fraction(2, 3),
    )
    assert rates[10] == MemberAttendance(2, 3, False)  # 2 of 3 meets 2/3 exactly
    assert rates[11] == MemberAttendance(2, 2, False)  # joined on the 13th: two meetings to count
    assert rates[12] == MemberAttendance(0, 0, False) and rates[12].rate is None  # nothing held since: not flagged
    assert rates[10].rate == Fraction(2, 3)


def test_under_the_target_is_flagged_and_no_target_flags_nobody():
    joined = {10: date(2025, 1, 1)}
    assert attendance(joined, HELD, {(1, 10)}, Fraction(2, 3))[10].below_target
    assert not attendance(joined, HELD, set(), Fraction(0))[10].below_target
