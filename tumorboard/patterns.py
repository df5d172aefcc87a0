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


_CLASS_WORDS = {"A-Z": "capital letters", "a-z": "small letters", "0-9": "digits", r"\d": "digits"}
_TOKEN = regex.compile(r"(\[[^\]]+\]|\\d|[A-Za-z0-9-])(\{\d+(?:,\d+)?\}|[+*?])?")


def _quantity(quantifier: str | None) -> str:
    if not quantifier:
        return "1"
    if quantifier in "+*?":
        return {"+": "1 or more", "*": "any number of", "?": "an optional"}[quantifier]
    low, _, high = quantifier.strip("{}").partition(",")
    return f"{low} to {high}" if high and high != low else low


def _kinds(token: str) -> str | None:
    if token in _CLASS_WORDS:
        return _CLASS_WORDS[token]
    if not token.startswith("["):
        return f'"{token}"'
    inner, words = token[1:-1], []
    for span, word in _CLASS_WORDS.items():
        if span in inner:
            words.append(word)
            inner = inner.replace(span, "")
    if inner.strip("-"):
        return None  # other signs: not worth guessing
    return " or ".join(dict.fromkeys(words))


def describe_pattern(pattern: str) -> str | None:
    """A simple pattern in words ("^[A-Z0-9]{6,12}$": "6 to 12 capital letters or digits"), or None when it is not
    one of the simple shapes (character classes and counts one after another)."""
    body = pattern.removeprefix("^").removesuffix("$")
    parts, literal, at = [], "", 0
    for match in _TOKEN.finditer(body):
        token, quantifier = match.groups()
        if match.start() != at or (kinds := _kinds(token)) is None:
            return None
        at = match.end()
        if not token.startswith(("[", "\\")) and not quantifier:  # a plain character: part of a literal prefix
            literal += token
            continue
        if literal:
            parts.append(f'"{literal}"')
            literal = ""
        parts.append(f"{_quantity(quantifier)} {kinds}")
    if literal:
        parts.append(f'"{literal}"')
    return ", then ".join(parts) if parts and at == len(body) else None
