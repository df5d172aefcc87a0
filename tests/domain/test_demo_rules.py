"""Pure rules of the demo seed."""

from datetime import date

import pytest

from tumorboard.demo.seed import apportion, is_holiday
from tumorboard.vocab import SiteGroup


@pytest.mark.parametrize("total", [0, 1, 7, 2400, 2401])
def test_apportion_adds_up_exactly(total):
    weights = {SiteGroup.BREAST: 3.0, SiteGroup.THORACIC: 2.0, SiteGroup.CNS: 1.0}
    parts = apportion(total, weights)
    assert sum(parts.values()) == total
    assert parts[SiteGroup.BREAST] >= parts[SiteGroup.THORACIC] >= parts[SiteGroup.CNS]


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        (date(2026, 12, 25), True),
        (date(2026, 11, 26), True),
        (date(2025, 11, 27), True),
        (date(2026, 11, 19), False),
        (date(2026, 7, 4), True),
        (date(2026, 7, 3), False),
    ],
)
def test_holidays(day, holiday):
    assert is_holiday(day) is holiday
