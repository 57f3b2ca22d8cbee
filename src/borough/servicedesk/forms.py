from django import forms

from borough.core.forms import ScopedModelForm
from borough.servicedesk import models as m


class CategoryForm(ScopedModelForm):
    class Meta:
        model = m.Category
        fields = ["name", "ticket_type", "parent", "is_active"]


class PriorityRuleForm(ScopedModelForm):
    class Meta:
        model = m.PriorityRule
        fields = ["impact", "urgency", "priority"]


class SLAPolicyForm(ScopedModelForm):
    class Meta:
        model = m.SLAPolicy
        fields = ["name", "priority", "ticket_type", "response_minutes", "resolution_minutes",
                  "business_hours", "is_active"]


class CannedResponseForm(ScopedModelForm):
    class Meta:
        model = m.CannedResponse
        fields = ["title", "body", "is_active"]


class DeskSettingsForm(ScopedModelForm):
    class Meta:
        model = m.DeskSettings
        fields = ["reopen_days", "auto_close_days", "warning_percent"]


class TicketForm(ScopedModelForm):
    """Staff raising a ticket for someone (the portal has its own, simpler form)."""

    class Meta:
        model = m.Ticket
        fields = ["ticket_type", "requester", "title", "description", "channel", "service_unit",
                  "site", "category", "impact", "urgency", "team", "assignee"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from borough.accounts.models import User

        org_id = getattr(self.user, "active_organisation_id", None)
        self.fields["assignee"].queryset = User.objects.filter(
            memberships__organisation_id=org_id, memberships__is_active=True,
            memberships__role__permissions__codename="work_tickets", is_active=True,
        ).distinct().order_by("first_name", "last_name")


class PortalTicketForm(forms.Form):
    """The requester's form, in plain words."""

    ticket_type = forms.ChoiceField(
        label="What do you need?", widget=forms.RadioSelect,
        choices=[(m.TicketType.INCIDENT, "Something is broken or not working"),
                 (m.TicketType.REQUEST, "I need something new or a change")],
    )
    title = forms.CharField(label="In a few words, what is it about?", max_length=200,
                            help_text="For example: “Cannot print from the Revenues system”.")
    description = forms.CharField(
        label="Tell us more", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What were you doing, what happened, and how many people it affects.",
    )
    urgency = forms.TypedChoiceField(
        label="How much is it stopping your work?", widget=forms.RadioSelect, coerce=int,
        choices=[(1, "I cannot work at all"), (2, "I can work, but slowly"),
                 (3, "It is not stopping me")], initial=3,
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)


class ReplyForm(forms.Form):
    body = forms.CharField(label="Reply", widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(forms.Form):
    body = forms.CharField(label="Internal note", widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="Only service desk staff see notes.")


class RateForm(forms.Form):
    score = forms.TypedChoiceField(
        label="How satisfied are you with how we handled this?", widget=forms.RadioSelect,
        coerce=int, choices=[(5, "5 – Very satisfied"), (4, "4 – Satisfied"),
                             (3, "3 – Neither satisfied nor dissatisfied"),
                             (2, "2 – Dissatisfied"), (1, "1 – Very dissatisfied")],
    )
    comment = forms.CharField(label="Anything you would like to tell us?", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
