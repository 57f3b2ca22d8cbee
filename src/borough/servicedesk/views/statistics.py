"""Service desk statistics (being built: see the statistics module)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views import View
from django.views.generic import TemplateView


class StatisticsView(LoginRequiredMixin, TemplateView):
    permission_action = "view"
    template_name = "servicedesk/statistics.html"


class StatisticsExportView(LoginRequiredMixin, View):
    permission_action = "view"

    def get(self, request, format):
        raise Http404
