from __future__ import annotations

from django import forms
from django.db.models import Q

from borough.core import actions as record_actions
from borough.core.forms import DateInput, ScopedModelForm
from borough.standards import models as m
from borough.standards.actions import queries
from borough.standards.validation import MAX_TEXT


def _checkboxes():
    return forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"})


class StandardChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.theme.name}: {obj.name}"


class ActionForm(ScopedModelForm):
    standards = StandardChoiceField(
        queryset=m.Standard.objects.none(), required=False, widget=_checkboxes(),
        help_text="The standards whose gap this action closes.")

    class Meta:
        model = m.Action
        fields = ["title", "description", "theme", "owner", "due_on", "status", "rag", "cycle",
                  "standards", "objectives", "targets"]
        labels = {"objectives": "Corporate plan objectives",
                  "targets": "National and local targets", "due_on": "Due date",
                  "cycle": "Raised by review"}
        widgets = {"description": forms.Textarea(attrs={"rows": 5}), "due_on": DateInput,
                   "objectives": _checkboxes(), "targets": _checkboxes()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = queries.standards_choices()
        current = self.instance.standards.all() if self.instance.pk else m.Standard.objects.none()
        # The newest framework versions, plus any older standard the action already names.
        self.fields["standards"].queryset = m.Standard.objects.visible_to(self.user).filter(
            Q(pk__in=choices.values("pk")) | Q(pk__in=current.values("pk"))
        ).select_related("theme").order_by("framework__code", "theme__order", "order")
        keep = Q(pk=self.instance.theme_id) if self.instance.theme_id else Q(pk__in=[])
        self.fields["theme"].queryset = self.fields["theme"].queryset.filter(
            Q(framework__in=queries.newest_frameworks()) | keep)
        for name in ("objectives", "targets"):
            linked = (getattr(self.instance, name).values("pk") if self.instance.pk else [])
            self.fields[name].queryset = self.fields[name].queryset.filter(
                Q(is_active=True) | Q(pk__in=linked))


class ActionUpdateForm(record_actions.ActionForm):
    """A progress note on the action page (the `progress` record action)."""

    note = forms.CharField(label="Progress note", widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=MAX_TEXT,
                           error_messages={"required": "Enter a progress note."})
    status = forms.ChoiceField(choices=m.ActionStatus.choices)
    rag = forms.ChoiceField(label="RAG", choices=m.RAG.choices,
                            widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.record is not None:
            self.initial.update(status=self.record.status, rag=self.record.rag)


class CorporateObjectiveForm(ScopedModelForm):
    class Meta:
        model = m.CorporateObjective
        fields = ["code", "title", "plan", "description", "is_active"]


class TargetForm(ScopedModelForm):
    class Meta:
        model = m.Target
        fields = ["code", "title", "scope", "description", "is_active"]


class ReportReviewForm(ScopedModelForm):
    report = forms.ChoiceField(choices=[(k, v[0]) for k, v in queries.REPORTS.items()])

    class Meta:
        model = m.ReportReview
        fields = ["report", "reviewed_on", "meeting", "note"]
        labels = {"reviewed_on": "Date of the review", "meeting": "Meeting (optional)"}
        help_texts = {"meeting": "For example, ICT management team, 12 March."}
        widgets = {"reviewed_on": DateInput, "note": forms.Textarea(attrs={"rows": 4})}
