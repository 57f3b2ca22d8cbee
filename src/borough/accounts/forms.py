import uuid

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import Group

from borough.accounts.models import Membership, User
from borough.core.forms import ScopedModelForm
from borough.core.roles import ALL_ROLES


class MembershipForm(ScopedModelForm):
    # A username, not a list: accounts of other councils must not be listed.
    user = forms.CharField(label="Username", help_text="The username of an existing account.")
    role = forms.ModelChoiceField(
        queryset=Group.objects.filter(name__in=ALL_ROLES).order_by("name")
    )

    class Meta:
        model = Membership
        fields = ["user", "role", "is_default", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["user"] = self.instance.user.username

    def clean_user(self):
        username = self.cleaned_data["user"].strip()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError("No active account has that username.")
        return user


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What the token is for, for example “monitoring”.",
        error_messages={"required": "Enter a name for the token"},
    )
    read_only = forms.BooleanField(
        required=False, label="Read only",
        help_text="The token can read records but not change anything.",
    )
    expires_in_days = forms.IntegerField(
        min_value=1, max_value=730, initial=90, label="Expires after (days)",
        help_text="Between 1 and 730 days.",
        error_messages={
            "required": "Enter the number of days until the token expires",
            "invalid": "Enter the number of days as a whole number, like 90",
            "min_value": "The token must last at least 1 day",
            "max_value": "The token can last at most 730 days",
        },
    )
    # A resubmitted form (refresh, double click) must not make a second token.
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_key"].initial = uuid.uuid4().hex


# --- Sign-in and passwords, with GOV.UK wording ----------------------------------

INVALID_LOGIN = "Enter a correct username and password. Both are case-sensitive."


class SignInForm(auth_forms.AuthenticationForm):
    """The sign-in form. A failure never says which part was wrong, or that the
    account exists but is deactivated."""

    error_messages = {"invalid_login": INVALID_LOGIN, "inactive": INVALID_LOGIN}

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Username"
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["username"].widget.attrs.update(spellcheck="false", autocapitalize="none")
        self.fields["password"].label = "Password"
        self.fields["password"].error_messages["required"] = "Enter your password"


def _new_password_fields(form) -> None:
    form.fields["new_password1"].label = "New password"
    form.fields["new_password1"].error_messages["required"] = "Enter a new password"
    form.fields["new_password2"].label = "Confirm new password"
    form.fields["new_password2"].help_text = "Type the new password again."
    form.fields["new_password2"].error_messages["required"] = "Confirm your new password"


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_mismatch": "The new passwords do not match",
        "password_incorrect": "Your current password is not right. Enter it again.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        _new_password_fields(self)


class SetPasswordForm(auth_forms.SetPasswordForm):
    error_messages = {
        **auth_forms.SetPasswordForm.error_messages,
        "password_mismatch": "The new passwords do not match",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _new_password_fields(self)


class PasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].help_text = "The email address your Borough account uses."
        self.fields["email"].error_messages.update(
            required="Enter your email address",
            invalid="Enter an email address in the correct format, like name@example.gov.uk",
        )
        self.fields["email"].widget.attrs.update(spellcheck="false")


class EmailChangeForm(forms.Form):
    """The new address and the current password; the service checks the rest."""

    email = forms.EmailField(
        label="New email address", max_length=254,
        help_text="We will send a link to this address. Your address changes only when "
                  "you open the link and confirm.",
        error_messages={
            "required": "Enter your new email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    password = forms.CharField(
        label="Current password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your current password"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(spellcheck="false", autocomplete="email")
