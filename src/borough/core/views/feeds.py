"""The page action every secret calendar address has (core.feeds): stop one of one's own."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View

from borough.core import feeds


class FeedRevokeView(LoginRequiredMixin, View):
    """POST: stop the signed-in person's address `pk` of `model` in their organisation,
    then back to the page `back` (a URL name) that lists them."""

    permission_action = "view"
    http_method_names = ["post"]
    model: type[feeds.SecretFeed]
    back = ""

    def post(self, request, pk):
        feed = get_object_or_404(self.model, pk=pk, user=request.user,
                                 organisation_id=request.user.active_organisation_id)
        feeds.revoke(feed, actor=request.user)
        messages.success(request, f"The calendar address {feed.hint}… no longer works.")
        return HttpResponseRedirect(reverse(self.back))
