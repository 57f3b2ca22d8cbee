"""Reads of the knowledge base beyond a filter: the articles suggested for words typed
(staff on the ticket page, requesters in the portal), and the deflections counted. The
only way another app reads this one."""

from __future__ import annotations

from django.db.models import Count, F

from borough.core import textsearch
from borough.knowledge.models import Article, Audience, Deflection, Status

SUGGESTIONS = 5
FIELDS = Article.text_search_fields
# The ranking's own tie order, which an index gives (kb_ranked_first): where the words
# match thousands of articles, the thousand found most helpful are the ones ranked.
RANKED_FIRST = ("-helpful", "pk")


def _suggest(queryset, text: str, limit: int) -> list[Article]:
    words = textsearch.words_of(text)
    if not words:
        return []
    found = textsearch.matching(queryset, FIELDS, words, select=False, first=RANKED_FIRST)
    return list(found.order_by(F("text_score").desc(), *RANKED_FIRST)
                .only("pk", "reference", "title", "summary", "audience")[:limit])


def public_suggestions(user, text: str, limit: int = SUGGESTIONS) -> list[Article]:
    """Published public articles whose words match what a requester is typing."""
    return _suggest(Article.objects.visible_to(user).public(), text, limit)


def staff_suggestions(user, text: str, limit: int = 3) -> list[Article]:
    """Published articles (staff and public) matching a ticket's words."""
    return _suggest(Article.objects.visible_to(user).filter(status=Status.PUBLISHED), text,
                    limit)


def deflections(organisation_id: int, since=None) -> dict:
    """Questions answered by an article without a ticket: how many, and by which articles
    most."""
    rows = Deflection.objects.filter(organisation_id=organisation_id)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    top = list(rows.values("article__reference", "article__title")
               .annotate(n=Count("pk")).order_by("-n", "article__reference")[:5])
    return {"count": rows.count(), "top": top,
            "public_articles": Article.objects.filter(
                organisation_id=organisation_id, audience=Audience.PUBLIC,
                status=Status.PUBLISHED).count()}
