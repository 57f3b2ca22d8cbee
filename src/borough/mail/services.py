"""The email module's write verbs for what people set up: mailboxes (one default per
organisation), notification templates (checked to render), a member of staff's email
preferences. Each takes `actor`, runs in one transaction and goes through core.services.
The quarantine's release and discard are mail.inbound's, the door for received mail."""

from __future__ import annotations

import copy
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from borough.core import notifications, scope, secret_names, services
from borough.mail import outbound
from borough.mail.models import (
    Delivery,
    Mailbox,
    NotificationPreference,
    NotificationTemplate,
)
from borough.organisation.models import Organisation

# --- mailboxes --------------------------------------------------------------------------

ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
ENV_NAME_MESSAGE = ("Enter the name of an environment variable: capital letters, digits and "
                    "underscores, not starting with a digit, like MAIL_CBC_PASSWORD, starting "
                    "with MAIL_ and your organisation's code")
ADDRESS_TAKEN = ("Another mailbox already uses this address. An address can belong to only "
                 "one mailbox in Borough.")


def check_env_name(value: str, organisation_code: str) -> str:
    """The IMAP password's environment variable name, or a ValidationError: capital
    letters, and starting with MAIL_ and the council's code (core.secret_names), so a
    mailbox can never send another of the server's settings to the IMAP server it names."""
    value = (value or "").strip()
    if value and not ENV_NAME.fullmatch(value):
        raise ValidationError(ENV_NAME_MESSAGE, code="env_name")
    if problem := secret_names.env_name_problem(value, "MAIL", organisation_code):
        raise ValidationError(problem, code="env_name")
    return value


def normalise_address(value: str) -> str:
    return (value or "").strip().lower()


def address_taken(address: str, *, exclude_pk: int | None = None) -> bool:
    """Whether another mailbox, of any organisation, receives at `address`. Addresses are
    unique across the installation: the mail server hands Borough one message per address."""
    others = Mailbox.objects.filter(address__iexact=normalise_address(address))
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def organisation_code(mailbox: Mailbox) -> str:
    return Organisation.objects.filter(pk=mailbox.organisation_id).values_list(
        "code", flat=True).first() or ""


def _check_mailbox(mailbox: Mailbox) -> None:
    errors = {}
    mailbox.address = normalise_address(mailbox.address)
    try:
        mailbox.imap_password_env = check_env_name(mailbox.imap_password_env,
                                                   organisation_code(mailbox))
    except ValidationError as exc:
        errors["imap_password_env"] = exc.messages
    if mailbox.address and address_taken(mailbox.address, exclude_pk=mailbox.pk):
        errors["address"] = [ADDRESS_TAKEN]
    if errors:
        raise ValidationError(errors)


def _lock_mailboxes(organisation_id: int) -> None:
    """Take the organisation's mailbox rows in one order before changing any, so two
    people making different mailboxes the default wait for each other, not deadlock."""
    list(Mailbox.objects.select_for_update().filter(organisation_id=organisation_id)
         .order_by("pk").values_list("pk", flat=True))


def _only_default(mailbox: Mailbox, actor) -> None:
    """`mailbox` is the default: the organisation's others no longer are (audited)."""
    others = Mailbox.objects.filter(organisation_id=mailbox.organisation_id,
                                    is_default=True).exclude(pk=mailbox.pk)
    for other in others:
        services.update_record(other, actor=actor, data={"is_default": False},
                               expected_version=None,
                               note=f"{mailbox.address} became the address notifications "
                                    "are sent from.")


def create_mailbox(mailbox: Mailbox, *, actor, idempotency_key: str | None = None) -> Mailbox:
    services.require(actor, "add", Mailbox, mailbox.organisation_id)
    _check_mailbox(mailbox)
    with transaction.atomic():
        _lock_mailboxes(mailbox.organisation_id)

        def then(record):
            if record.is_default:
                _only_default(record, actor)

        return services.create_record(mailbox, actor=actor, idempotency_key=idempotency_key,
                                      then=then)


def update_mailbox(mailbox: Mailbox, *, actor, expected_version: int | None = None,
                   **data) -> Mailbox:
    services.require(actor, "change", Mailbox, mailbox.organisation_id)
    preview = _with(mailbox, data)
    _check_mailbox(preview)
    data = {name: getattr(preview, name) for name in data}  # as _check_mailbox tidied them
    with transaction.atomic():
        _lock_mailboxes(mailbox.organisation_id)
        saved = services.update_record(mailbox, actor=actor, data=data,
                                       expected_version=expected_version)
        if saved.is_default:
            _only_default(saved, actor)
    return saved


def _with(record, data: dict):
    """A copy of `record` with `data` applied, to check before the locked update."""
    preview = copy.copy(record)
    for name, value in data.items():
        setattr(preview, name, value)
    return preview


# --- notification templates -------------------------------------------------------------

# What would put a requester's words into an HTML email unescaped (SECURITY.md rule 10).
UNESCAPED = re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off\s*%}")
TEMPLATE_FIELDS = (("subject", False), ("text_body", False), ("html_body", True))


UNKNOWN_EVENT = ("“{value}” is not an event Borough notifies people of. Choose one of the "
                 "events on the notification templates page.")


def unknown_event(value: str) -> str:
    return UNKNOWN_EVENT.format(value=str(value)[:50])


def template_problem(text: str, *, html: bool = False, event: str = "") -> str:
    """Why `text` cannot be used as a notification template (for `event`, if given), or
    ""."""
    if html and UNESCAPED.search(text or ""):
        return ("Remove “|safe” and “{% autoescape off %}”: what people type must stay "
                "escaped in HTML emails.")
    try:
        outbound.check_template(text or "", html=html, event=event)
    except Exception as exc:  # noqa: BLE001 - any failure to render is the author's to fix
        detail = str(exc).strip() or type(exc).__name__
        return f"This does not work as a template: {detail}"
    return ""


def _check_template(template: NotificationTemplate) -> None:
    errors = {}
    if notifications.find_event(template.event) is None:
        errors["event"] = [unknown_event(template.event)]
    for name, html in TEMPLATE_FIELDS:
        problem = template_problem(getattr(template, name), html=html, event=template.event)
        if problem:
            errors[name] = [problem]
    taken = NotificationTemplate.objects.filter(organisation_id=template.organisation_id,
                                                event=template.event).exclude(pk=template.pk)
    if "event" not in errors and taken.exists():
        errors["event"] = [f"There is already a template for “{template}”: change that one."]
    if errors:
        raise ValidationError(errors)


def create_template(template: NotificationTemplate, *, actor,
                    idempotency_key: str | None = None) -> NotificationTemplate:
    services.require(actor, "add", NotificationTemplate, template.organisation_id)
    _check_template(template)
    return services.create_record(template, actor=actor, idempotency_key=idempotency_key)


def update_template(template: NotificationTemplate, *, actor,
                    expected_version: int | None = None, **data) -> NotificationTemplate:
    services.require(actor, "change", NotificationTemplate, template.organisation_id)
    _check_template(_with(template, data))
    return services.update_record(template, actor=actor, data=data,
                                  expected_version=expected_version)


def default_template(event: str) -> dict[str, str]:
    """Borough's own wording for `event` (a registered event), as a template's fields."""
    subject, text, html = outbound.wording(event)
    return {"event": event, "subject": subject, "text_body": text, "html_body": html}


# --- a member of staff's email preferences ----------------------------------------------

WORKS_TICKETS = "servicedesk.work_tickets"


def preference_events() -> list:
    """The events people choose how to hear of: every registered event but those to a
    requester (a ticket's acknowledgement and resolution), who always gets them (outbound
    sends requesters' emails whatever any choice says), so choosing would change nothing."""
    found = notifications.registered_events(chosen_by_recipient=True)
    return [event for _app, events in notifications.grouped(found) for event in events]


def preference_keys() -> list[str]:
    return [e.key for e in preference_events()]


def may_choose_email(user, organisation_id: int | None) -> bool:
    """Email notifications go to staff who work tickets; requesters hear by email anyway."""
    return organisation_id is not None and organisation_id in scope.organisation_ids(
        user, WORKS_TICKETS)


def require_staff(user) -> int:
    """The user's active organisation, if they may choose how they hear there."""
    organisation_id = getattr(user, "active_organisation_id", None)
    if not may_choose_email(user, organisation_id):
        raise PermissionDenied(
            "Email notifications are for people who work service desk tickets. Your role "
            "here does not include that: you hear about your own tickets by email anyway.")
    return organisation_id


def preferences_for(user, organisation_id: int) -> dict[str, str]:
    """Every event's choice for `user` in the organisation: "immediately" without a row."""
    chosen = dict(NotificationPreference.objects.visible_to(user).filter(
        organisation_id=organisation_id).values_list("event", "delivery"))
    return {event: chosen.get(event, Delivery.IMMEDIATELY) for event in preference_keys()}


def save_preferences(user, choices: dict[str, str], *, actor) -> dict[str, str]:
    """Set `user`'s delivery per event in their active organisation; events left out keep
    theirs. Only the user themself, and only if they work tickets there."""
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied("You can only choose your own email notifications.")
    organisation_id = require_staff(user)
    errors = {}
    keys = preference_keys()
    for event, delivery in choices.items():
        if event not in keys:
            errors[event] = [f"“{event[:50]}” is not an event staff are emailed about. They "
                             f"are: {', '.join(keys)}."]
        elif delivery not in Delivery.values:
            errors[event] = [f"Choose one of: {', '.join(Delivery.values)}."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rows = {row.event: row for row in NotificationPreference.objects.visible_to(user)
                .select_for_update().filter(organisation_id=organisation_id)}
        for event, delivery in choices.items():
            row = rows.get(event)
            if row is None:
                if delivery != Delivery.IMMEDIATELY:
                    services.create_record(NotificationPreference(
                        organisation_id=organisation_id, user=user, event=event,
                        delivery=delivery), actor=actor)
            elif row.delivery != delivery:
                services.update_record(row, actor=actor, data={"delivery": delivery},
                                       expected_version=None)
    return preferences_for(user, organisation_id)
