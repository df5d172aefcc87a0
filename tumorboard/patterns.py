"""Regular expressions an admin types (the MRN format): checked before they are kept, matched with a time limit.

A pattern such as ^(a+)+$ backtracks catastrophically under Python's re module (minutes on one hostile MRN); the
`regex` package handles that one, and matches every pattern with a timeout, so none, stored or new, holds a worker.
A pattern slow even for `regex` (^(a|aa)+$) is refused when it is typed.
"""

from __future__ import annotations

from functools import lru_cache

import regex

MATCH_SECONDS = 0.05
# Long inputs that make a backtracking pattern explode: runs of one character, then one that fails the match.
HOSTILE = tuple(run * 2000 + "!" for run in ("a", "A", "1", "A1", "-", " ", "0a"))


def pattern_problem(pattern: str, example: str = "") -> str | None:
    """Why `pattern` cannot be the MRN format (None when it can): invalid, accepting an empty MRN, too slow on
    hostile input, or not accepting the example MRN given."""
    try:
        compiled = regex.compile(pattern, flags=regex.VERSION0)
    except regex.error as error:
        return f"This is not a valid regular expression ({error})."
    try:
        if compiled.fullmatch("", timeout=MATCH_SECONDS):
            return "This format accepts an empty MRN: require at least one character, e.g. ^[A-Z0-9]{6,12}$."
        for text in HOSTILE:
            compiled.fullmatch(text, timeout=MATCH_SECONDS)
    except TimeoutError:
        return "This format takes too long to check on some inputs (nested repetition such as (a|aa)+): simplify it."
    if example and not fullmatch(pattern, example):
        return f"This format does not accept the example MRN {example!r}."
    return None


def fullmatch(pattern: str, text: str) -> bool:
    """Whether `text` matches `pattern` whole; False when it cannot be told within MATCH_SECONDS."""
    try:
        return _compiled(pattern).fullmatch(text, timeout=MATCH_SECONDS) is not None
    except TimeoutError:
        return False


@lru_cache(maxsize=16)
def _compiled(pattern: str) -> regex.Pattern:
    """A pattern compiled once (an import matches it for every row)."""
    return regex.compile(pattern, flags=regex.VERSION0)
