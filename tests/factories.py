"""Factories for tests: one per registered model, used by the declarative suites."""

from __future__ import annotations

from datetime import date, time, timedelta

import factory
from django.contrib.auth.models import Group

from borough.accounts.models import Membership, User
from borough.core import references
from borough.mail import models as mail
from borough.organisation import models as m
from borough.servicedesk import models as sd
from borough.standards import models as st


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Organisation
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Council {n}")
    code = factory.Sequence(lambda n: f"c{n}")
    nation = "england-and-wales"

    @factory.post_generation
    def working_hours(obj, create, extracted, **kwargs):
        if create and not m.WorkingPeriod.objects.filter(organisation=obj).exists():
            for weekday, start, end in m.DEFAULT_WORKING_HOURS:
                m.WorkingPeriod.objects.create(organisation=obj, weekday=weekday, start=start,
                                               end=end)


class OrgOwnedFactory(factory.django.DjangoModelFactory):
    organisation = factory.SubFactory(OrganisationFactory)


class ServiceUnitFactory(OrgOwnedFactory):
    class Meta:
        model = m.ServiceUnit

    name = factory.Sequence(lambda n: f"Service unit {n}")


class SiteFactory(OrgOwnedFactory):
    class Meta:
        model = m.Site

    name = factory.Sequence(lambda n: f"Site {n}")
    town = "Whitehaven"


class PersonFactory(OrgOwnedFactory):
    class Meta:
        model = m.Person

    full_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.gov.uk")


class TeamFactory(OrgOwnedFactory):
    class Meta:
        model = m.Team

    name = factory.Sequence(lambda n: f"Team {n}")


class TeamMembershipFactory(OrgOwnedFactory):
    class Meta:
        model = m.TeamMembership

    team = factory.SubFactory(TeamFactory, organisation=factory.SelfAttribute("..organisation"))
    person = factory.SubFactory(PersonFactory, organisation=factory.SelfAttribute("..organisation"))


class WorkingPeriodFactory(OrgOwnedFactory):
    class Meta:
        model = m.WorkingPeriod

    weekday = factory.Sequence(lambda n: n % 7)
    start = time(9, 0)
    end = time(12, 0)


class ClosureDayFactory(OrgOwnedFactory):
    class Meta:
        model = m.ClosureDay

    date = factory.Sequence(lambda n: date(2030, 1, 1) + timedelta(days=n))
    name = factory.Sequence(lambda n: f"Closure {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.gov.uk")
    password = factory.django.Password("correct horse battery")


class MembershipFactory(OrgOwnedFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = factory.LazyFunction(lambda: Group.objects.get(name="Administrator"))
    is_default = True


class CategoryFactory(OrgOwnedFactory):
    class Meta:
        model = sd.Category

    name = factory.Sequence(lambda n: f"Category {n}")
    ticket_type = sd.TicketType.INCIDENT


class PriorityRuleFactory(OrgOwnedFactory):
    """Walks the nine cells of the matrix, so two rules in a row differ (one per cell)."""

    class Meta:
        model = sd.PriorityRule

    impact = factory.Sequence(lambda n: n % 3 + 1)
    urgency = factory.Sequence(lambda n: (n // 3) % 3 + 1)
    priority = factory.LazyAttribute(lambda o: sd.DEFAULT_MATRIX[(o.impact, o.urgency)])


class SLAPolicyFactory(OrgOwnedFactory):
    class Meta:
        model = sd.SLAPolicy

    name = factory.Sequence(lambda n: f"SLA policy {n}")
    priority = sd.Priority.P3
    response_minutes = 240
    resolution_minutes = 1530


class CannedResponseFactory(OrgOwnedFactory):
    class Meta:
        model = sd.CannedResponse

    title = factory.Sequence(lambda n: f"Canned response {n}")
    body = "Thank you for getting in touch. We are looking into it."


class DeskSettingsFactory(OrgOwnedFactory):
    """One per organisation: a second call for the same organisation returns the first."""

    class Meta:
        model = sd.DeskSettings
        django_get_or_create = ("organisation",)


class TicketFactory(OrgOwnedFactory):
    """A valid new incident, raised by a person of the same organisation. It skips the
    services (no SLA clock or timeline): use services.raise_ticket for lifecycle tests."""

    class Meta:
        model = sd.Ticket

    ticket_type = sd.TicketType.INCIDENT
    reference = factory.LazyAttribute(
        lambda o: references.allocate(o.organisation.pk, sd.Ticket.reference_prefixes[o.ticket_type])
    )
    title = factory.Sequence(lambda n: f"Ticket about fault {n}")
    description = "It stopped working this morning."
    requester = factory.SubFactory(PersonFactory,
                                   organisation=factory.SelfAttribute("..organisation"))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Saved as the services save (the daily totals move with it), without the rest.
        from borough.servicedesk.services import save_ticket

        ticket = model_class(*args, **kwargs)
        save_ticket(ticket)
        return ticket


def set_ticket_times(ticket, *, created=None, responded=None, resolved=None, **fields):
    """Give a ticket exactly these times (services stamp them with now), with the working
    minutes to respond and resolve stamped by `elapsed`, as the services would."""
    from borough.servicedesk import elapsed

    if created is not None:
        ticket.created_at = created
    ticket.responded_at = ticket.minutes_to_respond = None
    if responded is not None:
        elapsed.record_response(ticket, responded)
    elapsed.clear_resolution(ticket)
    if resolved is not None:
        elapsed.record_resolution(ticket, resolved)
    for name, value in fields.items():
        setattr(ticket, name, value)
    # Saved as the services save, which keeps the daily totals.
    from borough.servicedesk.services import save_ticket

    save_ticket(ticket)
    return ticket


class FrameworkFactory(factory.django.DjangoModelFactory):
    """A shared framework definition (no organisation); `organisation` is accepted and ignored."""

    class Meta:
        model = st.Framework
        exclude = ("organisation",)

    organisation = None
    code = factory.Sequence(lambda n: f"framework-{n}")
    version = 1
    name = factory.Sequence(lambda n: f"Framework {n}")
    document = "{}"
    sha256 = factory.Sequence(lambda n: f"{n:064d}")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = st.Theme

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"Theme {n}")


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = st.Standard

    theme = factory.SubFactory(ThemeFactory)
    framework = factory.SelfAttribute("theme.framework")
    code = factory.Sequence(lambda n: f"standard-{n}")
    name = factory.Sequence(lambda n: f"Standard {n}")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = st.Criterion

    standard = factory.SubFactory(StandardFactory)
    level = st.Level.MINIMUM
    code = factory.Sequence(lambda n: f"criterion-{n}")
    text = factory.Sequence(lambda n: f"Criterion statement {n}")


class AssessmentCycleFactory(OrgOwnedFactory):
    class Meta:
        model = st.AssessmentCycle

    framework = factory.SubFactory(FrameworkFactory)
    name = factory.Sequence(lambda n: f"Annual review {2000 + n}/{(n + 1) % 100:02d}")
    starts_on = date(2026, 4, 1)
    ends_on = date(2027, 3, 31)


class StandardAssessmentFactory(OrgOwnedFactory):
    class Meta:
        model = st.StandardAssessment

    cycle = factory.SubFactory(AssessmentCycleFactory,
                               organisation=factory.SelfAttribute("..organisation"))
    standard = factory.SubFactory(StandardFactory,
                                  theme__framework=factory.SelfAttribute("...cycle.framework"))


class CriterionResultFactory(OrgOwnedFactory):
    class Meta:
        model = st.CriterionResult

    rating = factory.SubFactory(StandardAssessmentFactory,
                                organisation=factory.SelfAttribute("..organisation"))
    criterion = factory.SubFactory(CriterionFactory,
                                   standard=factory.SelfAttribute("..rating.standard"))


class EvidenceFactory(OrgOwnedFactory):
    class Meta:
        model = st.Evidence

    rating = factory.SubFactory(StandardAssessmentFactory,
                                organisation=factory.SelfAttribute("..organisation"))
    title = factory.Sequence(lambda n: f"Evidence {n}")


class ReportReviewFactory(OrgOwnedFactory):
    class Meta:
        model = st.ReportReview

    report = "servicedesk-statistics"
    reviewed_on = factory.Sequence(lambda n: date(2026, 1, 1) + timedelta(days=n % 300))
    meeting = factory.Sequence(lambda n: f"ICT management meeting {n}")


class CorporateObjectiveFactory(OrgOwnedFactory):
    class Meta:
        model = st.CorporateObjective

    code = factory.Sequence(lambda n: f"CP{n}")
    title = factory.Sequence(lambda n: f"Corporate objective {n}")


class TargetFactory(OrgOwnedFactory):
    class Meta:
        model = st.Target

    code = factory.Sequence(lambda n: f"T{n}")
    title = factory.Sequence(lambda n: f"Target {n}")


class ActionFactory(OrgOwnedFactory):
    """An action written directly (no audit history): use the services for behaviour tests."""

    class Meta:
        model = st.Action

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "ACT"))
    title = factory.Sequence(lambda n: f"Action to close gap {n}")
    due_on = date(2027, 3, 31)


class ActionUpdateFactory(OrgOwnedFactory):
    class Meta:
        model = st.ActionUpdate

    action = factory.SubFactory(ActionFactory, organisation=factory.SelfAttribute("..organisation"))
    note = factory.Sequence(lambda n: f"Progress note {n}")
    rag = st.RAG.GREEN
    status = st.ActionStatus.IN_PROGRESS


class MailboxFactory(OrgOwnedFactory):
    class Meta:
        model = mail.Mailbox

    name = factory.Sequence(lambda n: f"Mailbox {n}")
    address = factory.Sequence(lambda n: f"help{n}@council{n}.example.gov.uk")


class NotificationTemplateFactory(OrgOwnedFactory):
    class Meta:
        model = mail.NotificationTemplate

    # One template per event and organisation; consecutive ones differ in event (and str).
    event = factory.Sequence(lambda n: mail.Event.values[n % len(mail.Event.values)])
    subject = "{{ summary }}"
    text_body = "Hello {{ recipient_name }},\n\n{{ body }}\n\n{{ url }}"


class InboundMessageFactory(OrgOwnedFactory):
    """A quarantined message (without its original kept)."""

    class Meta:
        model = mail.InboundMessage

    mailbox = factory.SubFactory(MailboxFactory, organisation=factory.SelfAttribute("..organisation"))
    message_key = factory.Sequence(lambda n: f"{n:064x}")
    message_id = factory.Sequence(lambda n: f"<m{n}@client.example>")
    via = "smtp"
    sender = factory.Sequence(lambda n: f"sender{n}@example.org")
    subject = factory.Sequence(lambda n: f"Received message {n}")
    outcome = mail.Outcome.QUARANTINED
    reason = "Unknown character set “x-unknown”."


class OutboundEmailFactory(OrgOwnedFactory):
    class Meta:
        model = mail.OutboundEmail

    recipient = factory.Sequence(lambda n: f"recipient{n}@example.gov.uk")
    event = mail.Event.ASSIGNED
    subject = factory.Sequence(lambda n: f"Sent email {n}")
    message_id = factory.Sequence(lambda n: f"<s{n}.borough@borough.example>")
    status = mail.SendStatus.SENT


# Model -> factory, for suites that walk the registry.
FACTORIES = {
    m.ServiceUnit: ServiceUnitFactory,
    m.Site: SiteFactory,
    m.Person: PersonFactory,
    m.Team: TeamFactory,
    m.TeamMembership: TeamMembershipFactory,
    m.WorkingPeriod: WorkingPeriodFactory,
    m.ClosureDay: ClosureDayFactory,
    Membership: MembershipFactory,
    sd.Category: CategoryFactory,
    sd.PriorityRule: PriorityRuleFactory,
    sd.SLAPolicy: SLAPolicyFactory,
    sd.CannedResponse: CannedResponseFactory,
    sd.DeskSettings: DeskSettingsFactory,
    sd.Ticket: TicketFactory,
    st.AssessmentCycle: AssessmentCycleFactory,
    st.StandardAssessment: StandardAssessmentFactory,
    st.CriterionResult: CriterionResultFactory,
    st.Evidence: EvidenceFactory,
    st.ReportReview: ReportReviewFactory,
    st.CorporateObjective: CorporateObjectiveFactory,
    st.Target: TargetFactory,
    st.Action: ActionFactory,
    st.ActionUpdate: ActionUpdateFactory,
    mail.Mailbox: MailboxFactory,
    mail.NotificationTemplate: NotificationTemplateFactory,
}
