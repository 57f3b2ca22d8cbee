"""Email in and out: the organisation's mailboxes, every message received (with what
became of it), every email sent, the templates they are written from and each member
of staff's choice of how to hear about events.

Mail is transport: a message received or an email sent points at the record it concerns
(a ticket, say) generically, by content type and id (`thread`), so any module that acts
on mail or sends notices can be linked without mail knowing its models."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from borough.core import notifications
from borough.core.models import BaseModel
from borough.core.querysets import ScopedQuerySet


class Mailbox(BaseModel):
    """An address of the organisation that Borough receives at: delivered by the
    council's mail server to `borough mailgate` over SMTP, or read over IMAP."""

    name = models.CharField(max_length=200)
    address = models.EmailField(unique=True, help_text="Mail to this address opens tickets "
                                "for this organisation. Stored in lower case.")
    is_active = models.BooleanField(default=True)
    is_default = models.BooleanField(
        "Send notifications from this address", default=False,
        help_text="Replies then come back to this mailbox.")
    imap_host = models.CharField("IMAP server", max_length=200, blank=True,
                                 help_text="Leave blank when the mail server delivers to "
                                 "Borough's SMTP gateway.")
    imap_port = models.PositiveIntegerField("IMAP port", default=993)
    imap_ssl = models.BooleanField("IMAP over TLS", default=True)
    imap_username = models.CharField("IMAP user name", max_length=200, blank=True)
    imap_password_env = models.CharField(
        "Environment variable with the IMAP password", max_length=100, blank=True,
        help_text="The name of the variable, for example MAIL_HELPDESK_PASSWORD: "
        "passwords are read from the environment, never stored.")
    imap_folder = models.CharField("IMAP folder", max_length=200, default="INBOX")
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_poll_error = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["address"]
        verbose_name_plural = "mailboxes"

    def __str__(self):
        return f"{self.name} <{self.address}>"

    @property
    def reads_imap(self) -> bool:
        return bool(self.imap_host)


class Outcome(models.TextChoices):
    # The first two keep the values they had when only the service desk took mail: they
    # are stored, and API clients and saved links filter by them.
    TICKET = "ticket", "Opened a new record"
    REPLY = "reply", "Added to a record"
    NOTED = "noted", "Taken note of: nothing opened or added"
    AUTO = "auto", "Automatic reply or bulk mail: recorded, not answered"
    LOOP = "loop", "Mail loop: cut"
    QUARANTINED = "quarantined", "Quarantined"
    DISCARDED = "discarded", "Discarded from quarantine"


class ThreadedQuerySet(ScopedQuerySet):
    def about(self, record):
        """The mail about `record` (any model instance)."""
        return self.filter(thread_type=ContentType.objects.get_for_model(type(record)),
                           thread_id=record.pk)


class InboundMessage(BaseModel):
    """One email received for the organisation, kept once per Message-ID."""

    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="messages")
    # sha256 of the Message-ID (or of the whole message when it has none): the key that
    # makes a message count once however often it is delivered.
    message_key = models.CharField(max_length=64, editable=False)
    message_id = models.CharField(max_length=500, blank=True)
    via = models.CharField(max_length=10)  # smtp, imap, release
    sender = models.CharField(max_length=320, blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    size = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True, help_text="The HTML part, sanitised.")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    # The module that claimed it (core.inbound: the handler's name), if one did.
    handled_by = models.CharField(max_length=50, blank=True, editable=False)
    # The record it opened or answers, by content type and id, so mail names no module's
    # models. A record deleted later leaves its id here (shown as gone).
    thread_type = models.ForeignKey(ContentType, null=True, blank=True, editable=False,
                                    on_delete=models.PROTECT, related_name="+")
    thread_id = models.BigIntegerField(null=True, blank=True, editable=False)
    thread = GenericForeignKey("thread_type", "thread_id")
    person = models.ForeignKey("organisation.Person", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    new_contact = models.BooleanField(default=False)
    duplicates = models.PositiveIntegerField(default=0, editable=False)
    # The message as received, kept while it is in quarantine (a file in the
    # attachments store, by its generated name).
    raw_name = models.CharField(max_length=64, blank=True, editable=False)

    objects = models.Manager.from_queryset(ThreadedQuerySet)()

    class Meta:
        verbose_name = "received message"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "message_key"],
                                               name="inbound_message_once")]
        indexes = [models.Index(fields=["organisation", "outcome", "-created_at"]),
                   models.Index(fields=["message_id"]),
                   models.Index(fields=["sender", "created_at"]),
                   models.Index(fields=["thread_type", "thread_id"])]

    def __str__(self):
        return self.subject or self.message_id or f"Message {self.pk}"


class SendStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    DIGEST = "digest", "Held for the daily digest"
    SENT = "sent", "Sent"
    DIGESTED = "digested", "Sent in a digest"
    FAILED = "failed", "Failed"
    OFF = "off", "Not sent: the recipient chose no email"


class OutboundEmail(BaseModel):
    """One email Borough sends, kept for threading and as the record of delivery."""

    # The record the notice was about (core.notifications.Notice.thread), as above.
    thread_type = models.ForeignKey(ContentType, null=True, blank=True, editable=False,
                                    on_delete=models.PROTECT, related_name="+")
    thread_id = models.BigIntegerField(null=True, blank=True, editable=False)
    thread = GenericForeignKey("thread_type", "thread_id")
    recipient = models.CharField(max_length=320)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    event = models.CharField(max_length=50)
    # What the template is filled with. The email is written from the organisation's
    # template when it is sent, off the request that caused it.
    context = models.JSONField(default=dict, blank=True)
    subject = models.CharField(max_length=500)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    from_address = models.CharField(max_length=320, blank=True)
    message_id = models.CharField(max_length=500, unique=True)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=SendStatus.choices,
                              default=SendStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    objects = models.Manager.from_queryset(ThreadedQuerySet)()

    class Meta:
        verbose_name = "sent email"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"]),
                   models.Index(fields=["thread_type", "thread_id", "created_at"])]

    def __str__(self):
        return f"{self.subject} → {self.recipient}"


class NotificationTemplate(BaseModel):
    """The organisation's wording for one event's email; without one, Borough's own.
    `event` is a registered notification event's key (core.notifications), checked by
    mail.services: the events are the apps' declarations, not a fixed list."""

    event = models.CharField(max_length=50)
    subject = models.CharField(max_length=300)
    text_body = models.TextField("Plain-text body")
    html_body = models.TextField("HTML body", blank=True,
                                 help_text="Leave blank to send the plain text only.")

    class Meta:
        ordering = ["event"]
        constraints = [models.UniqueConstraint(fields=["organisation", "event"],
                                               name="one_template_per_event")]

    def __str__(self):
        return notifications.label_of(self.event)


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", "Email me straight away"
    DIGEST = "digest", "One email a day (a digest)"
    OFF = "off", "No email (Borough's notifications page only)"


class NotificationPreferenceQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        return self.filter(user=user)


class NotificationPreference(BaseModel):
    """How one member of staff hears of one kind of event (a registered notification
    event's key, checked by mail.services), by email."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    event = models.CharField(max_length=50)
    delivery = models.CharField(max_length=12, choices=Delivery.choices,
                                default=Delivery.IMMEDIATELY)

    objects = models.Manager.from_queryset(NotificationPreferenceQuerySet)()

    class Meta:
        ordering = ["event"]
        constraints = [models.UniqueConstraint(fields=["organisation", "user", "event"],
                                               name="one_preference_per_event")]

    def __str__(self):
        return f"{self.event}: {self.delivery}"
