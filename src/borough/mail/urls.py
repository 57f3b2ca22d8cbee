from django.urls import path, re_path

from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.lists import ObjectExportView
from borough.core.views.pages import SectionView
from borough.core.views.records import ObjectDeleteView, ObjectHistoryView
from borough.mail import models as m
from borough.mail.entries import SECTION
from borough.mail.views import messages, preferences, settings

app_name = "mail"

TEMPLATES = registry.get(m.NotificationTemplate)

urlpatterns = [
    path("", SectionView.as_view(section=SECTION, noun="email"), name="home"),
    path("preferences/", preferences.PreferencesView.as_view(), name="preferences"),
    *crud_urls(registry.get(m.Mailbox), "mailboxes", add=settings.MailboxCreateView,
               edit=settings.MailboxEditView, detail=settings.MailboxDetailView),
    # Notification templates: the generic pages, listed by hand so that every event's
    # wording (the menu's page) is at templates/ and every template page sits below it.
    path("templates/", settings.TemplateEventsView.as_view(entry=TEMPLATES),
         name="notificationtemplate_events"),
    path("templates/list/", settings.TemplateListView.as_view(entry=TEMPLATES),
         name="notificationtemplate_list"),
    re_path(r"^templates/export/(?P<format>csv|xlsx)/$",
            ObjectExportView.as_view(entry=TEMPLATES), name="notificationtemplate_export"),
    path("templates/add/", settings.TemplateCreateView.as_view(entry=TEMPLATES),
         name="notificationtemplate_add"),
    path("templates/<int:pk>/", settings.TemplateDetailView.as_view(entry=TEMPLATES),
         name="notificationtemplate_detail"),
    path("templates/<int:pk>/history/", ObjectHistoryView.as_view(entry=TEMPLATES),
         name="notificationtemplate_history"),
    path("templates/<int:pk>/edit/", settings.TemplateEditView.as_view(entry=TEMPLATES),
         name="notificationtemplate_edit"),
    path("templates/<int:pk>/delete/", ObjectDeleteView.as_view(entry=TEMPLATES),
         name="notificationtemplate_delete"),
    # Received messages and the quarantine: read-only, with release and discard.
    path("messages/", messages.MessageListView.as_view(entry=messages.MESSAGES),
         name="inboundmessage_list"),
    re_path(r"^messages/export/(?P<format>csv|xlsx)/$",
            messages.MessageExportView.as_view(entry=messages.MESSAGES),
            name="inboundmessage_export"),
    path("messages/<int:pk>/", messages.MessageDetailView.as_view(entry=messages.MESSAGES),
         name="inboundmessage_detail"),
    path("messages/<int:pk>/history/",
         messages.MessageHistoryView.as_view(entry=messages.MESSAGES),
         name="inboundmessage_history"),
    path("messages/<int:pk>/release/", messages.ReleaseView.as_view(entry=messages.MESSAGES),
         name="inboundmessage_release"),
    path("messages/<int:pk>/discard/", messages.DiscardView.as_view(entry=messages.MESSAGES),
         name="inboundmessage_discard"),
    path("messages/<int:pk>/original.eml",
         messages.RawMessageView.as_view(entry=messages.MESSAGES), name="inboundmessage_raw"),
    # The sent-email log: read-only.
    path("sent/", messages.SentListView.as_view(entry=messages.SENT),
         name="outboundemail_list"),
    re_path(r"^sent/export/(?P<format>csv|xlsx)/$",
            messages.SentExportView.as_view(entry=messages.SENT), name="outboundemail_export"),
    path("sent/<int:pk>/", messages.SentDetailView.as_view(entry=messages.SENT),
         name="outboundemail_detail"),
]
