from __future__ import annotations

from borough.availability import models as m
from borough.core.forms import DateTimeInput, ScopedModelForm


class OutageForm(ScopedModelForm):
    """An outage recorded or corrected by hand. Those from a major incident or a change
    are recorded from its page, and keep their source and link when corrected here."""

    class Meta:
        model = m.Outage
        fields = ["service", "started_at", "ended_at", "kind", "cause"]
        widgets = {"started_at": DateTimeInput(), "ended_at": DateTimeInput()}
        labels = {"started_at": "Down from", "ended_at": "Back at"}
