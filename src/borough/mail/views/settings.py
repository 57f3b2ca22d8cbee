"""Mailboxes and notification templates: the generic pages, saving through mail.services
(one default mailbox per organisation; templates checked to render), and the templates'
list of every event with the wording it uses."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.generic import TemplateView

from borough.core import notifications
from borough.core.api.viewsets import model_key
from borough.core.views.base import EntryViewMixin
from borough.core.views.lists import ObjectListView
from borough.core.views.records import ObjectDetailView, ObjectEditView
from borough.mail import services
from borough.mail.models import NotificationTemplate


class MailboxEditView(ObjectEditView):
    def save(self, form, instance):
        if instance is None:
            new = form.save(commit=False)
            new.organisation_id = self.request.user.active_organisation_id
            return services.create_mailbox(
                new, actor=self.request.user,
                idempotency_key=model_key(self.model, form.cleaned_data.get("submission_key")))
        return services.update_mailbox(instance, actor=self.request.user, **form.model_data(),
                                       expected_version=form.cleaned_data.get("version"))


class MailboxCreateView(MailboxEditView):
    permission_action = "add"


def _when(at) -> str | None:
    return date_format(timezone.localtime(at), "j F Y, H:i") if at else None


class MailboxDetailView(ObjectDetailView):
    """The generic page, with rows that say how mail arrives and when it was last read
    (the generic rows lower-case "IMAP" and list IMAP settings a gateway mailbox lacks)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        box = context["object"]
        rows = [("Name", box.name), ("Address", box.address), ("Active", box.is_active),
                ("Sends notifications", box.is_default)]
        if box.reads_imap:
            rows += [
                ("How mail arrives", f"Read over IMAP from {box.imap_host}, port "
                                     f"{box.imap_port}, {'with' if box.imap_ssl else 'without'}"
                                     f" TLS, folder {box.imap_folder}"),
                ("IMAP user name", box.imap_username or None),
                ("Password's environment variable", box.imap_password_env or None),
                ("Last read", _when(box.last_polled_at) or "Not read yet"),
                ("Last error", box.last_poll_error or "None"),
            ]
        else:
            rows.append(("How mail arrives", "Delivered by the mail server to Borough's "
                                             "SMTP gateway"))
            if box.last_polled_at or box.last_poll_error:
                rows += [("Last read over IMAP", _when(box.last_polled_at)),
                         ("Last error", box.last_poll_error or "None")]
        context["rows"] = rows
        return context


class TemplateEventsView(EntryViewMixin, TemplateView):
    """Every registered event, grouped by the app that notifies of it, and the wording
    its email uses: the organisation's template, or Borough's own with a link to start
    from it. (The generic list beside it lists only the organisation's templates, for
    filters and export.)"""

    permission_action = "view"
    template_name = "mail/notificationtemplate_events.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        own = {t.event: t for t in NotificationTemplate.objects.visible_to(self.request.user)}
        add_url = reverse("mail:notificationtemplate_add")
        context["groups"] = [
            (name, [{"event": event, "template": own.get(event.key),
                     "add_url": f"{add_url}?event={event.key}"} for event in found])
            for name, found in notifications.grouped(notifications.registered_events())
        ]
        return context


class TemplateListView(ObjectListView):
    template_name = "mail/notificationtemplate_list.html"


class TemplateEditView(ObjectEditView):
    template_name = "mail/notificationtemplate_form.html"

    def get_form(self, instance, data=None, files=None):
        if instance is None and data is None:
            event = self.request.GET.get("event", "")
            if notifications.find_event(event) is not None:
                new = self.model(organisation_id=self.request.user.active_organisation_id)
                return self.entry.form(instance=new, user=self.request.user,
                                       initial=services.default_template(event))
        return super().get_form(instance, data, files)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        chosen = notifications.find_event(str(form["event"].value() or "")) if form else None
        context["chosen_event"] = chosen
        context["variables"] = chosen.variables if chosen else notifications.COMMON_CONTEXT
        return context

    def save(self, form, instance):
        if instance is None:
            new = form.save(commit=False)
            new.organisation_id = self.request.user.active_organisation_id
            return services.create_template(
                new, actor=self.request.user,
                idempotency_key=model_key(self.model, form.cleaned_data.get("submission_key")))
        return services.update_template(instance, actor=self.request.user, **form.model_data(),
                                        expected_version=form.cleaned_data.get("version"))


class TemplateCreateView(TemplateEditView):
    permission_action = "add"


class TemplateDetailView(ObjectDetailView):
    template_name = "mail/notificationtemplate_detail.html"
