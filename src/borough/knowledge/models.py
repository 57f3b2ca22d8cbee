"""The knowledge base (docs/knowledge.md): articles for staff and for requesters (public
ones in the portal), each with an owner and a review date, every version kept
(core.temporal), the feedback readers give (helpful or not), and the deflections: a
requester about to ask for help who found their answer in an article instead."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from borough.core.models import BaseModel, same_organisation_errors
from borough.core.querysets import ScopedQuerySet
from borough.core.temporal import Version, version_indexes

# Who reads staff articles and drafts (everyone else reads published public articles).
VIEW_STAFF = "knowledge.view_staff_articles"
# Who may say an article helped or answered their question (everyone but the auditor).
GIVE_FEEDBACK = "knowledge.give_feedback"


class Audience(models.TextChoices):
    STAFF = "staff", "ICT staff"
    PUBLIC = "public", "Everyone (in the portal)"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class ArticleQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        """Staff read every article; requesters the published public ones."""
        if user.has_perm(VIEW_STAFF):
            return self
        return self.filter(audience=Audience.PUBLIC, status=Status.PUBLISHED)

    def public(self):
        return self.filter(audience=Audience.PUBLIC, status=Status.PUBLISHED)


class Article(BaseModel):
    """A knowledge article: how to do something, or what to do when something goes wrong."""

    reference_prefix = "KB"
    # Searched for what someone typed (knowledge.queries), most telling first; stored as a
    # vector on PostgreSQL (migration 0002).
    text_search_fields = ("title", "keywords", "summary", "body")

    reference = models.CharField(max_length=20, editable=False)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True,
                               help_text="One or two lines, shown with suggestions.")
    body = models.TextField(help_text="Plain text; a blank line starts a new paragraph.")
    keywords = models.CharField(max_length=300, blank=True,
                                help_text="Other words people use for this, which the "
                                          "article's text may not.")
    audience = models.CharField(max_length=10, choices=Audience.choices,
                                default=Audience.STAFF)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT,
                              editable=False)
    owner = models.ForeignKey("organisation.Person", on_delete=models.PROTECT,
                              related_name="+", help_text="Who keeps it right and reviews it.")
    review_on = models.DateField("next review", help_text="When its owner checks it again.")
    service = models.ForeignKey("catalogue.BusinessService", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name="business service")
    category = models.ForeignKey("servicedesk.Category", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 verbose_name="ticket category")
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    helpful = models.PositiveIntegerField(default=0, editable=False)
    not_helpful = models.PositiveIntegerField(default=0, editable=False)

    objects = models.Manager.from_queryset(ArticleQuerySet)()

    audit_exclude = ("created_at", "updated_at", "updated_by", "version", "helpful",
                     "not_helpful")

    class Meta:
        ordering = ["title", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"],
                                               name="unique_article_ref")]
        indexes = [models.Index(fields=["organisation", "status", "audience"],
                                name="kb_status_audience"),
                   models.Index(fields=["organisation", "review_on"], name="kb_review_on"),
                   # Suggestions rank the most helpful first when words match thousands.
                   models.Index(fields=["organisation", "-helpful", "id"],
                                condition=models.Q(status=Status.PUBLISHED),
                                name="kb_ranked_first")]
        permissions = [("view_staff_articles", "Can read staff articles and drafts"),
                       ("give_feedback", "Can say whether an article helped, or answered "
                                         "a question")]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    @property
    def is_public(self) -> bool:
        return self.audience == Audience.PUBLIC and self.status == Status.PUBLISHED

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.replace("\r\n", "\n").split("\n\n") if p.strip()]

    def clean(self):
        errors = same_organisation_errors(self, ("owner", "service", "category"))
        if errors:
            raise ValidationError(errors)


class ArticleVersion(Version):
    """One state of an article: its versions, what it said on any date (core.temporal)."""

    class Meta(Version.Meta):
        indexes = version_indexes("kb_artv")


class FeedbackQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        if user.has_perm(VIEW_STAFF):
            return self
        return self.filter(user=user)


class ArticleFeedback(BaseModel):
    """A reader's word on an article: it helped, or it did not (and why)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+", editable=False)

    objects = models.Manager.from_queryset(FeedbackQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "article feedback"
        verbose_name_plural = "article feedback"
        constraints = [models.UniqueConstraint(fields=["article", "user"],
                                               condition=Q(user__isnull=False),
                                               name="one_feedback_per_reader")]

    def __str__(self):
        word = "Helpful" if self.helpful else "Not helpful"
        return f"{word}: {self.article}" if self.article_id else word

    def clean(self):
        errors = same_organisation_errors(self, ("article",))
        if errors:
            raise ValidationError(errors)


class Deflection(BaseModel):
    """A question answered by an article, without a ticket: a requester asking for help in
    the portal read an article it suggested and said it answered their question."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    words = models.CharField("what they were asking", max_length=500, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+", editable=False)

    objects = models.Manager.from_queryset(FeedbackQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "created_at"], name="kb_deflected")]

    def __str__(self):
        return f"Answered by {self.article}" if self.article_id else "Deflection"

    def clean(self):
        errors = same_organisation_errors(self, ("article",))
        if errors:
            raise ValidationError(errors)
