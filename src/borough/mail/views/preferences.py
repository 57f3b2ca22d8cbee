"""Email notifications: how the signed-in member of staff hears of each event, in the
organisation they are working in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

from borough.mail import services
from borough.mail.forms import PreferencesForm


class PreferencesView(LoginRequiredMixin, TemplateView):
    # Each person's own choices: the check is that they work tickets where they are.
    permission_action = "change"
    template_name = "mail/preferences.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.organisation_id = services.require_staff(request.user)  # else 403
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        form = PreferencesForm(initial=services.preferences_for(request.user,
                                                                self.organisation_id))
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                services.save_preferences(request.user, form.cleaned_data, actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Your email notifications are saved.")
                return HttpResponseRedirect(reverse("mail:preferences"))
        return self.render_to_response(self.get_context_data(form=form), status=400)
