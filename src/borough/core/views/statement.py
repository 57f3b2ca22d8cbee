"""The accessibility statement: public, as the Public Sector Bodies Accessibility
Regulations 2018 require, so anyone can read it before they can sign in."""

from __future__ import annotations

from django.conf import settings
from django.views.generic import TemplateView

# The day the statement was last reviewed against the software; change it with the text.
REVIEWED = "6 December 2026"


class AccessibilityStatementView(TemplateView):
    permission_action = "public"
    template_name = "core/accessibility.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contact"] = settings.ACCESSIBILITY_CONTACT
        context["reviewed"] = REVIEWED
        return context
