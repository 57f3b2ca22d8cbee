"""Forms shape input only; every write goes through assessments.services."""

from __future__ import annotations

from django import forms

from borough.core.actions import ActionForm
from borough.core.forms import DateInput, MultipleFileField, ScopedModelForm
from borough.standards import models as m

LEVEL_CHOICES = [(str(v), label) for v, label in m.Level.choices]


class CycleForm(ScopedModelForm):
    """Start a cycle (framework version, name, dates) or change its name, dates and summary."""

    class Meta:
        model = m.AssessmentCycle
        fields = ["framework", "name", "starts_on", "ends_on", "summary"]
        labels = {"framework": "Framework and version", "starts_on": "Starts on",
                  "ends_on": "Ends on"}
        help_texts = {"name": "For example, Annual review 2026/27.",
                      "summary": "Where the council stands, in a paragraph or two: the "
                                 "committee report opens with it."}
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(),
                   "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = m.Framework.objects.visible_to(self.user).order_by(
            "code", "-version")
        self.fields["framework"].empty_label = "Choose a framework"
        self.fields["framework"].error_messages["invalid_choice"] = (
            "Choose a framework from the list.")
        self.fields["framework"].error_messages["required"] = "Choose a framework."
        self.fields["name"].error_messages["required"] = "Enter a name for the cycle."
        for name, text in (("starts_on", "start"), ("ends_on", "end")):
            self.fields[name].error_messages.update(
                required=f"Enter the {text} date.",
                invalid=f"Enter the {text} date as a real date, like 2026-04-01.")
        if self.instance.pk:
            # The framework of a started cycle is fixed: its ratings were made from it.
            self.fields["framework"].disabled = True
            self.fields["framework"].help_text = "Fixed once the cycle has started."

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "The end must be on or after the start.")
        return cleaned


class NoteForm(ActionForm):
    note = forms.CharField(label="Note (optional)", required=False, max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class RateForm(ActionForm):
    current_level = forms.TypedChoiceField(
        label="Current level", choices=LEVEL_CHOICES, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": "Choose the current level.",
                        "invalid_choice": "Choose the current level from the list."})
    target_level = forms.TypedChoiceField(
        label="Target level", choices=LEVEL_CHOICES, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": "Choose the target level.",
                        "invalid_choice": "Choose the target level from the list."})
    commentary = forms.CharField(
        label="Commentary", required=False, max_length=20_000,
        help_text="Why this level: what is in place and what is missing.",
        widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rating = self.record
        if not self.is_bound and rating is not None:
            self.initial.update(current_level=rating.current_level,
                                target_level=rating.target_level, commentary=rating.commentary)

    def clean(self):
        cleaned = super().clean()
        if self.is_bound and cleaned.get("version") is None and "version" not in self.errors:
            raise forms.ValidationError("This form does not say which version of the rating "
                                        "it changes. Reload the page and try again.")
        return cleaned


ANSWERS = [("met", "Met"), ("not-met", "Not met"), ("", "Not answered")]
ANSWER_VALUES = {"met": True, "not-met": False, "": None}


class AnswerForm(ActionForm):
    met = forms.ChoiceField(choices=ANSWERS, required=False, widget=forms.RadioSelect,
                            help_text="met, not-met, or empty for not answered.")
    note = forms.CharField(required=False, max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def service_fields(self) -> dict:
        return {"met": ANSWER_VALUES[self.cleaned_data.get("met") or ""],
                "note": self.cleaned_data.get("note", "")}


class EvidenceForm(ActionForm):
    carries_version = False

    title = forms.CharField(label="Title", max_length=200,
                            error_messages={"required": "Enter a title for the evidence."})
    note = forms.CharField(label="Note", required=False, max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    criterion = forms.ModelChoiceField(
        label="Criterion it shows", queryset=m.Criterion.objects.none(), required=False,
        empty_label="The standard as a whole",
        error_messages={"invalid_choice": "Choose a criterion of this standard."})
    record = forms.CharField(
        label="Borough record", required=False, max_length=500,
        help_text="A reference such as INC-000123, or the address of the record's page in "
                  "Borough.")
    url = forms.CharField(label="Link to a document elsewhere", required=False, max_length=200,
                          help_text="For example, the policy on the intranet (https://…).")
    files = MultipleFileField(label="Upload files", required=False,
                              help_text="PDF, image, text, office document or email.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rating = self.record
        if rating is not None:
            self.fields["criterion"].queryset = m.Criterion.objects.filter(
                standard_id=rating.standard_id).order_by("level", "order", "code")
            self.fields["criterion"].label_from_instance = (
                lambda c: f"{m.Level(c.level).label}: {c.text[:120]}")

    def clean_record(self):
        from borough.standards.assessments.queries import find_record

        text = self.cleaned_data.get("record", "")
        if not text:
            return None
        try:
            return find_record(text, actor=self.user)
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.message_dict.get("record", exc.messages)) from None


class SignOffForm(ActionForm):
    note = forms.CharField(label="Review note", required=False, max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 2}))
