"""Finding a patient from one search box: what the typed text is, and the name key names are matched on. Pure.

The text is an MRN (exact) or a case number, a date of birth, or a name: words that each begin a word of the
patient's last or first name, whatever their case and accents ("o'con mar" finds María O'Connor-Nguyen, so does
"oconnor").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

MAX_QUERY = 80
_NOT_A_LETTER = re.compile(r"[^0-9a-z]+")
_CASE_NUMBER = re.compile(r"#\s*(\d{1,9})")
_DATES = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")


def _folded(text: str) -> str:
    """Lower case, without accents, every other sign a space."""
    if text.isascii():  # most names: nothing to decompose (an import folds thousands)
        plain = text
    else:
        plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(_NOT_A_LETTER.sub(" ", plain.casefold()).split())


def name_key(last_name: str | None, first_name: str | None) -> str:
    """What a name is searched by: its words, and each name written without its separators, between spaces."""
    words = [_folded(name or "") for name in (last_name, first_name)]
    squashed = [word.replace(" ", "") for word in words if " " in word]
    return " " + " ".join(part for part in (*words, *squashed) if part) + " "


@dataclass(frozen=True)
class PatientQuery:
    """What was typed, read: at most one of these is set (nothing for text too short to search by)."""

    identifier: str | None = None  # an MRN, or a case number when it is digits
    case_id: int | None = None  # "#683"
    birth_date: date | None = None
    words: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """What kind of search this is, for the audit log (never the text itself)."""
        for name in ("case_id", "birth_date", "identifier"):
            if getattr(self, name) is not None:
                return name
        return "name" if self.words else "none"


def parse_patient_query(text: str) -> PatientQuery:
    """Read the search box."""
    text = " ".join((text or "").split())[:MAX_QUERY]
    if match := _CASE_NUMBER.fullmatch(text):
        return PatientQuery(case_id=int(match.group(1)))
    for pattern in _DATES:
        try:
            return PatientQuery(birth_date=datetime.strptime(text, pattern).date())
        except ValueError:
            pass
    if re.fullmatch(r"[A-Za-z]*\d[A-Za-z0-9-]*", text):  # has a digit and no space: an identifier
        return PatientQuery(identifier=text)
    words = tuple(word for word in _folded(text).split() if word)
    return PatientQuery(words=words) if sum(map(len, words)) >= 2 else PatientQuery()
