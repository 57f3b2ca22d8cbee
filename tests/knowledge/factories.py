"""Factories for knowledge articles, their feedback and deflections."""

from __future__ import annotations

import datetime

import factory

from borough.core import references
from borough.knowledge import models as m
from tests.organisation.factories import OrgOwnedFactory, PersonFactory

SAME_ORGANISATION = factory.SelfAttribute("..organisation")


class ArticleFactory(OrgOwnedFactory):
    """A published public article (what a requester may read too)."""

    class Meta:
        model = m.Article

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "KB"))
    title = factory.Sequence(lambda n: f"How to connect a printer {n}")
    summary = "Add a council printer to your laptop."
    body = "Open Settings.\n\nChoose Printers, then Add a printer."
    audience = m.Audience.PUBLIC
    status = m.Status.PUBLISHED
    owner = factory.SubFactory(PersonFactory, organisation=SAME_ORGANISATION)
    review_on = datetime.date(2027, 1, 31)


class ArticleFeedbackFactory(OrgOwnedFactory):
    class Meta:
        model = m.ArticleFeedback

    article = factory.SubFactory(ArticleFactory, organisation=SAME_ORGANISATION)
    helpful = True
    comment = factory.Sequence(lambda n: f"Clear steps {n}.")


class DeflectionFactory(OrgOwnedFactory):
    class Meta:
        model = m.Deflection

    article = factory.SubFactory(ArticleFactory, organisation=SAME_ORGANISATION)
    words = factory.Sequence(lambda n: f"printer not working {n}")


FACTORIES = {m.Article: ArticleFactory, m.ArticleFeedback: ArticleFeedbackFactory,
             m.Deflection: DeflectionFactory}
