"""User management forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from tumorboard.forms import CheckboxListField, NewPasswordForm, vocabulary_choices
from tumorboard.vocab import Role, Specialty


class UserForm(FlaskForm):
    """A user's details and roles."""

    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    credentials = StringField("Credentials", validators=[Length(max=40)], description="For example MD, PhD.")
    email = EmailField("E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    specialty = SelectField("Specialty", choices=vocabulary_choices(Specialty), validators=[DataRequired()])
    roles = CheckboxListField("Roles", choices=vocabulary_choices(Role))
    active = BooleanField("Active (may sign in)", default=True)
    submit = SubmitField("Save")


class NewUserForm(UserForm, NewPasswordForm):
    """A user's details with a first password."""


class ResetPasswordForm(NewPasswordForm):
    """A new password for someone else."""


class SignOutForm(FlaskForm):
    """Ends every session of a user (the CSRF token is the point of it)."""
