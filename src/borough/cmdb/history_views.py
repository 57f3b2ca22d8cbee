"""A configuration item as it was at a past moment: the "As of a date" tab of its page."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.views.generic import TemplateView

from borough.cmdb import history
from borough.core.forms import DateInput, TimeInput
from borough.core.views.records import ObjectHistoryView, ObjectMixin


class MomentForm(forms.Form):
    """A date, and a time of day if wanted: the moment to look at (history.moment)."""

    date = forms.DateField(
        label="Date", widget=DateInput,
        error_messages={"required": "Enter a date, like 2025-03-31.",
                        "invalid": "Enter a real date, like 2025-03-31."})
    time = forms.TimeField(
        label="Time (optional)", required=False, widget=TimeInput,
        help_text="UK time. Leave it empty for the end of the day.",
        error_messages={"invalid": "Enter a time of day, like 14:30."})

    def __init__(self, data=None, *, date_required: bool = True, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["date"].required = date_required
        self.moment = None

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("date"), cleaned.get("time")
        if day is None:
            if time is not None and "date" not in self.errors:
                self.add_error("date", "Enter the date as well as the time.")
            return cleaned
        try:
            self.moment = history.moment(day, time)
        except ValueError as exc:
            self.add_error("date", str(exc))
        return cleaned


def unknown_parameters(params, form: forms.Form) -> list[str]:
    """Query parameters the page does not take (SECURITY.md rule 13)."""
    return sorted(set(params) - set(form.fields))


class ItemTabsMixin:
    """A CI's tabs: Details, History and As of a date."""

    def tabs(self, obj, active: str) -> list[dict]:
        return [*super().tabs(obj, active), {
            "label": "As of a date",
            "url": reverse("cmdb:configurationitem_as_of", args=[obj.pk]),
            "active": active == "as_of"}]


class ConfigurationItemHistoryView(ItemTabsMixin, ObjectHistoryView):
    pass


class ConfigurationItemAsOfView(ItemTabsMixin, ObjectMixin, TemplateView):
    """The item's fields, attributes and relationships as they were at the moment asked
    for; with no moment yet, only the form."""

    template_name = "cmdb/configurationitem_as_of.html"
    permission_action = "view"

    def get(self, request, *args, **kwargs):
        item = self.get_object()
        form = MomentForm(request.GET or None)
        context = {"object": item, "form": form, "tabs": self.tabs(item, "as_of")}
        status = 200
        if unknown := unknown_parameters(request.GET, form):
            form.is_valid()
            form.add_error(None, f"Unknown parameter {', '.join(unknown)}. This page takes "
                                 "date and time.")
            status = 400
        elif form.is_bound:
            if form.is_valid():
                try:
                    then = history.item_as_of(item, form.moment)
                except history.NotThen as exc:
                    context["not_then"] = str(exc)
                else:
                    context |= {"then": then, "moment_query": request.GET.urlencode(),
                                "existing": self.still_there(then)}
            else:
                status = 400
        return self.render_to_response(self.get_context_data(**context), status=status)

    def get_queryset(self):
        return super().get_queryset().select_related("ci_class")

    def still_there(self, then) -> set[int]:
        """The other ends that still exist (and may be seen), to link to."""
        others = [r.other_id for r in then.relationships]
        return set(self.get_queryset().filter(pk__in=others).values_list("pk", flat=True))
