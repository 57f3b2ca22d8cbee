"""Announcements through the services: opened, updated and closed, by hand, with their
major incident and with any other source; subscribers emailed once per stage; who may."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from borough.core import roles
from borough.core.models import AuditEvent
from borough.mail.models import OutboundEmail
from borough.servicedesk import services as desk_services
from borough.servicedesk.models import TicketType
from borough.status import services
from borough.status.models import Announcement, AnnouncementEmail, Kind, State, Subscription
from tests.conftest import make_member
from tests.factories import BusinessServiceFactory, OrganisationFactory, SiteFactory

pytestmark = pytest.mark.django_db


def emails(event=None, **extra):
    found = OutboundEmail.objects.filter(**extra)
    if event:
        found = found.filter(event=event)
    return sorted(found.values_list("recipient", flat=True))


def subscribe(status, *users, service=None):
    for user in users:
        services.subscribe(service or status.email, actor=user)


def major_incident(status, **extra):
    ticket = desk_services.raise_ticket(
        status.org.pk, actor=status.agent, ticket_type=TicketType.INCIDENT,
        title="Nobody can send email", description="Outlook says the server is down.",
        requester=status.requester_person, service=status.email, **extra)
    return desk_services.set_major_incident(ticket, actor=status.agent)


def test_opening_emails_each_subscriber_of_its_services_once(status):
    subscribe(status, status.requester, status.manager)
    subscribe(status, status.lead, service=status.payroll)
    announcement = services.announce(
        status.org.pk, actor=status.agent, title="Email is down", kind=Kind.OUTAGE,
        services=[status.email], description="Use Teams meanwhile.")
    assert announcement.reference == "STA-000001" and announcement.state == State.OPEN
    assert emails("status-opened") == sorted([status.requester.email, status.manager.email])
    assert AnnouncementEmail.objects.filter(announcement=announcement, stage="opened").count() == 2
    # Telling the same stage again (a retry, a second worker) tells nobody.
    assert services.tell_subscribers(announcement, "opened", "again") == []
    assert len(emails("status-opened")) == 2
    assert AuditEvent.objects.for_object(announcement).filter(action="create").count() == 1


def test_an_announcement_about_everything_tells_every_subscriber(status):
    subscribe(status, status.requester)
    subscribe(status, status.lead, service=status.payroll)
    services.announce(status.org.pk, actor=status.agent, title="Phones are down",
                      kind=Kind.OUTAGE, services=[])
    assert emails("status-opened") == sorted([status.requester.email, status.lead.email])


def test_updates_and_closing_each_email_once(status):
    subscribe(status, status.requester)
    announcement = services.announce(status.org.pk, actor=status.agent, title="Email is down",
                                     kind=Kind.OUTAGE, services=[status.email])
    end = datetime.now(UTC) + timedelta(hours=2)
    update = services.post_update(announcement, actor=status.agent,
                                  body="Engineers are on site.", expected_end_at=end)
    services.post_update(announcement, actor=status.agent, body="Nearly there.")
    assert len(emails("status-updated")) == 2
    announcement.refresh_from_db()
    assert announcement.expected_end_at == end
    assert update.author_name and update.body == "Engineers are on site."

    services.resolve(announcement, actor=status.agent, note="Back to normal.")
    announcement.refresh_from_db()
    assert announcement.state == State.RESOLVED and announcement.resolved_at is not None
    assert emails("status-closed") == [status.requester.email]
    closing = announcement.updates.filter(closing=True).get()
    assert closing.body == "Back to normal."
    with pytest.raises(ValidationError, match="already resolved"):
        services.resolve(announcement, actor=status.agent)
    with pytest.raises(ValidationError):
        services.post_update(announcement, actor=status.agent, body="Too late.")
    assert len(emails("status-closed")) == 1

    services.reopen(announcement, actor=status.agent, note="Down again.")
    announcement.refresh_from_db()
    assert announcement.state == State.OPEN and announcement.resolved_at is None
    assert len(emails("status-reopened")) == 1


def test_an_empty_update_is_refused_in_words(status):
    announcement = services.announce(status.org.pk, actor=status.agent, title="Slow",
                                     kind=Kind.DEGRADED, services=[status.email])
    with pytest.raises(ValidationError, match="Enter the update"):
        services.post_update(announcement, actor=status.agent, body="  ")


def test_who_may_announce_and_subscribe(status):
    with pytest.raises(PermissionDenied):
        services.announce(status.org.pk, actor=status.requester, title="Down",
                          kind=Kind.OUTAGE, services=[status.email])
    announcement = services.announce(status.org.pk, actor=status.agent, title="Down",
                                     kind=Kind.OUTAGE, services=[status.email])
    for who in (status.requester, status.auditor):
        with pytest.raises(PermissionDenied):
            services.resolve(announcement, actor=who)
    with pytest.raises(PermissionDenied):
        services.subscribe(status.email, actor=status.auditor)
    # A requester subscribes themself, once.
    first = services.subscribe(status.email, actor=status.requester)
    assert services.subscribe(status.email, actor=status.requester) == first
    assert Subscription.objects.filter(user=status.requester).count() == 1
    services.unsubscribe(status.email, actor=status.requester)
    assert not Subscription.objects.filter(user=status.requester).exists()


def test_another_councils_services_cannot_be_announced(status):
    other = BusinessServiceFactory(organisation=OrganisationFactory(code="edc"))
    with pytest.raises(ValidationError, match="services of this organisation"):
        services.announce(status.org.pk, actor=status.agent, title="Down", kind=Kind.OUTAGE,
                          services=[other])


def test_subscribers_of_another_council_or_who_left_are_not_told(status):
    other_org = OrganisationFactory(code="edc")
    outsider = make_member(other_org, roles.REQUESTER, "outsider")
    Subscription.objects.create(organisation=status.org, service=status.email, user=outsider)
    subscribe(status, status.requester)
    status.requester.is_active = False
    status.requester.save()
    services.announce(status.org.pk, actor=status.agent, title="Down", kind=Kind.OUTAGE,
                      services=[status.email])
    assert emails("status-opened") == []


# --- with a major incident -----------------------------------------------------------------

def test_a_major_incident_announced_closes_with_its_incident(status):
    subscribe(status, status.requester)
    ticket = major_incident(status)
    announcement = services.announce_outage(ticket, actor=status.agent)
    assert announcement.kind == Kind.OUTAGE and announcement.title == ticket.title
    assert list(announcement.services.all()) == [status.email]
    assert announcement.starts_at == ticket.created_at
    assert announcement.source == ticket and announcement.source_text == str(ticket)
    with pytest.raises(ValidationError, match="already announced"):
        services.announce_outage(ticket, actor=status.agent)

    ticket.refresh_from_db()
    desk_services.resolve(ticket, actor=status.agent, note="Mail server restarted.")
    announcement.refresh_from_db()
    assert announcement.state == State.RESOLVED
    assert announcement.resolved_at is not None
    closing = announcement.updates.get(closing=True)
    assert closing.body == f"{ticket.reference} is resolved. Mail server restarted."
    assert emails("status-closed") == [status.requester.email]


def test_a_major_incident_cancelled_by_its_requester_cancels_its_announcement(status):
    ticket = major_incident(status)
    announcement = services.announce_outage(ticket, actor=status.agent)
    ticket.refresh_from_db()
    # The requester may cancel their ticket but not change announcements: Borough does.
    desk_services.cancel(ticket, actor=status.requester, reason="It was my cable.")
    announcement.refresh_from_db()
    assert announcement.state == State.CANCELLED
    assert announcement.updated_by is None


def test_only_an_open_major_incident_is_announced(status):
    ticket = desk_services.raise_ticket(
        status.org.pk, actor=status.agent, ticket_type=TicketType.INCIDENT, title="Mouse",
        description="Broken.", requester=status.requester_person)
    with pytest.raises(ValidationError, match="not a major incident"):
        services.announce_outage(ticket, actor=status.agent)
    ticket = desk_services.set_major_incident(ticket, actor=status.agent)
    desk_services.resolve(ticket, actor=status.agent, note="Fixed.")
    ticket.refresh_from_db()
    with pytest.raises(ValidationError, match="no outage to announce"):
        services.announce_outage(ticket, actor=status.agent)


def test_resolving_an_ordinary_ticket_touches_no_announcement(status, django_assert_num_queries):
    ticket = major_incident(status)
    announcement = services.announce_outage(ticket, actor=status.agent)
    ordinary = desk_services.raise_ticket(
        status.org.pk, actor=status.agent, ticket_type=TicketType.INCIDENT, title="Mouse",
        description="Broken.", requester=status.requester_person)
    desk_services.resolve(ordinary, actor=status.agent, note="New mouse.")
    announcement.refresh_from_db()
    assert announcement.state == State.OPEN


# --- planned work from any source (the changes app calls these) ------------------------------

def test_planned_work_from_a_plain_record_opens_reschedules_and_closes(status):
    subscribe(status, status.requester)
    source = SiteFactory(organisation=status.org, name="Data centre")
    starts = datetime(2030, 1, 5, 18, 0, tzinfo=UTC)
    ends = starts + timedelta(hours=4)
    first = services.announce_planned(status.org, [status.email], starts, ends,
                                      "Email upgrade", source=source, by=status.agent)
    assert first.kind == Kind.PLANNED and first.expected_end_at == ends
    assert first.source == source and emails("status-opened") == [status.requester.email]

    # Called again for the same source: the same announcement, moved, and an update.
    later = services.announce_planned(status.org, [status.email, status.payroll],
                                      starts + timedelta(days=1), ends + timedelta(days=1),
                                      "Email upgrade", source=source, by=status.agent)
    assert later.pk == first.pk and Announcement.objects.count() == 1
    assert later.starts_at == starts + timedelta(days=1)
    assert set(later.services.all()) == {status.email, status.payroll}
    assert len(emails("status-updated")) == 1

    closed = services.close_for(source, by=None, note="Upgrade done.")
    assert [a.pk for a in closed] == [first.pk]
    first.refresh_from_db()
    assert first.state == State.RESOLVED
    assert services.close_for(source) == []  # nothing open: nothing done, nobody told
    assert len(emails("status-closed")) == 1


def test_planned_work_called_off_is_cancelled(status):
    source = SiteFactory(organisation=status.org, name="Annexe")
    starts = datetime(2030, 2, 1, 18, 0, tzinfo=UTC)
    services.announce_planned(status.org, [status.payroll], starts, None, "Payroll patch",
                              source=source)
    [announcement] = services.close_for(source, cancelled=True)
    assert announcement.state == State.CANCELLED


def test_a_source_of_another_council_is_refused(status):
    other = SiteFactory(organisation=OrganisationFactory(code="edc"))
    with pytest.raises(ValidationError, match="another organisation"):
        services.announce_planned(status.org, [status.email], datetime.now(UTC), None,
                                  "Work", source=other)


def test_the_end_must_follow_the_start(status):
    starts = datetime(2030, 1, 5, 18, 0, tzinfo=UTC)
    with pytest.raises(ValidationError, match="after the start"):
        services.announce_planned(status.org, [status.email], starts, starts, "Work")
