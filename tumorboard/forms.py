"""Form pieces shared by every feature."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice
from wtforms.validators import DataRequired, EqualTo

from tumorboard.vocab import Vocabulary


def vocabulary_choices(vocabulary: type[Vocabulary], blank: str | None = None) -> list[SelectChoice]:
    """A select field's options for a closed vocabulary: code as value, label as text (and a blank first)."""
    options = [SelectChoice(member.value, member.label) for member in vocabulary]
    return [SelectChoice("", blank), *options] if blank is not None else options


class NewPasswordForm(FlaskForm):
    """A new password typed twice (the policy is checked by the operation that sets it)."""

    password = PasswordField("New password", validators=[DataRequired()], render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
