"""Vote tally: unanimous, consensus at a configurable threshold, or no consensus."""

import pytest

from tumorboard.room.tally import counted_choices, tally
from tumorboard.vocab import VoteChoice, VoteResult

A, D, X = VoteChoice.AGREE, VoteChoice.DISAGREE, VoteChoice.ABSTAIN


@pytest.mark.parametrize(
    ("votes", "threshold", "result"),
    [
        ([], (2, 3), VoteResult.NO_CONSENSUS),  # nobody voted
        ([X, X], (2, 3), VoteResult.NO_CONSENSUS),  # only abstentions: no vote cast
        ([A], (2, 3), VoteResult.UNANIMOUS),
        ([A, A, A, X], (2, 3), VoteResult.UNANIMOUS),  # abstaining is not dissent
        ([A, A, D], (2, 3), VoteResult.CONSENSUS),  # exactly 2/3
        ([A, D], (2, 3), VoteResult.NO_CONSENSUS),  # a tie
        ([A, A, A, D, D], (2, 3), VoteResult.NO_CONSENSUS),  # 60% < 2/3
        ([A, A, A, D, D], (3, 5), VoteResult.CONSENSUS),  # a series that accepts 60%
        ([A, A, A, A, A, A, D, D, D, X, X], (2, 3), VoteResult.CONSENSUS),  # 6 of 9 cast
        ([A, A, A, A, A, D, D, D, X, X, X], (2, 3), VoteResult.NO_CONSENSUS),  # 5 of 8 cast
        ([D, D], (2, 3), VoteResult.NO_CONSENSUS),
        ([A, D], (1, 2), VoteResult.CONSENSUS),  # simple majority including ties
    ],
)
def test_result(votes, threshold, result):
    assert tally(votes, *threshold).result is result


def test_counts_every_choice():
    counted = tally([A, A, D, X, X, X])
    assert (counted.agree, counted.disagree, counted.abstain, counted.cast) == (2, 1, 3, 3)


@pytest.mark.parametrize("threshold", [(0, 3), (4, 3), (-1, 2)])
def test_threshold_must_be_a_fraction(threshold):
    with pytest.raises(ValueError):
        tally([A], *threshold)


def test_only_votes_on_the_plans_current_version_count():
    votes = [(VoteChoice.AGREE, 1), (VoteChoice.DISAGREE, 2), (VoteChoice.AGREE, 2), (VoteChoice.ABSTAIN, 1)]
    assert counted_choices(votes, 2) == [VoteChoice.DISAGREE, VoteChoice.AGREE]
    assert tally(counted_choices(votes, 3)).result is VoteResult.NO_CONSENSUS  # a new version: nothing cast yet
