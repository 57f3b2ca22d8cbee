from __future__ import annotations

from django import forms

from borough.core.actions import ActionForm
from borough.core.forms import DateInput, ScopedModelForm
from borough.knowledge import models as m

TEXT_LIMIT = 5000


class ArticleForm(ScopedModelForm):
    class Meta:
        model = m.Article
        fields = ["title", "summary", "body", "keywords", "audience", "owner", "review_on",
                  "service", "category"]
        widgets = {"review_on": DateInput, "body": forms.Textarea(attrs={"rows": 12})}


class ArticleFeedbackForm(ScopedModelForm):
    class Meta:
        model = m.ArticleFeedback
        fields = ["article", "helpful", "comment"]


class DeflectionForm(ScopedModelForm):
    class Meta:
        model = m.Deflection
        fields = ["article", "words"]


class ReviewForm(ActionForm):
    review_on = forms.DateField(label="Next review", widget=DateInput,
                                error_messages={"required": "Give the date of the next review."})
    note = forms.CharField(label="What you checked (optional)", required=False,
                           max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}))


class FeedbackForm(ActionForm):
    carries_version = False
    helpful = forms.TypedChoiceField(
        label="Did this article help?", choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        error_messages={"required": "Say whether it helped."})
    comment = forms.CharField(label="What was missing? (optional)", required=False,
                              max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}))


class AnsweredForm(ActionForm):
    """"This answered my question": what they were about to ask comes along, hidden."""

    carries_version = False
    words = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
