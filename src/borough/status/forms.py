"""Forms for announcements, their record actions and subscriptions."""

from __future__ import annotations

from django import forms

from borough.core.actions import ActionForm
from borough.core.forms import DateTimeInput, ScopedModelForm, count_characters
from borough.status import models as m

TEXT_LIMIT = m.MAX_TEXT


def when_field(label: str, required: bool, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, widget=DateTimeInput(),
                               help_text=help_text or "UK time.",
                               error_messages={"invalid": "Enter a date and time, like "
                                                          "14/03/2026 18:00."})


class AnnouncementForm(ScopedModelForm):
    starts_at = when_field("Starts", True, "UK time. For an outage, when it began.")
    expected_end_at = when_field("Expected to end", False,
                                 "UK time. Leave blank if nobody knows yet.")

    class Meta:
        model = m.Announcement
        fields = ["title", "kind", "services", "description", "starts_at", "expected_end_at"]
        widgets = {"kind": forms.RadioSelect,
                   "services": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = self.fields["services"].queryset.order_by("name")
        count_characters(self.fields["description"], TEXT_LIMIT)


class OutageForm(forms.Form):
    """Announcing the outage a major incident is about (status.services.announce_outage)."""

    title = forms.CharField(max_length=200, help_text="What people will notice, in a line.")
    kind = forms.ChoiceField(choices=[(m.Kind.OUTAGE, m.Kind.OUTAGE.label),
                                      (m.Kind.DEGRADED, m.Kind.DEGRADED.label)],
                             widget=forms.RadioSelect, initial=m.Kind.OUTAGE)
    services = forms.ModelMultipleChoiceField(
        queryset=m.Announcement.services.field.related_model.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, label="Business services affected",
        help_text="Leave empty for news about everything.")
    description = forms.CharField(label="What people should know", required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text="What is affected, what to do meanwhile.")
    expected_end_at = when_field("Expected to end", False,
                                 "UK time. Leave blank if nobody knows yet.")
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        if services is not None:
            self.fields["services"].queryset = services
        count_characters(self.fields["description"], TEXT_LIMIT)


class UpdateForm(ActionForm):
    carries_version = False  # an update adds to the timeline; it never overwrites one
    body = forms.CharField(label="Update", widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="What has changed, in words everyone understands.",
                           error_messages={"required": "Enter the update."})
    expected_end_at = when_field("New expected end (optional)", False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        count_characters(self.fields["body"], TEXT_LIMIT)


class NoteForm(ActionForm):
    note = forms.CharField(label="Note (optional)", required=False, max_length=TEXT_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Emailed to the subscribers with the change.")


class SubscriptionForm(ScopedModelForm):
    """The service to hear about: any live one of the council (a requester cannot open the
    catalogue, but may subscribe to the services the portal names)."""

    class Meta:
        model = m.Subscription
        fields = ["service"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from borough.status.queries import subscribable_services

        self.fields["service"].queryset = subscribable_services(self.instance.organisation_id)
