from __future__ import annotations

import re

from django import forms

from borough.changes.models import Change
from borough.core.actions import ActionForm
from borough.core.forms import ScopedModelForm
from borough.releases import models as m
from borough.releases import queries

NOTE_LIMIT = 20_000
SPLIT = re.compile(r"[,;\n]+")
MOST_CHANGES = 200


class ChangesField(forms.CharField):
    """Changes typed by reference (CHG-000123), one a line or separated by commas: years
    of changes are no select. The form sets `queryset` (scoped with visible_to) before it
    is cleaned."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.queryset = Change.objects.none()

    def prepare_value(self, value):
        if isinstance(value, str):
            return value
        changes = list(value or [])
        if changes and not isinstance(changes[0], Change):
            changes = list(self.queryset.filter(pk__in=[getattr(c, "pk", c) for c in changes]))
        return "\n".join(f"{c.reference} {c.title}" for c in changes)

    def has_changed(self, initial, data):
        return self.prepare_value(initial).strip() != str(data or "").strip()

    def clean(self, value):
        if value is not None and not isinstance(value, str):
            # A disabled field (a live release's) is cleaned from its initial records.
            return list(self.queryset.filter(pk__in=[getattr(c, "pk", c) for c in value]))
        words = [w.strip() for w in SPLIT.split(super().clean(value) or "") if w.strip()]
        if len(words) > MOST_CHANGES:
            raise forms.ValidationError(f"Name at most {MOST_CHANGES} changes in one release.")
        references = [w.split()[0].upper() for w in words]
        found = {c.reference: c for c in self.queryset.filter(reference__in=references)}
        unknown = [r for r in references if r not in found]
        if unknown:
            raise forms.ValidationError(
                "No change has the reference " + ", ".join(f"“{r}”" for r in unknown[:5])
                + ". Give each change's reference, like CHG-000123.")
        return list(dict.fromkeys(found[r] for r in references))


class ReleaseForm(ScopedModelForm):
    changes = ChangesField(
        label="Changes", help_text="By reference (CHG-000123), one a line. A change is in "
                                   "at most one open release.")

    class Meta:
        model = m.Release
        fields = ["title", "release_type", "description", "owner", "changes",
                  "planned_test_date", "planned_live_date", "release_notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["changes"].queryset = Change.objects.visible_to(self.user)
        if self.instance.pk and self.instance.status not in m.BEFORE_LIVE:
            # What went live stays as it went live.
            self.fields["changes"].disabled = True

    def clean(self):
        cleaned = super().clean()
        changes = cleaned.get("changes")
        if changes is not None and ("changes" in self.changed_data or not self.instance.pk):
            for problem in queries.changes_errors(self.instance, changes):
                self.add_error("changes", problem)
        return cleaned


class ReleaseItemForm(ScopedModelForm):
    class Meta:
        model = m.ReleaseItem
        fields = ["release", "software", "from_version", "to_version", "licence", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        release = self.fields.get("release")
        if release is not None and hasattr(release, "queryset") and not self.instance.pk:
            release.queryset = release.queryset.filter(status__in=m.BEFORE_LIVE)


# --- the record actions' input ----------------------------------------------------------

class NoteForm(ActionForm):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           max_length=NOTE_LIMIT)


class ReasonForm(ActionForm):
    note = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=NOTE_LIMIT)


class TestResultForm(ActionForm):
    result = forms.ChoiceField(label="Test result", choices=m.TestResult.choices,
                               widget=forms.RadioSelect)
    notes = forms.CharField(label="What was tested and what was found",
                            widget=forms.Textarea(attrs={"rows": 4}), max_length=NOTE_LIMIT)


class LiveForm(ActionForm):
    note = forms.CharField(label="How the deployment went", required=False,
                           widget=forms.Textarea(attrs={"rows": 3}), max_length=NOTE_LIMIT)


class ReviewForm(ActionForm):
    review = forms.CharField(
        label="Review", max_length=NOTE_LIMIT, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Did it deliver what was planned? What went well or badly, incidents it "
                  "caused, what to do differently next time.")
