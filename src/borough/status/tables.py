import django_tables2 as tables

from borough.core.tables import BaseTable
from borough.status import models as m


class AnnouncementTable(BaseTable):
    reference = tables.Column(linkify=True)
    starts_at = tables.DateTimeColumn(format="j M Y H:i", verbose_name="Starts")
    expected_end_at = tables.DateTimeColumn(format="j M Y H:i", verbose_name="Expected end")
    resolved_at = tables.DateTimeColumn(format="j M Y H:i", verbose_name="Ended")

    class Meta(BaseTable.Meta):
        model = m.Announcement
        fields = ("reference", "title", "kind", "state", "starts_at", "expected_end_at",
                  "resolved_at", "source_text")
        empty_text = "No announcements match."


class SubscriptionTable(BaseTable):
    service = tables.Column(linkify=lambda record: record.get_absolute_url(),
                            verbose_name="Business service")
    user = tables.Column(verbose_name="Person")

    class Meta(BaseTable.Meta):
        model = m.Subscription
        fields = ("service", "user", "created_at")
        empty_text = "No subscriptions."
