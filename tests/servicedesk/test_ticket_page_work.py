"""The agent's ticket page (issue 16, item 3): the composer (a reply or an internal note,
with files, all or nothing), the one "Update ticket" form (only what changed, each its own
action, nothing when one is refused, the version checked once), the resolution code and
what is typed surviving a failure beside it."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from borough.core.models import Attachment, AuditEvent
from borough.core.services import StaleVersionError
from borough.servicedesk import services
from borough.servicedesk.models import (
    DeskSettings,
    EntryKind,
    ResolutionCode,
    Status,
    Ticket,
    TicketType,
    TimelineEntry,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def files_root(settings, tmp_path):
    settings.ATTACHMENTS_ROOT = tmp_path / "files"
    return settings.ATTACHMENTS_ROOT


def raise_incident(desk, **extra) -> Ticket:
    return services.raise_ticket(desk.org.pk, actor=desk.agent, ticket_type=TicketType.INCIDENT,
                                 requester=desk.requester_person, title="Printer jammed",
                                 description="Every page.", **extra)


def txt(name="log.txt", body=b"hop 1\n"):
    return SimpleUploadedFile(name, body, "text/plain")


def stored(files_root) -> list:
    return sorted(p.name for p in files_root.iterdir()) if files_root.exists() else []


# --- reply and note with files -------------------------------------------------------------


def test_a_reply_with_two_files_attaches_both_to_the_ticket_and_names_them(desk):
    ticket = raise_incident(desk)
    entry = services.reply(ticket, actor=desk.agent, body="Logs attached.",
                           files=[txt(), SimpleUploadedFile("shot.png", PNG, "image/png")])
    names = sorted(a.original_name for a in Attachment.objects.filter(object_id=ticket.pk))
    assert names == ["log.txt", "shot.png"]
    assert sorted(name for _pk, name in entry.data["files"]) == names


def test_a_refused_file_saves_nothing_not_the_reply_nor_the_other_file(desk, files_root):
    ticket = raise_incident(desk)
    before = TimelineEntry.objects.filter(ticket=ticket).count()
    with pytest.raises(ValidationError) as refused:
        services.reply(ticket, actor=desk.agent, body="Here you are.",
                       files=[txt(), SimpleUploadedFile("page.html", b"<html><script>",
                                                        "text/html")])
    assert "attachments" in refused.value.message_dict
    assert TimelineEntry.objects.filter(ticket=ticket).count() == before
    assert not Attachment.objects.exists()
    assert stored(files_root) == []  # the first file, stored, is deleted again
    ticket.refresh_from_db()
    assert ticket.responded_at is None


def test_a_notes_files_hang_off_the_note_so_the_requester_cannot_fetch_them(desk, client):
    ticket = raise_incident(desk)
    note = services.add_note(ticket, actor=desk.agent, body="Password in here.",
                             files=[txt("secret.txt")])
    attachment = Attachment.objects.get()
    assert attachment.object_id == note.pk  # not the ticket's: the portal lists those
    client.force_login(desk.agent)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 200
    client.force_login(desk.requester)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404


def test_the_composer_posts_a_note_with_files_and_keeps_the_body_when_a_file_is_refused(
        desk, client, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    ticket = raise_incident(desk)
    client.force_login(desk.agent)
    url = f"/service-desk/tickets/{ticket.pk}/compose/"
    response = client.post(url, {"composer-kind": "note", "composer-body": "Draft kept, please",
                                 "composer-attachments": [txt(body=b"x" * 100)]},
                           HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 422
    assert "Draft kept, please" in page and "files must be at most" in page
    assert not TimelineEntry.objects.filter(kind=EntryKind.NOTE).exists()
    settings.ATTACHMENT_MAX_BYTES = 10_000
    response = client.post(url, {"composer-kind": "note", "composer-body": "Now it fits.",
                                 "composer-attachments": [txt(), txt("two.txt")]})
    assert response.status_code == 302  # no JavaScript: back to the ticket
    note = TimelineEntry.objects.get(kind=EntryKind.NOTE)
    assert note.body == "Now it fits." and len(note.data["files"]) == 2


def test_without_javascript_a_refused_reply_comes_back_as_the_whole_page(desk, client):
    ticket = raise_incident(desk)
    client.force_login(desk.agent)
    response = client.post(f"/service-desk/tickets/{ticket.pk}/compose/",
                           {"composer-kind": "reply", "composer-body": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a message, or choose a canned response." in page and "<h1" in page


def test_a_requester_cannot_send_an_internal_note_through_the_composer(desk, client):
    ticket = raise_incident(desk)
    client.force_login(desk.requester)
    response = client.post(f"/service-desk/tickets/{ticket.pk}/compose/",
                           {"composer-kind": "note", "composer-body": "Sneaky"})
    assert response.status_code in (400, 403)
    assert not TimelineEntry.objects.filter(kind=EntryKind.NOTE).exists()


def test_the_draft_comes_back_when_another_action_fails(desk, client):
    ticket = raise_incident(desk)
    client.force_login(desk.agent)
    response = client.post(f"/service-desk/tickets/{ticket.pk}/resolve/",
                           {"note": "", "version": ticket.version, "composer-kind": "note",
                            "composer-body": "Half a thought"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 422 and "Enter how it was resolved." in page
    assert "Half a thought" in page
    assert re.search(r'value="note"[^>]*checked', page)  # still a note
    # And a version conflict on the update form keeps it too.
    services.add_note(ticket, actor=desk.lead, body="Meanwhile.")
    services.change_priority(ticket, actor=desk.lead, impact=1, urgency=1)
    response = client.post(f"/service-desk/tickets/{ticket.pk}/update/", {
        "version": ticket.version, "status": ticket.status, "impact": 2, "urgency": 2,
        "composer-kind": "reply", "composer-body": "Still here"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 422 and "Still here" in page
    assert "Someone else changed this ticket" in page


# --- the update form ------------------------------------------------------------------------


def update(ticket, actor, **changes):
    fields = {"team": ticket.team, "assignee": ticket.assignee, "status": ticket.status,
              "impact": ticket.impact, "urgency": ticket.urgency, "note": ""}
    return services.update(ticket, actor=actor, expected_version=ticket.version,
                           **(fields | changes))


def test_only_what_changed_is_applied_each_as_its_own_action(desk):
    ticket = raise_incident(desk)
    events = AuditEvent.objects.count()
    updated = update(ticket, desk.agent, assignee=desk.agent, team=desk.team, impact=1)
    assert (updated.assignee, updated.team, updated.impact) == (desk.agent, desk.team, 1)
    assert updated.status == Status.ASSIGNED  # assigning a new ticket does that
    kinds = list(TimelineEntry.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert EntryKind.ASSIGNMENT in kinds and EntryKind.PRIORITY in kinds
    assert AuditEvent.objects.count() == events + 2  # assignment, priority: one each
    assert services.update.message(updated) == "Ticket updated: assignment and priority."


def test_nothing_changed_applies_nothing(desk):
    ticket = raise_incident(desk)
    version = ticket.version
    result = update(ticket, desk.agent)
    assert Ticket.objects.get(pk=ticket.pk).version == version
    assert "Nothing to update" in services.update.message(result)


def test_a_refused_change_applies_nothing_and_names_what_was_refused(desk):
    ticket = raise_incident(desk)
    entries = TimelineEntry.objects.filter(ticket=ticket).count()
    with pytest.raises(ValidationError) as refused:
        update(ticket, desk.agent, assignee=desk.agent, impact=1, status=Status.CANCELLED)
    assert "the status was refused" in " ".join(refused.value.messages)
    assert refused.value.message_dict["note"] == ["Enter why it is cancelled."]
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.assignee, fresh.impact, fresh.status) == (None, ticket.impact, Status.NEW)
    assert TimelineEntry.objects.filter(ticket=ticket).count() == entries


def test_a_stale_version_is_refused_before_anything_is_applied(desk):
    ticket = raise_incident(desk)
    services.change_priority(ticket, actor=desk.lead, impact=1, urgency=1)
    with pytest.raises(StaleVersionError):
        update(ticket, desk.agent, assignee=desk.agent)
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_a_note_alone_is_an_internal_note(desk):
    ticket = raise_incident(desk)
    update(ticket, desk.agent, note="Spoke to them.")
    assert TimelineEntry.objects.get(ticket=ticket, kind=EntryKind.NOTE).body == "Spoke to them."


# --- the resolution code --------------------------------------------------------------------


def test_the_code_is_kept_and_shown_and_in_the_api(desk, client):
    ticket = raise_incident(desk)
    services.resolve(ticket, actor=desk.agent, note="New toner.", code=ResolutionCode.FIXED)
    ticket.refresh_from_db()
    assert ticket.resolution_code == ResolutionCode.FIXED
    client.force_login(desk.agent)
    assert "Fixed permanently" in client.get(f"/service-desk/tickets/{ticket.pk}/").content.decode()
    api = APIClient()
    api.force_authenticate(desk.agent)
    assert api.get(f"/api/servicedesk/tickets/{ticket.pk}/").json()["resolution_code"] == "fixed"


def test_the_code_is_optional_unless_the_desk_requires_it(desk):
    ticket = raise_incident(desk)
    DeskSettings.objects.create(organisation=desk.org, require_resolution_code=True)
    with pytest.raises(ValidationError) as refused:
        services.resolve(ticket, actor=desk.agent, note="Done.")
    assert refused.value.message_dict["code"] == ["Choose how the ticket was resolved."]
    with pytest.raises(ValidationError):  # nor through the status list, which has no code
        services.change_status(ticket, actor=desk.agent, status=Status.RESOLVED, note="Done.")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW
    services.resolve(ticket, actor=desk.agent, note="Done.", code=ResolutionCode.WORKAROUND)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED


def test_the_api_resolves_with_a_code_and_says_when_one_is_needed(desk):
    DeskSettings.objects.create(organisation=desk.org, require_resolution_code=True)
    ticket = raise_incident(desk)
    api = APIClient()
    api.force_authenticate(desk.agent)
    url = f"/api/servicedesk/tickets/{ticket.pk}/resolve/"
    refused = api.post(url, {"note": "Done."}, format="json")
    assert refused.status_code == 400
    assert "Choose how the ticket was resolved." in str(refused.json())
    done = api.post(url, {"note": "Done.", "code": "advice"}, format="json")
    assert done.status_code == 200, done.json()
    assert Ticket.objects.get(pk=ticket.pk).resolution_code == ResolutionCode.ADVICE


def test_the_page_asks_for_the_code_in_words_and_keeps_the_note(desk, client):
    DeskSettings.objects.create(organisation=desk.org, require_resolution_code=True)
    ticket = raise_incident(desk)
    client.force_login(desk.agent)
    response = client.post(f"/service-desk/tickets/{ticket.pk}/resolve/",
                           {"note": "Swapped the cable.", "version": ticket.version},
                           HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="resolve-code-error"' in page and "Choose how the ticket was resolved." in page
    assert "Swapped the cable." in page


def test_an_agents_resolve_by_email_needs_no_code(desk):
    from borough.servicedesk import inbound

    DeskSettings.objects.create(organisation=desk.org, require_resolution_code=True)
    ticket = raise_incident(desk)
    inbound._staff_reply(ticket, "#resolve\nReplaced it.", desk.agent)
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.status == Status.RESOLVED and fresh.resolution_code == ""


def test_reopening_clears_the_code(desk):
    ticket = raise_incident(desk)
    services.resolve(ticket, actor=desk.agent, note="Done.", code=ResolutionCode.FIXED)
    services.reopen(Ticket.objects.get(pk=ticket.pk), actor=desk.agent, reason="Back again.")
    assert Ticket.objects.get(pk=ticket.pk).resolution_code == ""
