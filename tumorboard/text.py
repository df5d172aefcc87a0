"""Small text helpers shared by pure modules."""

from xml.sax.saxutils import escape


def as_sentence(error: Exception | str) -> str:
    """An error's text as a sentence for a page: capital first letter, final full stop."""
    text = str(error).strip()
    return f"{text[:1].upper()}{text[1:]}{'' if text.endswith('.') else '.'}"


def markup(text: str | None) -> str:
    """User text for a reportlab Paragraph: its mini-language escaped (so `<`, `&`, `<a>`, `<img>` print as typed), line breaks kept."""
    return escape(text or "").replace("\n", "<br/>")
