"""Writes for the knowledge base (docs/knowledge.md): an article's moves are record actions
on its lifecycle (publish, retire); recording a review (the next review date), a reader's
feedback and a deflection ("this answered my question") are actions too. The review
reminders are core.reminders'. Everything else is core.services' create, change and
delete, which keeps every version (core.temporal)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from borough.core import notifications, reminders, scope, services
from borough.core.actions import Actions
from borough.core.lifecycle import permission
from borough.knowledge import forms
from borough.knowledge.lifecycle import ARTICLE, EDITORS
from borough.knowledge.models import GIVE_FEEDBACK, Article, ArticleFeedback, Deflection, Status

ARTICLE_ACTIONS = Actions(Article, lifecycle=ARTICLE)


READERS = permission(GIVE_FEEDBACK, "its readers",
                     refusal="Your role does not allow you to give feedback.")

publish = ARTICLE_ACTIONS.add(
    "publish", label="Publish", transition="publish",
    success=lambda a: f"{a.reference} is published"
                      f"{' in the portal' if a.audience == 'public' else ' to staff'}.")
retire = ARTICLE_ACTIONS.add("retire", label="Retire", transition="retire", danger=True,
                             success=lambda a: f"{a.reference} is retired.")


@ARTICLE_ACTIONS.action("review", label="Record a review", form=forms.ReviewForm,
                        who=EDITORS, states=(Status.PUBLISHED, Status.DRAFT),
                        success=lambda a: f"Review recorded; the next is on "
                                          f"{a.review_on:%-d %B %Y}.")
def review(article: Article, *, actor, review_on, note: str = "") -> None:
    """The owner checked it: the next review date moves on."""
    if review_on <= timezone.localdate():
        raise ValidationError({"review_on": "The next review must be after today."})
    article.review_on = review_on


@ARTICLE_ACTIONS.action("feedback", label="Send feedback", form=forms.FeedbackForm,
                        permission="view", who=READERS, states=(Status.PUBLISHED,),
                        returns=ArticleFeedback, success="Thank you for your feedback.")
def feedback(article: Article, *, actor, helpful: bool, comment: str = "") -> ArticleFeedback:
    """A reader says whether it helped; a second word from the same reader replaces the
    first (the article's counts follow)."""
    earlier = (ArticleFeedback.objects.filter(article=article, user=actor).first()
               if actor is not None else None)
    if earlier is not None:
        if earlier.helpful != helpful:
            _count(article, earlier.helpful, -1)
            _count(article, helpful, +1)
        return services.update_record(earlier, actor=None, expected_version=None,
                                      data={"helpful": helpful, "comment": comment.strip()},
                                      note=f"Given by {actor}.")
    # Written by Borough for the reader (readers may not add feedback rows themselves,
    # which would skip the counts); `user` says whose it is.
    made = services.create_record(ArticleFeedback(
        organisation_id=article.organisation_id, article=article, helpful=helpful,
        comment=comment.strip(), user=actor), actor=None, note=f"Given by {actor}.")
    _count(article, helpful, +1)
    return made


def _count(article: Article, helpful: bool, by: int) -> None:
    name = "helpful" if helpful else "not_helpful"
    Article.objects.filter(pk=article.pk).update(**{name: F(name) + by})
    setattr(article, name, getattr(article, name) + by)


@ARTICLE_ACTIONS.action("answered", label="This answered my question", form=forms.AnsweredForm,
                        permission="view", who=READERS, states=(Status.PUBLISHED,),
                        returns=Deflection,
                        success="Good: you do not need to ask for help. If it comes back, "
                                "you can ask at any time.")
def answered(article: Article, *, actor, words: str = "") -> Deflection:
    """A question answered without a ticket (a deflection, counted in the figures)."""
    if article.audience != "public":
        raise ValidationError("Only a public article can answer a requester's question.")
    return services.create_record(Deflection(
        organisation_id=article.organisation_id, article=article, words=words.strip()[:500],
        user=actor), actor=None, note=f"Said by {actor}.")


# --- review reminders ------------------------------------------------------------------------

REMIND_WITHIN_DAYS = 14


def _remind(article: Article, stage: str, on) -> None:
    user, person = reminders.reachable(article.owner, article.organisation_id,
                                       scope.permission_name(Article, "change"))
    due = article.review_on
    subject = (f"{article.reference} was due for review {reminders.in_words(due, on)}: "
               f"{article.title}" if due < on else
               f"{article.reference} is due for review on {due:%-d %B %Y}: {article.title}")
    notifications.notify(
        [user] if user else [], people=[person] if person else [],
        organisation_id=article.organisation_id, event="article-review-due", subject=subject,
        context=reminders.dates_context(due, on),
        body="You own this knowledge article. Check it still holds, change it if needed, "
             "then record the review on its page.",
        url=reverse("knowledge:article_detail", args=[article.pk]), thread=article)


REVIEW_REMINDER = reminders.DateReminder(
    records=lambda on: Article.objects.filter(status=Status.PUBLISHED)
    .select_related("owner__user"),
    date_field="review_on", within_days=REMIND_WITHIN_DAYS, send=_remind)


def remind_review_owners(now=None) -> int:
    """Tell each owner of a published article whose review is due within two weeks, and
    again once it has passed (core.reminders: once each)."""
    return reminders.run(REVIEW_REMINDER, now)
