"""Form helpers shared by every feature."""

from wtforms import SelectChoice

from tumorboard.vocab import Vocabulary


def vocabulary_choices(vocabulary: type[Vocabulary]) -> list[SelectChoice]:
    """A select field's options for a closed vocabulary: code as value, label as text."""
    return [SelectChoice(member.value, member.label) for member in vocabulary]
