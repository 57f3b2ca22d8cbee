"""The problems and knowledge demo: written through the services, so it must satisfy their
rules."""

import pytest

from borough.cmdb import services as cmdb_services
from borough.demo import organisations
from borough.demo import problems as demo
from borough.demo import servicedesk as desk_demo
from borough.knowledge.models import Article, Audience
from borough.knowledge.models import Status as ArticleStatus
from borough.organisation.models import Person
from borough.problems import models as m
from borough.servicedesk import services as desk
from borough.servicedesk.models import Category, Status, TicketType


@pytest.mark.django_db
def test_copeland_gets_the_wifi_problem_its_known_error_and_articles():
    organisations.load("demo-password-1")
    council, keeper = organisations.copeland_keeper()
    cmdb_services.install_default_classes(council.pk)
    desk_demo.configure(council)
    desk_demo.ensure_staff(council)
    wifi = Category.objects.get(organisation=council, name="Wi-Fi")
    requester = Person.objects.filter(organisation=council, user__isnull=True).first() or \
        Person.objects.create(organisation=council, full_name="Cath Councillor")
    history = [desk.raise_ticket(council.pk, actor=None, ticket_type=TicketType.INCIDENT,
                                 title="Wi-Fi dropping in the council chamber",
                                 description="Drops again.", requester=requester,
                                 category=wifi) for _ in range(3)]
    assert demo.load() == {"cbc": 2}
    assert demo.load() == {"cbc": 0}, "safe to run again"

    problem = m.Problem.objects.get(organisation=council, title__icontains="council chamber")
    assert problem.status == m.Status.KNOWN_ERROR
    assert problem.steps.count() == 5 and problem.cause_category.name == "Software defect"
    linked = set(problem.incidents.values_list("ticket_id", flat=True))
    assert {t.pk for t in history} <= linked and len(linked) == 4
    known = problem.known_errors.get()
    assert "CBC-Staff-5G" in known.workaround and known.ci.name == "WHV-AP-CHAMBER"
    open_incident = problem.incidents.exclude(ticket__in=history).get().ticket
    assert open_incident.status in (Status.NEW, Status.ASSIGNED)

    guest = m.Problem.objects.get(organisation=council, title__icontains="guest")
    assert guest.status == m.Status.CLOSED and guest.review

    articles = Article.objects.filter(organisation=council)
    assert articles.filter(audience=Audience.PUBLIC, status=ArticleStatus.PUBLISHED).count() == 3
    assert articles.filter(audience=Audience.STAFF, status=ArticleStatus.PUBLISHED).count() == 1
    assert m.TrendRule.objects.filter(organisation=council, is_active=True).count() == 2
