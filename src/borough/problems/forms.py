"""Problems' forms: the registers' model forms, and the inputs of the record actions
(pages and API validate with the same form)."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from borough.core.actions import ActionForm
from borough.core.forms import ScopedModelForm
from borough.problems import models as m
from borough.servicedesk.models import Ticket, TicketType

TEXT_LIMIT = 20_000
MOST_INCIDENTS = 200
_REFERENCE = re.compile(r"[A-Za-z]{3}-\d+", re.ASCII)


def tickets_named(text: str, user) -> list[Ticket]:
    """The incidents `text` names by reference ("INC-000012, INC-000013"), among those
    `user` may see; a ValidationError naming any it cannot find."""
    wanted = list(dict.fromkeys(ref.upper() for ref in _REFERENCE.findall(text or "")))
    if not wanted:
        raise ValidationError("Enter the incidents' references, like INC-000123.")
    if len(wanted) > MOST_INCIDENTS:
        raise ValidationError(f"Link at most {MOST_INCIDENTS} incidents at a time.")
    found = {t.reference: t for t in Ticket.objects.visible_to(user).filter(
        reference__in=wanted, ticket_type=TicketType.INCIDENT)} if user is not None else {}
    missing = [ref for ref in wanted if ref not in found]
    if missing:
        raise ValidationError(f"No incident has the reference {', '.join(missing)}.")
    return [found[ref] for ref in wanted]


class IncidentsField(forms.CharField):
    """Incident references typed in a box, or a list of them (the API)."""

    def to_python(self, value):
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        return super().to_python(value)


class CauseCategoryForm(ScopedModelForm):
    class Meta:
        model = m.CauseCategory
        fields = ["name", "description", "is_active"]


class TrendRuleForm(ScopedModelForm):
    class Meta:
        model = m.TrendRule
        fields = ["name", "group_by", "window_days", "min_incidents", "is_active"]


class ProblemForm(ScopedModelForm):
    class Meta:
        model = m.Problem
        fields = ["title", "description", "priority", "owner", "service", "cis", "method",
                  "root_cause", "cause_category", "workaround"]
        widgets = {"cis": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # Raised from incidents: their references (the ticket page fills them in).
            self.fields["incidents"] = IncidentsField(
                label="Incidents (optional)", required=False, max_length=5000,
                help_text="The incidents it causes, by reference: INC-000123, INC-000124.")

    def clean_incidents(self):
        text = self.cleaned_data.get("incidents") or ""
        return tickets_named(text, self.user) if text.strip() else []


class AnalysisStepForm(ScopedModelForm):
    class Meta:
        model = m.AnalysisStep
        fields = ["problem", "position", "happened_at", "text"]


class TicketReferenceField(forms.CharField):
    """A ticket typed by its reference (a desk has too many for a select), or its id;
    resolved among what the form's user may see."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.user = None

    def prepare_value(self, value):
        if isinstance(value, Ticket):
            return value.reference
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            found = Ticket.objects.filter(pk=int(value)).values_list("reference", flat=True)
            return found.first() or value
        return value

    def clean(self, value):
        text = str(super().clean(value) or "").strip()
        if not text:
            return None
        scoped = Ticket.objects.visible_to(self.user) if self.user is not None else \
            Ticket.objects.none()
        found = scoped.filter(pk=int(text)).first() if text.isdigit() and len(text) < 18 \
            else scoped.filter(reference__iexact=text).first()
        if found is None:
            raise ValidationError("No ticket has that reference.")
        return found


class ProblemIncidentForm(ScopedModelForm):
    ticket = TicketReferenceField(label="Incident", help_text="Its reference, like INC-000123.")

    class Meta:
        model = m.ProblemIncident
        fields = ["problem", "ticket"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ticket"].user = self.user


class KnownErrorForm(ScopedModelForm):
    class Meta:
        model = m.KnownError
        fields = ["title", "symptoms", "root_cause", "workaround", "problem", "service", "ci",
                  "category", "is_active"]


class KnownErrorUseForm(ScopedModelForm):
    ticket = TicketReferenceField(label="Ticket", help_text="Its reference, like INC-000123.")

    class Meta:
        model = m.KnownErrorUse
        fields = ["known_error", "ticket", "fixed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ticket"].user = self.user


# --- record actions ---------------------------------------------------------------------------

class NoteForm(ActionForm):
    note = forms.CharField(label="Note (optional)", required=False, max_length=TEXT_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 3}))


class KnownErrorActionForm(ActionForm):
    """Recording a problem as a known error: the workaround (and what is known of the
    cause), published to the service desk as a known error record."""

    workaround = forms.CharField(
        label="Workaround", max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 4}),
        required=False, help_text="Leave blank to keep the problem's workaround.")
    symptoms = forms.CharField(
        label="Symptoms (optional)", max_length=TEXT_LIMIT, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What users see, in the words they use: the service desk searches these. "
                  "Blank: the problem's description.")


class ResolveForm(ActionForm):
    note = forms.CharField(label="The permanent fix", max_length=TEXT_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "Describe the permanent fix."})
    resolve_incidents = forms.BooleanField(
        label="Also resolve its linked incidents that are still open", required=False,
        initial=True)


class ReasonForm(ActionForm):
    note = forms.CharField(label="Why the fix did not hold", max_length=TEXT_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Say why it is reopened."})


class ReviewForm(ActionForm):
    note = forms.CharField(
        label="Closure review", max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What was learnt, whether the fix held, and what should change.",
        error_messages={"required": "Write the closure review."})


class LinkIncidentsForm(ActionForm):
    carries_version = False
    incidents = IncidentsField(
        label="Incidents", max_length=5000,
        help_text="Their references, separated by commas or spaces: INC-000123, INC-000124.",
        error_messages={"required": "Enter the incidents' references, like INC-000123."})

    def clean_incidents(self):
        return tickets_named(self.cleaned_data["incidents"], self.user)


class UnlinkIncidentForm(ActionForm):
    carries_version = False
    incident = forms.CharField(label="Incident", max_length=20,
                               error_messages={"required": "Enter the incident's reference."})

    def clean_incident(self):
        return tickets_named(self.cleaned_data["incident"], self.user)[0]


class ApplyForm(ActionForm):
    """Applying a known error's workaround to a ticket: sent to the requester as a reply
    (or kept as an internal note), and recorded as used."""

    carries_version = False
    ticket = forms.IntegerField(widget=forms.HiddenInput, min_value=1,
                                error_messages={"required": "Say which ticket."})
    send_to_requester = forms.BooleanField(
        label="Send the workaround to the requester as a reply", required=False)

    def clean_ticket(self):
        found = Ticket.objects.visible_to(self.user).filter(
            pk=self.cleaned_data["ticket"]).first() if self.user is not None else None
        if found is None:
            raise ValidationError("No ticket has that id.")
        return found


class FixedItForm(ActionForm):
    carries_version = False
    ticket = forms.IntegerField(widget=forms.HiddenInput, min_value=1,
                                error_messages={"required": "Say which ticket."})
    fixed = forms.BooleanField(label="It fixed the ticket", required=False,
                               help_text="Left out: yes.")

    clean_ticket = ApplyForm.clean_ticket

    def service_fields(self) -> dict:
        data = super().service_fields()
        if "fixed" not in self.data:  # "This fixed it" says so by being sent
            data["fixed"] = True
        return data
