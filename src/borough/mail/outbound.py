"""Notifications by email: each notice (core.notifications) becomes one email per
recipient, written from the organisation's template for its event or else the wording
the event's app registered (core.notifications.NotificationEvent), threaded on the
notice's record (mail.threads), and sent by a background task after the change commits.
Staff choose per event: at once, in a daily digest, or not by email."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models, transaction
from django.db.models import Count, F, Min, Q
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.crypto import salted_hmac

from borough.core import notifications
from borough.core.registry import registry
from borough.mail import threads
from borough.mail.models import (
    Delivery,
    Mailbox,
    NotificationPreference,
    NotificationTemplate,
    OutboundEmail,
    SendStatus,
)
from borough.organisation import queries as directory

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# A worker's claim on an email it is sending: after this, send_queued takes it back.
CLAIM_FOR = timedelta(minutes=10)
# A claim older than this is shown as stalled (/jobs/, /health/): a send takes seconds
# (at most EMAIL_TIMEOUT per attempt to reach the relay), so its worker most likely died.
STALLED_AFTER = timedelta(minutes=3)
# One engine for what administrators write: no loaders, so no {% include %} of files;
# the context is plain text values, so a template can reach nothing else.
ENGINE = Engine(libraries={}, builtins=["django.template.defaultfilters",
                                        "django.template.defaulttags"])

SAMPLE_CONTEXT = {
    "reference": "INC-000123", "title": "Printer on floor 2 jams", "summary":
    "[INC-000123] Printer on floor 2 jams", "body": "Thank you for letting us know.",
    "url": "https://borough.example/t/1/", "recipient_name": "Sam Jones",
    "organisation": "Example Council", "status": "Resolved",
}


def check_template(text: str, *, html: bool = False, event: str = "") -> None:
    """Raise TemplateSyntaxError if `text` would not render (forms show the message), with
    sample values for every value of `event` (any event's, when none is given)."""
    known = notifications.find_event(event)
    names = known.context if known else {
        name: "" for e in notifications.registered_events() for name in e.context}
    sample = {name: f"({name})" for name in names} | SAMPLE_CONTEXT
    ENGINE.from_string(text).render(Context(sample, autoescape=html))


def wording(event: str) -> tuple[str, str, str]:
    """Borough's wording for `event`'s email (subject, text, html), as its app registered
    it; an event nobody registered (an email queued before its app was removed) gets the
    notification's own words."""
    known = notifications.find_event(event)
    if known is None:
        return notifications.DEFAULT_SUBJECT, notifications.DEFAULT_TEXT, ""
    return known.subject, known.text, known.html


def _render(text: str, context: dict, *, html: bool) -> str:
    try:
        return ENGINE.from_string(text).render(Context(context, autoescape=html))
    except TemplateSyntaxError:
        return ""  # saved templates are checked; a default then stands in (see below)


def loop_token() -> str:
    """This installation's mark on what it sends: seen on incoming mail, it is a loop."""
    return salted_hmac("borough.mail.loop", settings.MAIL_DOMAIN).hexdigest()[:24]


def from_address(organisation_id: int) -> str:
    box = (Mailbox.objects.filter(organisation_id=organisation_id, is_active=True)
           .order_by("-is_default", "address").first())
    return f"{box.name} <{box.address}>" if box else settings.DEFAULT_FROM_EMAIL


def _links(thread, person) -> dict:
    """For a person reached by email (no login, perhaps): the links their email carries
    instead of the staff page, as the record's module registered them (signed, so they
    work without a login). None registered: the notice's own link."""
    if thread is None or person is None:
        return {}
    links = registry.email_links.get(thread._meta.concrete_model)
    if links is None:
        return {}
    return {name: settings.BOROUGH_BASE_URL + path for name, path in links(thread, person).items()}


def on_notices(notices) -> None:
    """The email channel of core.notifications: one queued email per recipient, written
    in the caller's transaction (so it commits with the change, or not at all), in one
    insert. Staff members' choices (digest, no email) apply when it is sent."""
    emails = [email for notice in notices for email in _emails_for(notice)]
    if emails:
        OutboundEmail.objects.bulk_create(emails)
        pks = [e.pk for e in emails]
        transaction.on_commit(lambda: _send_later(pks))


def _emails_for(notice) -> list[OutboundEmail]:
    thread = notice.thread if isinstance(notice.thread, models.Model) else None
    recipients = [(p.email.strip().lower(), p.user if p.user_id else None, p.full_name,
                   "requester", p) for p in notice.people]
    covered = {r[1].pk for r in recipients if r[1] is not None}
    recipients += [(u.email.lower(), u, u.get_full_name() or u.username, "staff", None)
                   for u in notice.users if u.pk not in covered and u.email]
    # The template's values from the record, by the names records people quote share
    # (core.references): its reference, title and status, where it has them.
    reference = getattr(thread, "reference", "")
    status = getattr(thread, "get_status_display", None)
    base = {"reference": reference, "title": getattr(thread, "title", ""),
            "summary": notice.subject, "body": notice.body,
            "status": status() if callable(status) else ""}
    return [
        OutboundEmail(
            organisation_id=notice.organisation_id, thread=thread, recipient=address,
            user=user, event=notice.event, subject=notice.subject,
            context={**base, **notice.context, "audience": audience, "recipient_name": name,
                     "url": settings.BOROUGH_BASE_URL + notice.url, **_links(thread, person)},
            message_id=f"<{uuid.uuid4().hex}.{reference or 'borough'}@{settings.MAIL_DOMAIN}>")
        for address, user, name, audience, person in recipients
    ]


def _held_by_choice(email: OutboundEmail) -> str:
    """A member of staff's choice for this event: "" to send now, or the status that
    holds the email instead (the digest, or not by email at all)."""
    if email.context.get("audience") != "staff" or email.user_id is None:
        return ""
    delivery = (NotificationPreference.objects.filter(
        organisation_id=email.organisation_id, user_id=email.user_id, event=email.event)
        .values_list("delivery", flat=True).first())
    return {Delivery.DIGEST: SendStatus.DIGEST, Delivery.OFF: SendStatus.OFF}.get(delivery, "")


class Lookups(dict):
    """What writing an email reads about its organisation (template, name, sender), read
    once per batch of the periodic send rather than once per email."""

    def get_or_read(self, key: tuple, read):
        if key not in self:
            self[key] = read()
        return self[key]


def write(email: OutboundEmail, lookups: Lookups | None = None) -> None:
    """Fill in the email from the organisation's template (or Borough's own), its sender
    and its thread, just before it is sent. The record's reference is always in the
    subject, so a reply finds its record whatever the template says."""
    lookups = Lookups() if lookups is None else lookups
    organisation_id = email.organisation_id
    parts = wording(email.event)
    template = lookups.get_or_read(("template", organisation_id, email.event), lambda: (
        NotificationTemplate.objects.filter(organisation_id=organisation_id,
                                            event=email.event).first()))
    chosen = (template.subject, template.text_body, template.html_body) if template else parts
    name = lookups.get_or_read(("name", organisation_id),
                               lambda: directory.organisation_name(organisation_id))
    context = {**email.context, "organisation": name}
    reference = context.get("reference", "")
    subject = " ".join(_render(chosen[0], context, html=False).split()) or email.subject
    if reference and f"[{reference}]" not in subject:
        subject = f"[{reference}] {subject}"
    email.subject = subject[:500]
    email.text = (_render(chosen[1], context, html=False)
                  or _render(parts[1], context, html=False))
    email.html = _render(chosen[2], context, html=True) if chosen[2] else ""
    email.from_address = lookups.get_or_read(("from", organisation_id),
                                             lambda: from_address(organisation_id))
    if email.thread_id and not email.in_reply_to:
        email.in_reply_to = email.references = threads.thread_root(
            email.thread_type_id, email.thread_id, organisation_id)


def _send_later(pks: list[int]) -> None:
    from borough.mail import tasks

    for pk in pks:
        try:
            tasks.send_email.delay(pk)
        except Exception:  # noqa: BLE001 - the broker is down: the sweep sends it later
            log.warning("email %s left for the periodic send", pk, exc_info=True)


def send(pk: int, connection=None, lookups: Lookups | None = None) -> str:
    """Send one queued email, once: the row is claimed before the SMTP conversation. A
    transient failure puts it back with a later time to try (doubling each attempt);
    after MAX_ATTEMPTS it is failed, and stays visible."""
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(pk=pk, status=SendStatus.QUEUED).update(
        status=SendStatus.SENDING, attempts=F("attempts") + 1,
        next_attempt_at=now + CLAIM_FOR)
    if not claimed:
        return "not queued"
    email = OutboundEmail.objects.get(pk=pk)
    held = _held_by_choice(email)
    if held:
        OutboundEmail.objects.filter(pk=pk).update(status=held, next_attempt_at=None)
        return "held"
    if Mailbox.objects.filter(address=email.recipient).exists():
        OutboundEmail.objects.filter(pk=pk).update(
            status=SendStatus.FAILED, next_attempt_at=None,
            error="Not sent: the address is one of Borough's own mailboxes (a loop).")
        return "failed"
    if not email.text:  # written once; a retry sends the same words and headers
        write(email, lookups)
        email.save(update_fields=["subject", "text", "html", "from_address", "in_reply_to",
                                  "references"])
    message = EmailMultiAlternatives(
        email.subject, email.text, email.from_address, [email.recipient],
        headers=headers_for(email), connection=connection)
    if email.html:
        message.attach_alternative(email.html, "text/html")
    try:
        message.send()
    except (OSError, SMTPException) as exc:
        failed = email.attempts >= MAX_ATTEMPTS
        OutboundEmail.objects.filter(pk=pk).update(
            status=SendStatus.FAILED if failed else SendStatus.QUEUED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=None if failed else now + timedelta(minutes=2 ** email.attempts))
        return "failed" if failed else "will retry"
    OutboundEmail.objects.filter(pk=pk).update(status=SendStatus.SENT, sent_at=timezone.now(),
                                               error="", next_attempt_at=None)
    return "sent"


def _open_connection():
    """One SMTP connection for a batch (a TLS handshake each would cost more than the
    email); None if the server cannot be reached, so each email records that itself."""
    connection = get_connection()
    try:
        connection.open()
    except (OSError, SMTPException):
        return None
    return connection


def headers_for(email: OutboundEmail) -> dict[str, str]:
    headers = {
        "Message-ID": email.message_id,
        # RFC 3834: an acknowledgement answers the requester's mail; the rest are
        # generated. Either way, other systems must not answer them automatically.
        "Auto-Submitted": "auto-replied" if getattr(
            notifications.find_event(email.event), "auto_reply", False) else "auto-generated",
        "X-Auto-Response-Suppress": "All",
        "X-Borough-Loop": loop_token(),
    }
    if email.in_reply_to:
        headers["In-Reply-To"] = email.in_reply_to
        headers["References"] = email.references or email.in_reply_to
    return headers


def stalled_claims(now=None):
    """Emails a worker claimed (status "sending") more than STALLED_AFTER ago: a send
    takes seconds, so its worker most likely died. `send_queued` takes them back once
    the claim runs out, CLAIM_FOR after it was made; until then /jobs/ shows them."""
    from django.urls import reverse

    from borough.core.jobs import Stalled

    now = now or timezone.now()
    # The claim's time is not stored: it is next_attempt_at less CLAIM_FOR.
    stuck = OutboundEmail.objects.filter(status=SendStatus.SENDING,
                                         next_attempt_at__lt=now + CLAIM_FOR - STALLED_AFTER)
    figures = stuck.aggregate(count=Count("pk"), first=Min("next_attempt_at"))
    oldest = figures["first"] - CLAIM_FOR if figures["first"] else None
    return Stalled(
        name="mail-claimed-unsent",
        what=(f"Emails claimed for sending more than {STALLED_AFTER.seconds // 60} minutes "
              f"ago and not sent: their worker probably stopped. mail-send-queued queues "
              f"them again {CLAIM_FOR.seconds // 60} minutes after the claim."),
        count=figures["count"], oldest=oldest,
        url=reverse("mail:outboundemail_list") + "?status=sending")


def send_queued(now=None) -> str:
    """The periodic send: queued emails whose time has come, and claims left by a worker
    that died mid-send. Runs with or without a broker."""
    now = now or timezone.now()
    stale = OutboundEmail.objects.filter(status=SendStatus.SENDING, next_attempt_at__lt=now)
    stale.update(status=SendStatus.QUEUED)
    due = (OutboundEmail.objects.filter(status=SendStatus.QUEUED)
           .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
           .order_by("id").values_list("pk", flat=True)[:500])
    results, lookups = [], Lookups()
    connection = _open_connection() if due else None
    try:
        for pk in due:
            results.append(send(pk, connection=connection, lookups=lookups))
            if results[-1] == "will retry" and connection is not None:
                connection.close()  # the server went away: each email on its own now
                connection = None
    finally:
        if connection is not None:
            connection.close()
    return f"{results.count('sent')} sent, {results.count('will retry')} to retry, " \
           f"{results.count('failed')} failed"


def send_digests(now=None) -> str:
    """One email per member of staff with everything held for their digest."""
    now = now or timezone.now()
    held = (OutboundEmail.objects.filter(status=SendStatus.DIGEST).order_by("id")
            .values("pk", "organisation_id", "recipient", "user_id", "subject", "context"))
    groups: dict[tuple, list[dict]] = {}
    for row in held:
        groups.setdefault((row["organisation_id"], row["recipient"], row["user_id"]),
                          []).append(row)
    for (organisation_id, recipient, user_id), rows in groups.items():
        lines = [f"- {r['subject']}\n  {r['context'].get('url', '')}" for r in rows]
        with transaction.atomic():
            digest = OutboundEmail.objects.create(
                organisation_id=organisation_id, recipient=recipient, user_id=user_id,
                event="digest", from_address=from_address(organisation_id),
                subject=f"Borough: {len(rows)} notification{'s' if len(rows) != 1 else ''}, "
                        f"{timezone.localdate(now):%-d %B %Y}",
                text="Since your last digest:\n\n" + "\n".join(lines),
                message_id=f"<{uuid.uuid4().hex}.digest@{settings.MAIL_DOMAIN}>")
            OutboundEmail.objects.filter(pk__in=[r["pk"] for r in rows]).update(
                status=SendStatus.DIGESTED)
            transaction.on_commit(lambda pk=digest.pk: _send_later([pk]))
    return f"{len(groups)} digests"
