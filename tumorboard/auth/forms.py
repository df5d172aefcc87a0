"""Login and password forms."""

from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from tumorboard.forms import Form, NewPasswordForm


class LoginForm(Form):
    """Username and password."""

    username = StringField(
        "Username",
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=128)], render_kw={"autocomplete": "current-password"}
    )
    submit = SubmitField("Sign in")


class ChangePasswordForm(NewPasswordForm):
    """The signed-in user changes their own password."""

    current_password = PasswordField(
        "Current password", validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )


class CalendarTokenForm(Form):
    """Create or revoke the personal calendar link."""

    action = StringField(validators=[Length(max=10)])
