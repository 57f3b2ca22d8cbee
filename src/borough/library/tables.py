import django_tables2 as tables

from borough.core.tables import BaseTable
from borough.library import models as m


class DocumentTable(BaseTable):
    reference = tables.Column(linkify=True, verbose_name="Reference")
    next_review_on = tables.Column(verbose_name="Next review")

    class Meta(BaseTable.Meta):
        model = m.Document
        fields = ("reference", "title", "kind", "status", "owner", "next_review_on",
                  "classification")
        empty_text = "No documents match."

    def render_next_review_on(self, record, value):
        if record.review_overdue():
            return f"{value:%-d %b %Y} (overdue)"
        return f"{value:%-d %b %Y}"


class DocumentLinkTable(BaseTable):
    document = tables.Column(linkify=lambda record: record.get_absolute_url(),
                             verbose_name="Document")

    class Meta(BaseTable.Meta):
        model = m.DocumentLink
        fields = ("document", "configuration_item", "ci_class", "business_service", "note")
        empty_text = "No document links match."
