"""What email adds to the registry.

Mailboxes and notification templates are registers (generic list, detail, add, change,
delete, history, export and API). Received messages and sent emails are records the
mail system writes, never people: they have their own read-only pages and API routes
(`/api/mail/messages/`, `/api/mail/sent/`) and menu links. Preferences are each member
of staff's own, at `/mail/preferences/` and `/api/mail/preferences/`. The email channel
takes every notification, and three periodic jobs send, digest and poll."""

from __future__ import annotations

from borough.core import roles
from borough.core.registry import ModelEntry, NavLink
from borough.mail import api, filters, forms, imap, outbound, tables
from borough.mail import models as m

# Mail set-up and the messages kept are administration.
SECTION = "Administration"


def register(registry) -> None:
    registry.register(ModelEntry(
        m.Mailbox, filters.MailboxFilterSet, tables.MailboxTable, forms.MailboxForm,
        api.MailboxSerializer, api.MailboxViewSet, search_fields=("address", "name"),
        nav_section=SECTION, nav_order=82,
        detail_fields=("name", "address", "is_active", "is_default", "imap_host", "imap_port",
                       "imap_ssl", "imap_username", "imap_password_env", "imap_folder",
                       "last_polled_at", "last_poll_error")))
    registry.register(ModelEntry(
        m.NotificationTemplate, filters.NotificationTemplateFilterSet,
        tables.NotificationTemplateTable, forms.NotificationTemplateForm,
        api.NotificationTemplateSerializer, api.NotificationTemplateViewSet,
        nav_section=None,  # the menu opens the page of every event (below)
        detail_fields=("event", "subject", "text_body", "html_body")))
    registry.unlist(m.InboundMessage, "Written by the mail system: /mail/messages/ and "
                                      "/api/mail/messages/, read-only but for the quarantine.")
    registry.unlist(m.OutboundEmail, "Written by the mail system: /mail/sent/ and "
                                     "/api/mail/sent/, read-only.")
    registry.unlist(m.NotificationPreference, "Each member of staff's own, at "
                                              "/mail/preferences/.")
    registry.nav_links.append(NavLink(SECTION, "Received messages",
                                      "mail:inboundmessage_list", m.InboundMessage, order=80))
    registry.nav_links.append(NavLink(SECTION, "Sent emails", "mail:outboundemail_list",
                                      m.OutboundEmail, order=81))
    registry.nav_links.append(NavLink(SECTION, "Notification templates",
                                      "mail:notificationtemplate_events", m.NotificationTemplate,
                                      order=83))
    registry.api_routes.append(("mail/messages", api.InboundMessageViewSet,
                                "mail-inboundmessage"))
    registry.api_routes.append(("mail/sent", api.OutboundEmailViewSet, "mail-outboundemail"))
    registry.api_routes.append(("mail/preferences", api.PreferencesViewSet,
                                "mail-preferences"))

    managers = [roles.ICT_MANAGER, roles.ADMINISTRATOR]
    registry.grant_models(roles.READ_ALL_ROLES, [m.Mailbox, m.NotificationTemplate,
                                                 m.InboundMessage, m.OutboundEmail], ("view",))
    registry.grant_models(managers, [m.Mailbox, m.NotificationTemplate],
                          ("add", "change", "delete"))
    # Release and discard from the quarantine; nobody adds or edits messages.
    registry.grant_models(managers, [m.InboundMessage], ("change",))
    # Each member of staff who works tickets chooses how they hear of them.
    registry.grant_models([roles.AGENT, roles.TEAM_LEAD, roles.ICT_MANAGER, roles.ADMINISTRATOR],
                          [m.NotificationPreference], ("view", "add", "change"))

    registry.notification_channels.append(outbound.on_notices)
    registry.periodic_jobs["mail-send-queued"] = (outbound.send_queued, 60)
    registry.periodic_jobs["mail-send-digests"] = (outbound.send_digests, 24 * 3600)
    registry.periodic_jobs["mail-poll-imap"] = (imap.poll_all, 60)
    registry.stalled_checks["mail-claimed-unsent"] = outbound.stalled_claims
