"""Small text helpers shared by pure modules."""

import unicodedata
from xml.sax.saxutils import escape

ONE_LINE = "Use one line: this field cannot hold line breaks or control characters."


def as_sentence(error: Exception | str) -> str:
    """An error's text as a sentence for a page: capital first letter, final full stop."""
    text = str(error).strip()
    return f"{text[:1].upper()}{text[1:]}{'' if text.endswith('.') else '.'}"


def markup(text: str | None) -> str:
    """User text for a reportlab Paragraph: its mini-language escaped (so `<`, `&`, `<a>`, `<img>` print as typed), line
    breaks kept.
    """
    return escape(text or "").replace("\n", "<br/>")


def is_one_line(text: str) -> bool:
    """Whether `text` fits a one-line field (a name, a place, a link): no line break, tab or other control character."""
    return not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text)
