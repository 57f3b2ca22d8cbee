import django_tables2 as tables

from borough.core.tables import BaseTable
from borough.knowledge import models as m


class ArticleTable(BaseTable):
    reference = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.Article
        fields = ("reference", "title", "audience", "status", "owner", "review_on", "helpful",
                  "not_helpful")
        empty_text = "No articles match."


class ArticleFeedbackTable(BaseTable):
    id = tables.Column(linkify=True, verbose_name="Feedback")

    class Meta(BaseTable.Meta):
        model = m.ArticleFeedback
        fields = ("id", "article", "helpful", "comment", "created_at")
        empty_text = "No feedback yet."


class DeflectionTable(BaseTable):
    id = tables.Column(linkify=True, verbose_name="Deflection")

    class Meta(BaseTable.Meta):
        model = m.Deflection
        fields = ("id", "article", "words", "created_at")
        empty_text = "No questions answered by articles yet."
