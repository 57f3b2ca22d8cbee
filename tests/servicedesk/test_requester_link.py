"""The requester's signed link from an email (servicedesk.links, views.requester_link):
their ticket's page, where they confirm the fix, reopen or rate it without a login; and
the address emails sent before the page moved here carry, /mail/t/<token>/."""

from __future__ import annotations

import pytest
from django.core import signing
from django.urls import reverse

from borough.servicedesk import links, services
from borough.servicedesk.models import Satisfaction, Status

pytestmark = pytest.mark.django_db


def raise_for_rita(desk, **extra):
    fields = {"title": "Laptop will not boot", "description": "Black screen.", **extra}
    return services.raise_ticket(desk.org.pk, actor=desk.agent, ticket_type="incident",
                                 requester=desk.requester_person, **fields)


@pytest.fixture
def resolved(desk):
    ticket = raise_for_rita(desk)
    services.resolve(ticket, actor=desk.agent, note="Reinstalled.")
    return ticket


def page_of(ticket, person) -> str:
    return reverse("servicedesk:requester_link", args=[links.token_for(ticket, person)])


def test_the_signed_link_confirms_reopens_and_rates_without_a_login(desk, resolved, client):
    url = page_of(resolved, desk.requester_person)
    assert url.startswith("/service-desk/link/")
    page = client.get(url)
    assert page.status_code == 200 and b"Is it fixed?" in page.content
    client.post(url, {"action": "rate", "score": "4", "comment": "Quick"})
    assert Satisfaction.objects.get(ticket=resolved).score == 4
    client.post(url, {"action": "reopen", "reason": "Still black."})
    resolved.refresh_from_db()
    assert resolved.status == Status.IN_PROGRESS
    services.resolve(resolved, actor=desk.agent, note="New disk.")
    client.post(url, {"action": "confirm"})
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED
    again = client.post(url, {"action": "reopen", "reason": "x"}, follow=True)
    assert b"Only a resolved ticket can be reopened" in again.content


def test_each_action_of_the_page_has_its_own_address(desk, resolved, client):
    token = links.token_for(resolved, desk.requester_person)
    page = client.get(reverse("servicedesk:requester_link", args=[token])).content.decode()
    for name in ("confirm", "reopen", "rate"):
        assert reverse(f"servicedesk:requester_link_{name}", args=[token]) in page
    refused = client.post(reverse("servicedesk:requester_link_reopen", args=[token]),
                          {"reason": ""})
    assert refused.status_code == 400 and "Enter why it is not fixed." in refused.content.decode()
    done = client.post(reverse("servicedesk:requester_link_confirm", args=[token]), follow=True)
    assert b"The ticket is closed." in done.content
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED


def test_a_tampered_or_foreign_link_is_not_found(desk, resolved, client):
    token = links.token_for(resolved, desk.requester_person)
    tampered = reverse("servicedesk:requester_link", args=[token[:-2] + "xx"])
    assert client.get(tampered).status_code == 404
    other = type(desk.requester_person).objects.create(organisation=desk.org, full_name="Other")
    foreign = page_of(resolved, other)
    assert client.get(foreign).status_code == 404
    assert client.post(foreign, {"action": "confirm"}).status_code == 404


def test_the_signed_link_refuses_an_unknown_action_and_an_empty_reason(desk, resolved, client):
    url = page_of(resolved, desk.requester_person)
    unknown = client.post(url, {"action": "delete"}, follow=True)
    assert b"Choose what to do." in unknown.content
    empty = client.post(url, {"action": "reopen", "reason": "  "}, follow=True)
    assert b"Enter why it is not fixed." in empty.content
    bad_score = client.post(url, {"action": "rate", "score": "9"}, follow=True)
    assert b"Choose a score from 1 to 5." in bad_score.content
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED and not Satisfaction.objects.exists()


def old_token(ticket, person) -> str:
    """A token as mail.links signed them before the page moved: same salt, same shape."""
    return signing.dumps([ticket.pk, person.pk], salt="borough.mail.ticket-link",
                         compress=False)


def test_links_in_emails_sent_before_the_move_still_work(desk, resolved, client):
    token = old_token(resolved, desk.requester_person)
    assert token == links.token_for(resolved, desk.requester_person)
    old = f"/mail/t/{token}/"
    moved = client.get(old)
    assert moved.status_code == 308  # permanent, and a POST stays a POST
    assert moved["Location"] == f"/service-desk/link/{token}/"
    assert b"Is it fixed?" in client.get(old, follow=True).content
    # A page opened at the old address posts its buttons there: they still act.
    done = client.post(old, {"action": "confirm"}, follow=True)
    assert done.redirect_chain[0] == (f"/service-desk/link/{token}/", 308)
    assert b"The ticket is closed." in done.content
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED
    # The old address checks nothing itself; the page it leads to does.
    assert client.get(f"/mail/t/{token[:-2]}xx/", follow=True).status_code == 404
    assert client.put(old).status_code == 405


def test_the_resolved_email_links_to_the_page(desk, mailbox, settings,
                                              django_capture_on_commit_callbacks):
    from borough.mail.models import OutboundEmail

    with django_capture_on_commit_callbacks(execute=True):
        ticket = raise_for_rita(desk)
        services.resolve(ticket, actor=desk.agent, note="Reinstalled.")
    email = OutboundEmail.objects.about(ticket).get(event="ticket-resolved")
    page = email.context["url"]
    # The requester's page, not the staff one: their signed link for this ticket. Read
    # back rather than compared with a new token, which is stamped with the second it is
    # made (the two straddled a second once under load).
    prefix = settings.BOROUGH_BASE_URL + "/service-desk/link/"
    assert page.startswith(prefix)
    assert links.read(page.removeprefix(prefix).rstrip("/")) == (
        ticket.pk, desk.requester_person.pk)
    assert [email.context[n] for n in ("confirm_url", "reopen_url", "rate_url")] == [
        page + "#confirm", page + "#reopen", page + "#rate"]
    assert page + "#confirm" in email.text
