"""The IMAP poller: reads each mailbox that has an IMAP server instead of a mail server
that relays to Borough's SMTP gateway.

Every minute (the periodic job `mail-poll-imap`) each active mailbox with an IMAP server
is read: its unseen messages are fetched without being marked (`BODY.PEEK[]`), handed to
`inbound.deliver`, and marked \\Seen only once deliver has returned. A message that could
not be recorded stays unseen and is fetched again by the next poll; one that was recorded
but not marked (the connection dropped in between) is fetched again too, and deliver
counts it as a duplicate. So a message is acted on once, however a poll ends. Two polls
of the same mailbox at once (a slow poll overlapping the next) are safe for the same
reason. Messages are never deleted, moved or expunged: the mailbox keeps them.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import os
import ssl
from dataclasses import dataclass

from django.template.defaultfilters import pluralize
from django.utils import timezone

from borough.core import secret_names
from borough.mail import inbound
from borough.mail.models import Mailbox

log = logging.getLogger(__name__)

MAX_PER_POLL = 500  # the rest wait for the next poll, a minute later
TIMEOUT = 30  # seconds for any one network operation
# Deliver failing this many times running means the database (or the attachment store)
# is down, not that one message is odd: stop, rather than try hundreds more.
GIVE_UP_AFTER = 3
ERROR_LIMIT = 2000


class PollFailed(Exception):
    """A mailbox could not be read, or some of its messages not recorded.

    Deliberately not a ConnectionError: the Celery task retries those, and the next
    poll, a minute later, is the retry."""


@dataclass
class PollResult:
    received: int = 0
    duplicates: int = 0
    not_recorded: int = 0
    left: int = 0  # unseen beyond MAX_PER_POLL
    error: str = ""

    def __str__(self) -> str:
        parts = [f"{self.received} message{pluralize(self.received)} received"]
        if self.duplicates:
            parts.append(f"{self.duplicates} duplicate{pluralize(self.duplicates)}")
        if self.left:
            parts.append(f"{self.left} left for the next poll")
        return ", ".join(parts)


def poll(mailbox: Mailbox) -> str:
    """Read one mailbox's unseen messages; returns what was received. The time and any
    error are recorded on the mailbox; a failure then raises PollFailed."""
    result = _poll(mailbox)
    if result.error:
        raise PollFailed(f"{mailbox.address}: {result.error} ({result})")
    return str(result)


def poll_all() -> str:
    """Poll every active mailbox that has an IMAP server; returns a summary such as
    "2 mailboxes polled, 14 messages received, 0 failed".

    A mailbox that fails does not stop the others. But once all have been polled, any
    failure raises PollFailed, so the job's run is recorded as failed and the jobs page
    and /health/'s `failing_jobs` name it until a poll succeeds. Returning a summary that
    mentions the failure would be quieter, and wrong: a mailbox that stopped being read
    (a password changed on the mail server, say) means residents' emails raise no
    tickets, and the only other place it would show is the mailbox's own page, where
    nobody is looking for it. The cost is that one broken mailbox marks the whole job failing while the
    others are read as usual; the error names the mailbox, and each mailbox's page
    shows its own last error.
    """
    boxes = list(Mailbox.objects.filter(is_active=True).exclude(imap_host="")
                 .order_by("address"))
    received = duplicates = 0
    failures = []
    for box in boxes:
        try:
            result = _poll(box)
        except Exception as exc:  # noqa: BLE001 - one mailbox must not stop the others
            log.exception("polling %s failed", box.address)
            failures.append(f"{box.address}: {type(exc).__name__}: {exc}")
            continue
        received += result.received
        duplicates += result.duplicates
        if result.error:
            failures.append(f"{box.address}: {result.error}")
    summary = (f"{len(boxes)} mailbox{pluralize(len(boxes), 'es')} polled, "
               f"{received} message{pluralize(received)} received, "
               + (f"{duplicates} duplicate{pluralize(duplicates)}, " if duplicates else "")
               + f"{len(failures)} failed")
    if failures:
        raise PollFailed(f"{summary}. " + "; ".join(failures))
    return summary


def _poll(mailbox: Mailbox) -> PollResult:
    """Read the mailbox and record the outcome on it; what the server or the network
    did wrong is in the result's error, not raised."""
    result = PollResult()
    try:
        _read(mailbox, result)
    except _Failed as exc:
        log.warning("polling %s: %s", mailbox.address, exc)
        result.error = str(exc)
    except Exception as exc:  # noqa: BLE001 - whatever stopped the poll, the mailbox shows
        log.exception("polling %s failed", mailbox.address)
        result.error = f"{type(exc).__name__}: {_text(exc)}"
    mailbox.last_polled_at = timezone.now()
    mailbox.last_poll_error = result.error[:ERROR_LIMIT]
    # Not through core.services: the poller's own bookkeeping, which no one edits and
    # which would otherwise add an audit event and a version every minute.
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=mailbox.last_polled_at,
                                                 last_poll_error=mailbox.last_poll_error)
    return result


class _Failed(Exception):
    """A step of the poll failed; the text says which, for the mailbox page."""


def _read(mailbox: Mailbox, result: PollResult) -> None:
    password = _password(mailbox)
    username = mailbox.imap_username or mailbox.address
    where = f"{mailbox.imap_host}:{mailbox.imap_port}"
    step = f"connect to {where}"
    try:
        if mailbox.imap_ssl:
            conn = imaplib.IMAP4_SSL(mailbox.imap_host, mailbox.imap_port,
                                     ssl_context=ssl.create_default_context(), timeout=TIMEOUT)
        else:
            conn = imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=TIMEOUT)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise _Failed(f"Could not {step}: {_text(exc)}") from exc
    try:
        step = f"sign in to {where} as {username}"
        conn.login(username, password)
        step = f"open the folder {mailbox.imap_folder!r}"
        _ok(conn.select(_quoted(mailbox.imap_folder)))
        step = "search for unseen messages"
        uids = sorted(_ok(conn.uid("SEARCH", None, "UNSEEN"))[0].split(), key=int)
        result.left = max(0, len(uids) - MAX_PER_POLL)
        failures_running, first_failure = 0, ""
        for uid in uids[:MAX_PER_POLL]:
            step = f"fetch message {uid.decode()}"
            raw = _body(_ok(conn.uid("FETCH", uid, "(BODY.PEEK[])")))
            if raw is None:
                continue  # expunged by someone else since the search
            try:
                record = inbound.deliver(raw, mailbox=mailbox, via="imap")
            except Exception as exc:  # noqa: BLE001 - left unseen, it is tried again next poll
                log.exception("message %s in %s not recorded; left unseen", uid.decode(),
                              mailbox.address)
                result.not_recorded += 1
                failures_running += 1
                first_failure = first_failure or f"{type(exc).__name__}: {_text(exc)}"
                if failures_running >= GIVE_UP_AFTER:
                    break
                continue
            failures_running = 0
            # A new record has no duplicates; deliver returns the first one's, counted.
            if record.duplicates:
                result.duplicates += 1
            else:
                result.received += 1
            step = f"mark message {uid.decode()} as seen"
            _ok(conn.uid("STORE", uid, "+FLAGS.SILENT", "(\\Seen)"))
    except (OSError, imaplib.IMAP4.error, UnicodeError) as exc:
        raise _Failed(f"Could not {step}: {_text(exc)}") from exc
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            conn.logout()  # not CLOSE, which would expunge messages marked deleted
    if result.not_recorded:
        n = result.not_recorded
        raise _Failed(f"{n} message{pluralize(n)} could not be recorded and "
                      f"{pluralize(n, 'stays,stay')} unseen for the next poll: {first_failure}")


def _password(mailbox: Mailbox) -> str:
    name = mailbox.imap_password_env.strip()
    if not name:
        raise _Failed("No environment variable is named for the IMAP password.")
    # Checked again here, not only when saved: a mailbox saved before the rule existed
    # must not send another setting to the server it names.
    if problem := secret_names.env_name_problem(name, "MAIL", mailbox.organisation.code):
        raise _Failed(problem)
    try:
        return os.environ[name]
    except KeyError:
        raise _Failed(f"The environment variable {name} (the IMAP password) is not set "
                      "where Borough's background jobs run.") from None


def _ok(response):
    """The data of an OK response; a NO or BAD is raised with the server's words."""
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(" ".join(_text(d) for d in data if d))
    return data


def _body(data) -> bytes | None:
    for item in data:
        if isinstance(item, tuple) and b"BODY[]" in item[0].upper():
            return item[1]
    return None


def _quoted(folder: str) -> str:
    """A folder name as an IMAP quoted string: imaplib sends arguments as they are, and
    names such as "Service Desk" have spaces."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(value) -> str:
    """Server responses arrive as bytes, and imaplib's errors carry them as such."""
    if isinstance(value, BaseException) and len(value.args) == 1:
        value = value.args[0]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
