"""Received messages (with the quarantine) and the sent-email log: read-only lists and
pages over records the mail system writes. Nobody adds or edits them; managers release
or discard a quarantined message (mail.services, which call mail.inbound)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.views.generic import TemplateView

from borough.core import scope
from borough.core.registry import ModelEntry
from borough.core.views.lists import ObjectExportView, ObjectListView
from borough.core.views.records import ObjectHistoryView, ObjectMixin
from borough.mail import filters, inbound, tables
from borough.mail.forms import DiscardForm
from borough.mail.models import InboundMessage, OutboundEmail, Outcome
from borough.mail.tables import thread_label

# The generic list, export and history pages for two models that are not registered: no
# add, change or delete pages, and API routes of their own (mail.api).
MESSAGES = ModelEntry(InboundMessage, filters.InboundMessageFilterSet,
                      tables.InboundMessageTable)
SENT = ModelEntry(OutboundEmail, filters.OutboundEmailFilterSet, tables.OutboundEmailTable)


class QuarantineFirstMixin:
    """The received messages' list and export show the quarantine unless the query
    chooses another outcome (`outcome=` for any)."""

    def filtered(self):
        data = self.request.GET.copy()
        data.setdefault("outcome", Outcome.QUARANTINED)
        filterset = self.entry.filterset(data, queryset=self.get_queryset(),
                                         request=self.request)
        self.check_parameters(filterset, self.entry.table)
        qs = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        return filterset, qs


class MessageListView(QuarantineFirstMixin, ObjectListView):
    permission_action = "view"
    template_name = "mail/inboundmessage_list.html"


class MessageExportView(QuarantineFirstMixin, ObjectExportView):
    permission_action = "view"


class MessageMixin(ObjectMixin):
    def get_queryset(self):
        return super().get_queryset().select_related("mailbox", "thread_type", "person")

    def message_context(self, obj) -> dict:
        user = self.request.user
        quarantined = obj.outcome == Outcome.QUARANTINED
        return {
            "object": obj, "quarantined": quarantined,
            "can_manage": scope.can(user, "change", InboundMessage, obj.organisation_id),
            "original_kept": quarantined and bool(obj.raw_name),
            "tabs": self.tabs(obj, "detail"),
        }


class MessageDetailView(MessageMixin, TemplateView):
    permission_action = "view"
    template_name = "mail/inboundmessage_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return context | self.message_context(self.get_object())


class MessageHistoryView(ObjectHistoryView):
    permission_action = "view"


class ReleaseView(MessageMixin, TemplateView):
    """POST: process a quarantined message as if it had passed."""

    permission_action = "change"
    http_method_names = ["post"]
    template_name = "mail/inboundmessage_detail.html"

    def post(self, request, *args, **kwargs):
        record = self.get_object()
        try:
            released = inbound.release(record, actor=request.user)
        except ValidationError as exc:
            record.refresh_from_db()
            context = self.get_context_data(**self.message_context(record),
                                            error=" ".join(exc.messages))
            return self.render_to_response(context, status=400)
        thread = released.thread
        if thread is None:
            text = f"Released: {released.get_outcome_display()}."
        elif released.outcome == Outcome.TICKET:
            text = f"Released: it opened {thread._meta.verbose_name} {thread_label(thread)}."
        else:
            text = f"Released: it was added to {thread_label(thread)}."
        messages.success(request, text)
        return HttpResponseRedirect(self.detail_url(released))


class DiscardView(MessageMixin, TemplateView):
    """GET: confirm, with an optional reason; POST: discard the quarantined message."""

    permission_action = "change"
    template_name = "mail/inboundmessage_discard.html"

    def get(self, request, *args, **kwargs):
        record = self.get_object()
        return self.render_to_response(self.get_context_data(
            **self.message_context(record), form=DiscardForm()))

    def post(self, request, *args, **kwargs):
        record = self.get_object()
        form = DiscardForm(request.POST)
        if form.is_valid():
            try:
                inbound.discard(record, actor=request.user,
                                         reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Discarded. The record of it stays in the mail log.")
                return HttpResponseRedirect(self.detail_url(record))
        record.refresh_from_db()
        return self.render_to_response(self.get_context_data(
            **self.message_context(record), form=form), status=400)


class RawMessageView(MessageMixin, TemplateView):
    """The message as received, as an .eml attachment, while it is in the quarantine, for
    the people who decide what happens to it."""

    permission_action = "change"
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        record = self.get_object()
        if record.outcome != Outcome.QUARANTINED or not record.raw_name:
            raise Http404("The original is kept only while the message is in the quarantine.")
        try:
            raw = inbound.raw_of(record)
        except (ValidationError, OSError):
            raise Http404("The original is no longer kept.") from None
        response = HttpResponse(raw, content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="message-{record.pk}.eml"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class SentListView(ObjectListView):
    permission_action = "view"


class SentExportView(ObjectExportView):
    permission_action = "view"


class SentDetailView(ObjectMixin, TemplateView):
    """One email Borough wrote: where it went and how sending went. Not its words: a
    requester's email carries signed links that act as them."""

    permission_action = "view"
    template_name = "mail/outboundemail_detail.html"

    def get_context_data(self, **kwargs):
        obj = self.get_object()
        return super().get_context_data(object=obj, event=tables.event_label(obj.event),
                                        **kwargs)

    def get_queryset(self):
        return super().get_queryset().select_related("thread_type", "user")
