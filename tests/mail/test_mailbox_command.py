"""`borough mailbox add`: the first mailbox of a new installation, from the command line
(the gateway refuses every address until one exists)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command, execute_from_command_line

from borough.core.models import AuditEvent
from borough.mail import inbound
from borough.mail.models import Mailbox
from tests.mail.factories import MailboxFactory

pytestmark = pytest.mark.django_db


def add(*args: str) -> str:
    out = StringIO()
    call_command("mailbox", "add", *args, stdout=out)
    return out.getvalue()


def test_add_creates_an_audited_mailbox_that_receives_mail(org_a):
    assert inbound.mailbox_for(["ithelp@council.example.gov.uk"]) is None
    old_default = MailboxFactory(organisation=org_a, is_default=True)
    said = add("--organisation", org_a.code, "--address", "ITHelp@Council.example.gov.uk",
               "--name", "IT service desk", "--default")
    box = Mailbox.objects.get(address="ithelp@council.example.gov.uk")
    assert (box.organisation, box.name, box.is_active, box.is_default) == (
        org_a, "IT service desk", True, True)
    assert "Added the mailbox ithelp@council.example.gov.uk" in said
    assert AuditEvent.objects.filter(object_id=box.pk, action="create").exists()
    # Only one default per organisation: the previous one gave way.
    old_default.refresh_from_db()
    assert not old_default.is_default
    assert inbound.mailbox_for(["ithelp@council.example.gov.uk"]) == box

    out = StringIO()
    call_command("mailbox", "list", stdout=out)
    assert f"{org_a.code}\tithelp@council.example.gov.uk\tIT service desk (default)" in (
        out.getvalue())


def run_from_command_line(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    # run_from_argv closes the database connections when it ends; the test still needs them.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["borough", "mailbox", "add", *args])
    captured = capsys.readouterr()
    assert captured.out == ""
    return exited.value.code, captured.err


def test_a_duplicate_address_is_one_line_and_a_non_zero_exit(org_a, org_b, monkeypatch,
                                                            capsys):
    MailboxFactory(organisation=org_a, address="ithelp@council.example.gov.uk")
    # Addresses are unique across the installation, so another council is refused too.
    code, err = run_from_command_line(
        monkeypatch, capsys, "--organisation", org_b.code, "--address",
        "IThelp@council.example.gov.uk", "--name", "IT service desk")
    assert code == 1
    assert err.strip() == ("Another mailbox already uses this address. An address can "
                           "belong to only one mailbox in Borough.")
    assert Mailbox.objects.count() == 1


def test_an_unknown_organisation_names_the_codes(org_a, monkeypatch, capsys):
    code, err = run_from_command_line(
        monkeypatch, capsys, "--organisation", "nope", "--address", "a@b.example",
        "--name", "Help")
    assert code == 1
    assert err.strip() == f"No organisation has the code 'nope' (codes: {org_a.code})."
    assert not Mailbox.objects.exists()


def test_an_invalid_address_is_refused(org_a, monkeypatch, capsys):
    code, err = run_from_command_line(
        monkeypatch, capsys, "--organisation", org_a.code, "--address", "not an address",
        "--name", "Help")
    assert code == 1
    assert "Enter a valid email address." in err
    assert not Mailbox.objects.exists()
