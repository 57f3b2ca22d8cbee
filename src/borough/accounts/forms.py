from django import forms
from django.contrib.auth.models import Group

from borough.accounts.models import Membership, User
from borough.accounts.roles import ALL_ROLES
from borough.core.forms import ScopedModelForm


class MembershipForm(ScopedModelForm):
    # A username, not a list: accounts of other councils must not be listed.
    user = forms.CharField(label="Username", help_text="The username of an existing account.")
    role = forms.ModelChoiceField(queryset=Group.objects.filter(name__in=ALL_ROLES).order_by("name"))

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
    name = forms.CharField(max_length=100, help_text="What the token is for, for example “monitoring”.")
    read_only = forms.BooleanField(required=False, label="Read only")
    expires_in_days = forms.IntegerField(
        min_value=1, max_value=730, initial=90, label="Expires after (days)",
    )
