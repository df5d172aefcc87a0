"""Form pieces shared by every feature."""

from collections.abc import Iterable, Mapping
from enum import Enum

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, PasswordField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tumorboard.vocab import Sex, Vocabulary

CHOOSE = "Choose…"


# WTForms' own messages, in the words the rest of the app uses.
PLAIN_WORDS = {
    "Not a valid choice.": "Choose one from the list.",
    "Not a valid integer value.": "Write a whole number, for example 2.",
    "Not a valid date value.": "Write the date as YYYY-MM-DD, for example 1961-02-03.",
    "Not a valid datetime value.": "Write the date and time, for example 2026-12-08 07:00.",
    "Not a valid time value.": "Write the time as HH:MM, for example 07:30.",
    "Not a valid decimal value.": "Write a number, for example 2.5.",
    "This field is required.": "Fill this in.",
}


class _PlainWords:
    def gettext(self, string: str) -> str:
        return PLAIN_WORDS.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


class Form(FlaskForm):
    """Every form of the app: Flask-WTF's (CSRF), with WTForms' own messages in plain words."""

    class Meta:
        def get_translations(self, form: FlaskForm) -> _PlainWords:
            return _PlainWords()


def vocabulary_choices(vocabulary: type[Vocabulary], blank: str | None = None) -> list[SelectChoice]:
    """A select field's options for a closed vocabulary: code as value, label as text (and a blank first)."""
    options = [SelectChoice(member.value, member.label) for member in vocabulary]
    return [SelectChoice("", blank), *options] if blank is not None else options


class NewPasswordForm(Form):
    """A new password typed twice (the policy is checked by the operation that sets it)."""

    password = PasswordField("New password", validators=[DataRequired()], render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


def typed_values(
    form: FlaskForm, names: Iterable[str], enums: Mapping[str, type[Vocabulary]], ids: Iterable[str]
) -> dict[str, object]:
    """A validated form's data as typed values: vocabulary members, integer ids, '' for empty text. Of a form that did
    not validate, a field with an error reads as empty (so the domain's rules can still be checked on the rest)."""
    ids = set(ids)
    values: dict[str, object] = {}
    for name in names:
        value = None if form[name].errors else form[name].data
        if name in enums:
            value = enums[name](value) if value else None
        elif name in ids:
            value = int(value) if value else None
        elif value is None and isinstance(form[name], StringField):
            value = ""
        values[name] = value
    return values


def show_values(form: FlaskForm, values: Mapping[str, object], ids: Iterable[str]) -> None:
    """Put stored values into a form: codes for vocabulary members, text for ids."""
    ids = set(ids)
    for name, value in values.items():
        if isinstance(value, Enum):
            value = value.value
        elif name in ids:
            value = "" if value is None else str(value)
        form[name].data = value


def show_problems(form: FlaskForm | None, by_field: Mapping[str, list[str]]) -> list[str]:
    """Put each message next to its field, after any the form found itself; return those no field of it shows."""
    elsewhere = []
    for name, messages in by_field.items():
        if form is not None and name in form:
            form[name].errors = [*form[name].errors, *messages]
        else:
            elsewhere += messages
    return elsewhere


def optional_text(label: str, max_length: int, **kwargs: object) -> StringField:
    """A text field that may be empty (whether it is required is the domain's rule, not the form's)."""
    return StringField(label, validators=[Optional(), Length(max=max_length)], **kwargs)


class PatientForm(Form):
    """The patient's identity, shared by the case form and the second-opinion intake."""

    mrn = optional_text("MRN", 32, description="The program's medical record number.")
    last_name = optional_text("Last name", 80)
    first_name = optional_text("First name", 80)
    birth_date = DateField("Date of birth", validators=[Optional()])
    sex = SelectField("Sex", choices=vocabulary_choices(Sex, CHOOSE), default="")


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WholeNumberField(IntegerField):
    """A whole number a database integer column holds: a longer one is an input error, not an overflow (a 500)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not -(2**31) < self.data < 2**31:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
