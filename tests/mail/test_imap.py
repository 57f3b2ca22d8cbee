"""The IMAP poller against a real IMAP server: Debian's dovecot, started here on a free
local port with its own configuration, users and maildirs in a temporary directory.

Messages are put in the mailboxes with APPEND, as a mail client would, and the poller
reads them over the network as it reads a council's mail server."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.db import OperationalError

from borough.core.jobs import run_job
from borough.core.models import JobOutcome, JobRun
from borough.mail import imap, inbound
from borough.mail.models import InboundMessage, Mailbox, OutboundEmail, Outcome
from borough.servicedesk.models import Channel, EntryKind, Ticket
from tests.smtp import DESK_ADDRESS, email

pytestmark = [pytest.mark.imap, pytest.mark.django_db]

USERS = {"helpdesk": "helpdesk-imap-secret", "housing": "housing-imap-secret"}
HOUSING_ADDRESS = "housing@copeland.example.gov.uk"


# --- the server --------------------------------------------------------------------------

def _unavailable(reason: str):
    """Skip, or fail where the IMAP tests must run (CI sets BOROUGH_REQUIRE_IMAP=1)."""
    if os.environ.get("BOROUGH_REQUIRE_IMAP") == "1":
        pytest.fail(f"BOROUGH_REQUIRE_IMAP=1 but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config(root: Path, port: int, mail_owner: pwd.struct_passwd) -> str:
    """A dovecot 2.3 configuration for IMAP on 127.0.0.1:port only, nothing shared with
    a system dovecot (which may be running on port 143)."""
    if os.getuid() == 0:
        # Dovecot refuses to run its login process as root or to open mail as uid 0.
        login_user = "dovenull" if _exists("dovenull") else "nobody"
        users = ["default_internal_user = root", "default_internal_group = root",
                 f"default_login_user = {login_user}"]
    else:
        # Without root nothing can change user: every process runs as this one.
        me, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
        users = [f"default_internal_user = {me}", f"default_internal_group = {group}",
                 f"default_login_user = {me}"]
    return "\n".join([
        "protocols = imap",
        "listen = 127.0.0.1",
        f"instance_name = borough-test-{port}",
        f"base_dir = {root}/run",
        f"state_dir = {root}/state",
        f"log_path = {root}/dovecot.log",
        "ssl = no",
        "disable_plaintext_auth = no",
        "auth_mechanisms = plain login",
        "auth_failure_delay = 0",  # a wrong password is answered at once, not after 2 s
        *users,
        "first_valid_uid = 1",  # whoever runs the tests may have a uid below 500
        f"mail_location = maildir:{root}/mail/%u",
        "passdb {",
        "  driver = passwd-file",
        f"  args = scheme=PLAIN {root}/users",
        "}",
        "userdb {",
        "  driver = static",
        f"  args = uid={mail_owner.pw_uid} gid={mail_owner.pw_gid} home={root}/mail/%u",
        "}",
        # No chroot: only root may chroot, and there is nothing here to guard.
        "service anvil {",
        "  chroot =",
        "}",
        "service imap-login {",
        "  chroot =",
        "  inet_listener imap {",
        "    address = 127.0.0.1",
        f"    port = {port}",
        "  }",
        "  inet_listener imaps {",
        "    port = 0",
        "  }",
        "}",
        "",
    ])


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


def _version(binary: str) -> tuple[int, int]:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    found = re.match(r"(\d+)\.(\d+)", out.stdout.strip())
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


@pytest.fixture(scope="session")
def dovecot():
    """(host, port) of a throwaway dovecot with the USERS, for the whole session."""
    binary = shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if Path(p).exists()), None)
    if binary is None:
        _unavailable("dovecot is not installed (Debian: apt-get install dovecot-imapd); "
                     "the IMAP poller tests need a real IMAP server")
    version = _version(binary)
    if version[0] != 2 or version[1] > 3:
        # 2.4 rewrote the configuration language (named passdb blocks, mail_driver, ...).
        _unavailable(f"{binary} is version {'.'.join(map(str, version))}; this fixture "
                     "writes a dovecot 2.3 configuration")
    # Not under pytest's temporary directory: as root, mail is opened as an unprivileged
    # user, who cannot pass through pytest's private (0700) parent directories.
    root = Path(tempfile.mkdtemp(prefix="borough-dovecot-"))
    root.chmod(0o755)
    mail_owner = pwd.getpwnam("nobody") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
    (root / "mail").mkdir()
    os.chown(root / "mail", mail_owner.pw_uid, mail_owner.pw_gid)
    (root / "users").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in USERS.items()))
    port = _free_port()
    config = root / "dovecot.conf"
    config.write_text(_config(root, port, mail_owner))
    log, output = root / "dovecot.log", root / "output.txt"
    # -F: in the foreground, so the fixture owns the process and can stop it. Errors
    # before the log file is open go to stderr.
    with output.open("w") as out:
        process = subprocess.Popen([binary, "-F", "-c", str(config)], stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                pytest.fail(f"dovecot exited: {output.read_text()} "
                            f"{log.read_text() if log.exists() else ''}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"dovecot did not start: {log.read_text() if log.exists() else ''}")
            time.sleep(0.1)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


class Client:
    """A mail client's connection to one user's mailbox."""

    def __init__(self, server, user: str = "helpdesk"):
        self.conn = imaplib.IMAP4(*server, timeout=30)
        self.conn.login(user, USERS[user])

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        status, data = self.conn.append(imap._quoted(folder), None, None, raw)
        assert status == "OK", data

    def uids(self, criterion: str = "ALL", folder: str = "INBOX") -> list[int]:
        status, data = self.conn.select(imap._quoted(folder), readonly=True)
        assert status == "OK", data
        status, data = self.conn.uid("SEARCH", None, criterion)
        assert status == "OK", data
        return [int(uid) for uid in data[0].split()]

    def empty(self) -> None:
        """Delete every message and every folder but the inbox."""
        status, folders = self.conn.list()
        for line in folders if status == "OK" and folders != [None] else []:
            # (\HasNoChildren) "." "Service Desk": flags, separator, name
            name = re.match(r'\(.*?\) (?:"[^"]*"|NIL) "?(.*?)"?$', line.decode()).group(1)
            if name != "INBOX":
                self.conn.delete(imap._quoted(name))
        status, data = self.conn.select("INBOX")
        if int(data[0]):
            self.conn.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
            self.conn.expunge()

    def close(self) -> None:
        self.conn.logout()


@pytest.fixture
def server(dovecot):
    """The server, each user's mailbox emptied: every test starts from no mail."""
    for user in USERS:
        client = Client(dovecot, user)
        client.empty()
        client.close()
    return dovecot


@pytest.fixture
def helpdesk(server):
    """A mail client signed in to the help desk's mailbox."""
    client = Client(server)
    yield client
    client.close()


@pytest.fixture
def box(desk, server, monkeypatch):
    """The desk's mailbox, read over IMAP."""
    monkeypatch.setenv("MAIL_CBC_TEST_PASSWORD", USERS["helpdesk"])
    return Mailbox.objects.create(
        organisation=desk.org, name="IT help", address=DESK_ADDRESS, is_default=True,
        imap_host=server[0], imap_port=server[1], imap_ssl=False, imap_username="helpdesk",
        imap_password_env="MAIL_CBC_TEST_PASSWORD")


def titles() -> set[str]:
    return set(Ticket.objects.values_list("title", flat=True))


# --- new mail ------------------------------------------------------------------------------

def test_new_messages_open_tickets_and_are_marked_seen(desk, box, helpdesk):
    requester = desk.requester_person
    helpdesk.append(email(sender=f"Rita Requester <{requester.email}>",
                          subject="Printer on floor 2 jams", body="It jams on every page."))
    helpdesk.append(email(sender="new.starter@copeland.example.gov.uk",
                          subject="No access to the shared drive", body="Since Monday."))

    assert imap.poll(box) == "2 messages received"

    ticket = Ticket.objects.get(title="Printer on floor 2 jams")
    assert "It jams on every page." in ticket.description
    assert ticket.requester == requester
    assert ticket.channel == Channel.EMAIL
    other = Ticket.objects.get(title="No access to the shared drive")
    assert other.requester.email == "new.starter@copeland.example.gov.uk"
    received = InboundMessage.objects.about(ticket).get()
    assert (received.via, received.outcome, received.mailbox) == ("imap", Outcome.TICKET, box)
    # Marked seen, and kept: Borough never deletes mail from the server.
    assert helpdesk.uids("UNSEEN") == []
    assert len(helpdesk.uids("ALL")) == 2
    box.refresh_from_db()
    assert box.last_polled_at is not None
    assert box.last_poll_error == ""

    assert imap.poll(box) == "0 messages received"
    assert Ticket.objects.count() == 2
    assert InboundMessage.objects.count() == 2


def test_the_same_message_twice_makes_one_ticket(desk, box, helpdesk):
    raw = email(sender=desk.requester_person.email, subject="Monitor flickers",
                message_id="<flicker-1@client.example>")
    helpdesk.append(raw)
    helpdesk.append(raw)

    assert imap.poll(box) == "1 message received, 1 duplicate"

    assert titles() == {"Monitor flickers"}
    assert InboundMessage.objects.get().duplicates == 1
    assert helpdesk.uids("UNSEEN") == []


@pytest.mark.parametrize("threading", ["in-reply-to", "subject"])
def test_a_reply_is_added_to_its_ticket(desk, box, helpdesk, threading):
    sender = desk.requester_person.email
    helpdesk.append(email(sender=sender, subject="Laptop will not start", body="Dead."))
    imap.poll(box)
    ticket = Ticket.objects.get()
    # The acknowledgement Borough sent, which the requester's mail client answers.
    sent = OutboundEmail.objects.create(
        organisation=desk.org, thread=ticket, recipient=sender, event="ticket-created",
        subject=f"[{ticket.reference}] Laptop will not start",
        message_id="<ack-1@borough.example>")
    if threading == "in-reply-to":
        reply = email(sender=sender, subject="Re: Laptop will not start",
                      body="It started after all.",
                      headers={"In-Reply-To": sent.message_id, "References": sent.message_id})
    else:
        reply = email(sender=sender, subject=f"Re: [{ticket.reference}] Laptop will not start",
                      body="It started after all.")
    helpdesk.append(reply)

    assert imap.poll(box) == "1 message received"

    assert Ticket.objects.count() == 1
    entry = ticket.timeline.get(kind=EntryKind.REPLY)
    assert "It started after all." in entry.body
    received = InboundMessage.objects.get(subject__startswith="Re:")
    assert (received.outcome, received.thread) == (Outcome.REPLY, ticket)


# --- what goes wrong -------------------------------------------------------------------------

def test_a_wrong_password_fails_the_job_but_other_mailboxes_are_read(desk, box, helpdesk,
                                                                      server, monkeypatch):
    monkeypatch.setenv("MAIL_CBC_HOUSING_PASSWORD", "not-the-password")
    # Before the desk's mailbox in the polling order (by address), so the desk's is read
    # after a failure.
    housing = Mailbox.objects.create(
        organisation=desk.org, name="Housing", address=HOUSING_ADDRESS, imap_host=server[0],
        imap_port=server[1], imap_ssl=False, imap_username="housing",
        imap_password_env="MAIL_CBC_HOUSING_PASSWORD")
    helpdesk.append(email(sender=desk.requester_person.email, subject="Phone is dead"))

    with pytest.raises(imap.PollFailed):
        run_job("mail-poll-imap", via="in-process")
    # (Dovecot now holds back this address's next sign-in for a few seconds.)

    run = JobRun.objects.get(name="mail-poll-imap")
    assert run.outcome == JobOutcome.FAILED
    assert "2 mailboxes polled, 1 message received, 1 failed" in run.error
    assert HOUSING_ADDRESS in run.error
    assert "Authentication failed" in run.error
    housing.refresh_from_db()
    assert housing.last_poll_error.startswith(
        f"Could not sign in to {server[0]}:{server[1]} as housing: ")
    assert "not-the-password" not in housing.last_poll_error
    assert housing.last_polled_at is not None
    box.refresh_from_db()
    assert box.last_poll_error == ""
    assert titles() == {"Phone is dead"}

    monkeypatch.setenv("MAIL_CBC_HOUSING_PASSWORD", USERS["housing"])
    assert run_job("mail-poll-imap", via="in-process") == (
        "2 mailboxes polled, 0 messages received, 0 failed")
    housing.refresh_from_db()
    assert housing.last_poll_error == ""


def test_a_message_not_recorded_stays_unseen_for_the_next_poll(desk, box, helpdesk,
                                                                monkeypatch):
    for subject in ("First", "Second", "Third"):
        helpdesk.append(email(sender=desk.requester_person.email, subject=subject))
    first, second, third = helpdesk.uids()
    real_deliver = inbound.deliver

    def deliver(raw, **kwargs):
        if b"Subject: Second" in raw:
            raise OperationalError("the database went away")
        return real_deliver(raw, **kwargs)

    monkeypatch.setattr(inbound, "deliver", deliver)
    with pytest.raises(imap.PollFailed, match="1 message could not be recorded"):
        imap.poll(box)

    assert titles() == {"First", "Third"}
    assert helpdesk.uids("UNSEEN") == [second]
    box.refresh_from_db()
    assert "stays unseen for the next poll: OperationalError: the database went away" in (
        box.last_poll_error)

    monkeypatch.setattr(inbound, "deliver", real_deliver)
    assert imap.poll(box) == "1 message received"
    assert titles() == {"First", "Second", "Third"}
    assert helpdesk.uids("UNSEEN") == []
    box.refresh_from_db()
    assert box.last_poll_error == ""


def test_a_mailbox_whose_database_keeps_failing_is_left_for_the_next_poll(box, helpdesk,
                                                                          monkeypatch):
    for n in range(5):
        helpdesk.append(email(subject=f"Message {n}"))

    def deliver(raw, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(inbound, "deliver", deliver)
    with pytest.raises(imap.PollFailed, match=f"{imap.GIVE_UP_AFTER} messages could not"):
        imap.poll(box)
    assert len(helpdesk.uids("UNSEEN")) == 5


def test_a_missing_password_variable_is_recorded(box, monkeypatch):
    monkeypatch.delenv("MAIL_CBC_TEST_PASSWORD")

    with pytest.raises(imap.PollFailed, match="MAIL_CBC_TEST_PASSWORD"):
        imap.poll(box)

    box.refresh_from_db()
    assert box.last_poll_error == ("The environment variable MAIL_CBC_TEST_PASSWORD (the IMAP "
                                   "password) is not set where Borough's background jobs run.")


def test_a_server_that_does_not_answer_is_recorded(box):
    port = _free_port()
    Mailbox.objects.filter(pk=box.pk).update(imap_port=port)
    box.refresh_from_db()

    with pytest.raises(imap.PollFailed):
        imap.poll(box)

    box.refresh_from_db()
    assert box.last_poll_error.startswith(f"Could not connect to 127.0.0.1:{port}: ")


# --- which mailboxes, which folder, how many -----------------------------------------------

def test_only_active_mailboxes_with_an_imap_server_are_polled(desk, box, helpdesk):
    Mailbox.objects.create(organisation=desk.org, name="Gateway", address="smtp@example.org")
    Mailbox.objects.create(organisation=desk.org, name="Old", address="old@example.org",
                           is_active=False, imap_host="127.0.0.1", imap_port=_free_port(),
                           imap_ssl=False, imap_password_env="MAIL_CBC_TEST_PASSWORD")
    helpdesk.append(email(subject="Keyboard missing keys"))

    assert imap.poll_all() == "1 mailbox polled, 1 message received, 0 failed"


def test_a_named_folder_is_read_and_the_inbox_left_alone(box, helpdesk):
    helpdesk.conn.create(imap._quoted("Service Desk"))
    helpdesk.append(email(subject="Filed by a rule"), folder="Service Desk")
    helpdesk.append(email(subject="Left in the inbox"))
    Mailbox.objects.filter(pk=box.pk).update(imap_folder="Service Desk")
    box.refresh_from_db()

    assert imap.poll(box) == "1 message received"

    assert titles() == {"Filed by a rule"}
    assert len(helpdesk.uids("UNSEEN")) == 1


def test_a_folder_that_does_not_exist_is_recorded(box):
    Mailbox.objects.filter(pk=box.pk).update(imap_folder="Nowhere")
    box.refresh_from_db()

    with pytest.raises(imap.PollFailed, match="Could not open the folder 'Nowhere'"):
        imap.poll(box)


def test_one_poll_reads_at_most_its_limit(box, helpdesk, monkeypatch):
    monkeypatch.setattr(imap, "MAX_PER_POLL", 2)
    for n in range(3):
        helpdesk.append(email(subject=f"Report {n}"))

    assert imap.poll(box) == "2 messages received, 1 left for the next poll"
    assert titles() == {"Report 0", "Report 1"}
    assert imap.poll(box) == "1 message received"
    assert len(titles()) == 3


def test_a_mailbox_saved_before_the_rule_never_sends_another_setting(desk, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "not-for-imap")
    box = Mailbox.objects.create(organisation=desk.org, name="Old rule", address="old@cbc.test",
                                 imap_host="127.0.0.1", imap_port=1, imap_ssl=False,
                                 imap_password_env="SECRET_KEY")
    with pytest.raises(imap.PollFailed, match="must start with MAIL_CBC_"):
        imap.poll(box)
