"""Working minutes to respond and to resolve, kept on each ticket (servicedesk/elapsed.py).

Tickets that already have a response or a resolution get theirs worked out here, on
their organisation's calendar as it is now, before the constraints that require them.
"""

from django.conf import settings
from django.db import migrations, models

FIELDS = ["minutes_to_respond", "minutes_to_resolve"]
# bulk_update writes a CASE with a branch per row, so its cost per row grows with the
# batch: 5,000 rows a statement took 20 minutes for a million tickets.
UPDATE_BATCH = 500


def fill_minutes(apps, schema_editor):
    from borough.organisation.queries import calendar_from
    from borough.servicedesk.elapsed import Stamper

    Ticket = apps.get_model("servicedesk", "Ticket")
    Organisation = apps.get_model("organisation", "Organisation")
    WorkingPeriod = apps.get_model("organisation", "WorkingPeriod")
    ClosureDay = apps.get_model("organisation", "ClosureDay")
    done = Ticket.objects.filter(models.Q(responded_at__isnull=False)
                                 | models.Q(resolved_at__isnull=False))
    for organisation in Organisation.objects.filter(pk__in=done.values("organisation_id")):
        calendar = calendar_from(
            organisation.nation,
            WorkingPeriod.objects.filter(organisation=organisation)
            .values_list("weekday", "start", "end"),
            ClosureDay.objects.filter(organisation=organisation).values_list("date", flat=True))
        tickets = done.filter(organisation=organisation)
        span = tickets.aggregate(first=models.Min("created_at"), last=models.Max("updated_at"))
        stamper = Stamper(calendar, span["first"].date(), span["last"].date())
        batch = []
        for ticket in tickets.only("created_at", "responded_at", "resolved_at").iterator(
                chunk_size=5000):
            fields = stamper.fill({"responded_at": ticket.responded_at,
                                   "resolved_at": ticket.resolved_at}, ticket.created_at)
            ticket.minutes_to_respond = fields["minutes_to_respond"]
            ticket.minutes_to_resolve = fields["minutes_to_resolve"]
            batch.append(ticket)
            if len(batch) == 5000:
                Ticket.objects.bulk_update(batch, FIELDS, batch_size=UPDATE_BATCH)
                batch = []
        Ticket.objects.bulk_update(batch, FIELDS, batch_size=UPDATE_BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ('organisation', '0001_initial'),
        ('servicedesk', '0003_satisfaction_by_organisation_created'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='minutes_to_resolve',
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='ticket',
            name='minutes_to_respond',
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_minutes, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name='ticket',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('minutes_to_respond__isnull', True), ('responded_at__isnull', True)), models.Q(('minutes_to_respond__isnull', False), ('responded_at__isnull', False)), _connector='OR'), name='ticket_minutes_to_respond_with_response'),
        ),
        migrations.AddConstraint(
            model_name='ticket',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('minutes_to_resolve__isnull', True), ('resolved_at__isnull', True)), models.Q(('minutes_to_resolve__isnull', False), ('resolved_at__isnull', False)), _connector='OR'), name='ticket_minutes_to_resolve_with_resolution'),
        ),
    ]
