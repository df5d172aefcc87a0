"""Counting the votes on a consensus plan: a pure function.

Abstentions are recorded but are not votes cast (as in Robert's Rules): the
threshold applies to agree / (agree + disagree). With no vote cast there is no
consensus.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from tumorboard.vocab import VoteChoice, VoteResult


@dataclass(frozen=True)
class Tally:
    """Counts and the result of one vote."""

    agree: int
    disagree: int
    abstain: int
    result: VoteResult

    @property
    def cast(self) -> int:
        """Votes cast (abstentions excluded)."""
        return self.agree + self.disagree

    @property
    def label(self) -> str:
        """The result in words, as the room shows it: none before a vote is cast."""
        return self.result.label if self.cast else "No vote yet"


def tally(choices: Iterable[VoteChoice], numerator: int = 2, denominator: int = 3) -> Tally:
    """Unanimous, consensus (agree >= numerator/denominator of votes cast) or no consensus."""
    if not 0 < numerator <= denominator:
        raise ValueError("the consensus threshold must be a fraction in (0, 1]")
    counts = Counter(choices)
    agree, disagree, abstain = counts[VoteChoice.AGREE], counts[VoteChoice.DISAGREE], counts[VoteChoice.ABSTAIN]
    cast = agree + disagree
    if cast and not disagree:
        result = VoteResult.UNANIMOUS
    elif cast and agree * denominator >= numerator * cast:  # integers: 2/3 is exact
        result = VoteResult.CONSENSUS
    else:
        result = VoteResult.NO_CONSENSUS
    return Tally(agree, disagree, abstain, result)


def counted_choices(votes: Iterable[tuple[VoteChoice, int]], plan_version: int) -> list[VoteChoice]:
    """The choices that count: those cast on the plan's current version (a vote on an earlier version is kept and
    shown, but it was cast on words since changed)."""
    return [choice for choice, version in votes if version == plan_version]
