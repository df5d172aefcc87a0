"""Small text helpers shared by pure modules."""


def as_sentence(error: Exception | str) -> str:
    """An error's text as a sentence for a page: capital first letter, final full stop."""
    text = str(error).strip()
    return f"{text[:1].upper()}{text[1:]}{'' if text.endswith('.') else '.'}"
