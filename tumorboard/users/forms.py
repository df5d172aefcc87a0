"""User management forms."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from tumorboard.auth.models import User
from tumorboard.forms import CheckboxListField, Form, NewPasswordForm, vocabulary_choices
from tumorboard.users.operations import UserData
from tumorboard.vocab import Role, Specialty


class UserForm(Form):
    """A user's details and roles."""

    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    credentials = StringField("Credentials", validators=[Length(max=40)], description="For example MD, PhD.")
    email = EmailField("E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    specialty = SelectField("Specialty", choices=vocabulary_choices(Specialty), validators=[DataRequired()])
    roles = CheckboxListField("Roles", choices=vocabulary_choices(Role))
    active = BooleanField("Active (may sign in)", default=True)
    submit = SubmitField("Save")

    @classmethod
    def for_user(cls, user: User, submitted: bool) -> UserForm:
        """The edit form: from the request when it was submitted, else filled from the user."""
        if submitted:
            return cls(obj=user)
        form = cls(formdata=None, obj=user)
        form.specialty.data = user.specialty.value
        form.roles.data = [role.value for role in user.roles]
        return form

    def as_data(self) -> UserData:
        """The details as the operations take them."""
        return UserData(
            username=self.username.data,
            full_name=self.full_name.data,
            email=self.email.data,
            credentials=self.credentials.data or "",
            specialty=Specialty(self.specialty.data),
            roles=frozenset(Role(code) for code in self.roles.data or ()),
            active=self.active.data,
        )


class NewUserForm(UserForm, NewPasswordForm):
    """A user's details with a first password (optional with hospital sign-in: `provider` names it)."""

    def __init__(self, *args: object, provider: str | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.provider = provider
        if provider:
            self.password.validators = [Optional()]
            self.confirm.validators = [EqualTo("password", message="The two passwords differ.")]
            self.password.description = f"Leave both empty when they sign in with {provider} only."

    @property
    def first_password(self) -> str | None:
        """The password to set, or None (left empty with hospital sign-in on)."""
        return None if self.provider and not self.password.data else self.password.data or ""


class ResetPasswordForm(NewPasswordForm):
    """A new password for someone else."""


class ButtonForm(Form):
    """A button on a user's page (sign out everywhere, unlink the hospital account): the CSRF token is the point."""
