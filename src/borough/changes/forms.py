from __future__ import annotations

import re

from django import forms

from borough.changes import models as m
from borough.cmdb.models import ConfigurationItem
from borough.core import scope
from borough.core.actions import ActionForm
from borough.core.forms import DateTimeInput, ScopedModelForm, TimeInput
from borough.organisation.models import Person
from borough.servicedesk.models import Ticket

NOTE_LIMIT = 20_000
SPLIT = re.compile(r"[,;\n]+")


class ItemsField(forms.CharField):
    """Configuration items typed by reference (CI-000123) or exact name, one a line or
    separated by commas: an estate of 100,000 items is no select. The form sets
    `queryset` (scoped with visible_to) before it is cleaned."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.queryset = ConfigurationItem.objects.none()

    def prepare_value(self, value):
        if isinstance(value, str):
            return value
        items = list(value or [])
        if items and not isinstance(items[0], ConfigurationItem):
            items = list(self.queryset.filter(pk__in=[getattr(i, "pk", i) for i in items]))
        return "\n".join(f"{i.reference} {i.name}" for i in items)

    def clean(self, value):
        words = [w.strip() for w in SPLIT.split(super().clean(value) or "") if w.strip()]
        found, unknown = [], []
        for word in words[:200]:
            reference = word.split()[0]
            item = (self.queryset.filter(reference__iexact=reference).first()
                    or self.queryset.filter(name__iexact=word).first())
            if item is None:
                unknown.append(word)
            elif item not in found:
                found.append(item)
        if len(words) > 200:
            raise forms.ValidationError("Name at most 200 items on one change.")
        if unknown:
            raise forms.ValidationError(
                "No configuration item has the reference or name "
                + ", ".join(f"“{w}”" for w in unknown[:5]) + ". Check the CMDB.")
        return found


class ChangeForm(ScopedModelForm):
    configuration_items = ItemsField(
        label="Configuration items",
        help_text="By reference (CI-000123) or name, one a line. The schedule checks other "
                  "changes on these items and on what they depend on.")

    class Meta:
        model = m.Change
        fields = ["title", "change_type", "template", "description", "reason", "requester",
                  "owner", "configuration_items", "services", "problems", "impact_level",
                  "impact", "implementation_plan", "test_plan", "backout_plan",
                  "planned_start", "planned_end"]
        widgets = {"planned_start": DateTimeInput(), "planned_end": DateTimeInput(),
                   "services": forms.SelectMultiple(attrs={"size": 6}),
                   "problems": forms.SelectMultiple(attrs={"size": 4})}
        labels = {"planned_start": "Window starts", "planned_end": "Window ends"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["configuration_items"].queryset = ConfigurationItem.objects.visible_to(
            self.user)
        if self.instance.pk and self.instance.status not in m.OPEN_FOR_EDIT:
            # Once with the board, its type and window change only through its actions
            # (reschedule, send back): the checks those make cannot be gone round.
            for name in ("change_type", "template", "planned_start", "planned_end"):
                self.fields.pop(name, None)
        if not self.instance.pk and not self.is_bound and self.user is not None:
            me = Person.objects.filter(organisation_id=self.instance.organisation_id,
                                       user=self.user).first()
            if me is not None:
                self.initial.setdefault("requester", me.pk)
        if "template" in self.fields:
            self.fields["template"].queryset = self.fields["template"].queryset.filter(
                is_active=True)


class RiskQuestionForm(ScopedModelForm):
    class Meta:
        model = m.RiskQuestion
        fields = ["question", "help_text", "raises_to", "position", "is_active"]


class ChangeTemplateForm(ScopedModelForm):
    class Meta:
        model = m.ChangeTemplate
        fields = ["name", "description", "implementation_plan", "test_plan", "backout_plan",
                  "risk_level", "usual_minutes", "approved_by", "approved_on", "is_active",
                  "announce"]


class BoardForm(ScopedModelForm):
    class Meta:
        model = m.Board
        fields = ["name", "kind", "chair", "chair_deputy", "quorum"]


class BoardMemberForm(ScopedModelForm):
    class Meta:
        model = m.BoardMember
        fields = ["board", "member", "deputy", "represents", "is_active"]


class MeetingForm(ScopedModelForm):
    class Meta:
        model = m.Meeting
        fields = ["board", "starts_at", "location", "status", "attendees", "minutes"]
        widgets = {"starts_at": DateTimeInput(), "attendees": forms.CheckboxSelectMultiple}


class CausedIncidentForm(ScopedModelForm):
    """An incident a change caused: one the user can see, or (on the page, `offer_new`) a
    new one raised with it: its title and what happened."""

    class Meta:
        model = m.CausedIncident
        fields = ["change", "ticket", "note"]

    def __init__(self, *args, offer_new: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if "ticket" in self.fields and hasattr(self.fields["ticket"], "queryset"):
            self.fields["ticket"].queryset = self.fields["ticket"].queryset.filter(
                ticket_type="incident")
            self.fields["ticket"].error_messages["required"] = "Choose the incident it caused."
        # Raising one is for those who may raise incidents (the desk, team leads, ICT
        # management); a change manager links one already raised.
        self.offer_new = offer_new and not self.instance.pk and scope.can(
            self.user, "add", Ticket, self.instance.organisation_id)
        if self.offer_new:
            self.fields["ticket"].required = False
            self.fields["ticket"].help_text = ("An incident already raised. Or leave it "
                                               "empty and raise a new one below.")
            self.fields["new_title"] = forms.CharField(
                label="Or raise a new incident: what is wrong", required=False,
                max_length=200, help_text="A new incident, raised by you and linked.")
            self.fields["new_description"] = forms.CharField(
                label="What happened", required=False, max_length=NOTE_LIMIT,
                widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        if self.offer_new and "ticket" not in self.errors:
            title = (cleaned.get("new_title") or "").strip()
            if cleaned.get("ticket") is not None and title:
                self.add_error("new_title", "Choose an incident already raised, or raise a "
                                            "new one: not both.")
            elif cleaned.get("ticket") is None and not title:
                self.add_error("ticket", "Choose the incident it caused, or raise a new one "
                                         "below.")
            elif title and not (cleaned.get("new_description") or "").strip():
                self.add_error("new_description", "Say what happened.")
        return cleaned


class ScheduleWindowForm(ScopedModelForm):
    class Meta:
        model = m.ScheduleWindow
        fields = ["name", "kind", "starts_at", "ends_at", "services", "reason"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput(),
                   "services": forms.SelectMultiple(attrs={"size": 6})}


class MaintenanceWindowForm(ScopedModelForm):
    class Meta:
        model = m.MaintenanceWindow
        fields = ["service", "weekday", "starts", "ends"]
        widgets = {"starts": TimeInput(), "ends": TimeInput()}


# --- the record actions' input ----------------------------------------------------------

class NoteForm(ActionForm):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           max_length=NOTE_LIMIT)


class ReasonForm(ActionForm):
    note = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=NOTE_LIMIT)


class AssessForm(ActionForm):
    """The council's risk questions, yes or no, then the impact."""

    impact_level = forms.ChoiceField(label="Impact", choices=m.Level.choices)
    impact = forms.CharField(label="Impact on the business", widget=forms.Textarea(
        attrs={"rows": 3}), required=False, max_length=NOTE_LIMIT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        record = self.record
        self.questions = list(m.RiskQuestion.objects.filter(
            organisation_id=record.organisation_id, is_active=True)) if record is not None \
            else []
        given = {a.get("id"): a.get("answer") for a in (record.risk_answers or [])} \
            if record is not None else {}
        for question in self.questions:
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=question.question, help_text=question.help_text,
                choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect,
                coerce=lambda v: v == "yes", initial={True: "yes", False: "no"}.get(
                    given.get(question.pk)))
        if record is not None and not self.is_bound:
            self.fields["impact_level"].initial = record.impact_level or None
            self.fields["impact"].initial = record.impact

    def service_fields(self) -> dict:
        data = super().service_fields()
        answers = {q.pk: data.pop(f"q{q.pk}") for q in self.questions}
        return {**data, "answers": answers}


class RescheduleForm(ActionForm):
    planned_start = forms.DateTimeField(label="Window starts", widget=DateTimeInput())
    planned_end = forms.DateTimeField(label="Window ends", widget=DateTimeInput())
    note = forms.CharField(label="Why it moves", required=False, max_length=NOTE_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.record is not None and not self.is_bound:
            self.fields["planned_start"].initial = self.record.planned_start
            self.fields["planned_end"].initial = self.record.planned_end


class VoteForm(ActionForm):
    carries_version = False  # a vote is an addition: others voting is no conflict
    decision = forms.ChoiceField(choices=m.VoteDecision.choices, widget=forms.RadioSelect)
    note = forms.CharField(required=False, max_length=NOTE_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 2}))


class OutcomeForm(ActionForm):
    outcome = forms.ChoiceField(choices=m.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=NOTE_LIMIT)


class ReviewForm(ActionForm):
    review = forms.CharField(
        label="Post-implementation review", required=False, max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Did it meet its objectives? What went well or badly, incidents it caused, "
                  "what to do differently.")


class FeedForm(forms.Form):
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    service = forms.ModelChoiceField(queryset=None, required=False,
                                     empty_label="Every change I can read",
                                     label="Which changes")

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
