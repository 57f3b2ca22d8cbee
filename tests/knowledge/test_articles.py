"""Knowledge articles: who reads which, the portal's suggestions and help pages, feedback,
deflections counted once, and review reminders."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from borough.core.models import Notification
from borough.knowledge import queries, services
from borough.knowledge.models import Article, ArticleFeedback, Audience, Deflection, Status
from borough.organisation.models import Person
from tests.factories import ArticleFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(desk):
    owner = Person.objects.get(organisation=desk.org, user=desk.lead)
    return {
        "wifi": ArticleFactory(organisation=desk.org, owner=owner,
                               title="Connecting to the staff Wi-Fi",
                               keywords="wireless network", body="Join CBC-Staff."),
        "staff": ArticleFactory(organisation=desk.org, owner=owner, audience=Audience.STAFF,
                                title="Restarting a wireless access point"),
        "draft": ArticleFactory(organisation=desk.org, owner=owner, status=Status.DRAFT,
                                title="Wireless draft"),
        "other": ArticleFactory(organisation=OrganisationFactory(code="oth", name="Other"),
                                title="Wireless elsewhere"),
    }


def test_a_requester_reads_public_articles_only(desk, articles, signed_in):
    client = signed_in(desk.requester)
    assert client.get(reverse("knowledge:article_detail",
                              args=[articles["wifi"].pk])).status_code == 200
    for name in ("staff", "draft", "other"):
        response = client.get(reverse("knowledge:article_detail", args=[articles[name].pk]))
        assert response.status_code == 404, name
    page = client.get(reverse("knowledge:help"), {"q": "wireless"}).content.decode()
    assert "Connecting to the staff Wi-Fi" in page
    assert "Restarting" not in page and "draft" not in page and "elsewhere" not in page


def test_suggestions_while_typing_are_a_fragment_and_carry_the_words(desk, articles,
                                                                      signed_in):
    client = signed_in(desk.requester)
    url = reverse("knowledge:suggest")
    fragment = client.get(url, {"title": "wireless keeps dropping"}, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert "Connecting to the staff Wi-Fi" in body and "asking=wireless" in body
    assert "Restarting" not in body
    page = client.get(url, {"q": "wireless"}).content.decode()  # without JavaScript
    assert "<html" in page and "Connecting to the staff Wi-Fi" in page
    new = client.get(reverse("servicedesk:portal_new")).content.decode()
    assert 'id="article-suggestions"' in new and url in new


def test_this_answered_my_question_counts_one_deflection(desk, articles, signed_in):
    client = signed_in(desk.requester)
    article = articles["wifi"]
    page = client.get(reverse("knowledge:article_detail", args=[article.pk]),
                      {"asking": "wifi drops"}).content.decode()
    assert "This answered my question" in page
    answered = reverse("knowledge:article_answered", args=[article.pk])
    data = {"words": "wifi drops", "submission_key": "k1"}
    assert client.post(answered, data).url == reverse("servicedesk:portal_home")
    client.post(answered, data)  # sent twice (a double click): counted once
    deflection = Deflection.objects.get()
    assert deflection.user == desk.requester and deflection.words == "wifi drops"
    assert queries.deflections(desk.org.pk)["count"] == 1
    assert queries.deflections(desk.org.pk, since=timezone.now()
                               + datetime.timedelta(seconds=1))["count"] == 0
    # Without coming from a question, the page does not offer it.
    plain = client.get(reverse("knowledge:article_detail", args=[article.pk])).content.decode()
    assert "This answered my question" not in plain


def test_only_a_public_article_answers_and_the_auditor_changes_nothing(desk, articles, auditor):
    with pytest.raises(ValidationError, match="Only a public article"):
        services.answered(articles["staff"], actor=desk.agent, words="ap")
    with pytest.raises(PermissionDenied):
        services.answered(articles["wifi"], actor=auditor, words="wifi")
    with pytest.raises(PermissionDenied):
        services.feedback(articles["wifi"], actor=auditor, helpful=True)
    assert not Deflection.objects.exists() and not ArticleFeedback.objects.exists()


def test_feedback_from_one_reader_is_replaced_and_counted(desk, articles):
    article = articles["wifi"]
    services.feedback(article, actor=desk.requester, helpful=False, comment="No 5G name.")
    services.feedback(article, actor=desk.requester, helpful=True)
    services.feedback(article, actor=desk.agent, helpful=True)
    article.refresh_from_db()
    assert (article.helpful, article.not_helpful) == (2, 0)
    assert ArticleFeedback.objects.filter(article=article).count() == 2


def test_publishing_and_retiring_and_who_may(desk, articles):
    draft = articles["draft"]
    with pytest.raises(PermissionDenied):
        services.publish(draft, actor=desk.requester)
    draft = services.publish(draft, actor=desk.agent)
    assert draft.status == Status.PUBLISHED and draft.published_at is not None
    draft = services.retire(draft, actor=desk.agent)
    assert draft.status == Status.RETIRED
    with pytest.raises(ValidationError, match="Only a published article can be retired"):
        services.retire(draft, actor=desk.agent)
    # Every version written through the services is kept (core.temporal).
    from borough.knowledge.models import ArticleVersion

    kept = ArticleVersion.objects.filter(record_id=draft.pk).order_by("valid_from")
    assert [v.values["status"] for v in kept] == ["published", "retired"]


def test_review_reminders_are_sent_once_to_the_owner(desk, articles):
    article = articles["wifi"]
    Article.objects.filter(pk=article.pk).update(
        review_on=timezone.localdate() + datetime.timedelta(days=3))
    assert services.remind_review_owners() >= 1
    again = services.remind_review_owners()
    sent = Notification.objects.filter(recipient=desk.lead, event="article-review-due")
    assert sent.count() == 1 and again == 0
    article = services.review(article, actor=desk.lead,
                              review_on=timezone.localdate() + datetime.timedelta(days=365))
    with pytest.raises(ValidationError, match="after today"):
        services.review(article, actor=desk.lead, review_on=timezone.localdate())
