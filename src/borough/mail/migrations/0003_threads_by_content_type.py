# Mail names no module's models: the ticket a message or an email concerned becomes its
# `thread` (content type and id), copied from the old foreign key; 0004 drops the key (in
# a transaction of its own: PostgreSQL alters no table with the copy's checks pending).

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F

# The only module that took mail before this migration; a string, as migrations must.
TICKET = ("servicedesk", "ticket")


def tickets_to_threads(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    models_ = [apps.get_model("mail", name) for name in ("InboundMessage", "OutboundEmail")]
    if not any(m.objects.filter(ticket__isnull=False).exists() for m in models_):
        return
    ticket_type, _ = ContentType.objects.get_or_create(app_label=TICKET[0], model=TICKET[1])
    for model in models_:
        model.objects.filter(ticket__isnull=False).update(thread_type=ticket_type,
                                                          thread_id=F("ticket_id"))


def threads_to_tickets(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ticket_type = ContentType.objects.filter(app_label=TICKET[0], model=TICKET[1]).first()
    if ticket_type is None:
        return
    Ticket = apps.get_model(*TICKET)
    for name in ("InboundMessage", "OutboundEmail"):
        model = apps.get_model("mail", name)
        rows = model.objects.filter(thread_type=ticket_type)
        # Tickets deleted since leave their id behind; the old foreign key cannot.
        rows.exclude(thread_id__in=Ticket.objects.values("pk")).update(thread_id=None)
        rows.filter(thread_id__isnull=False).update(ticket_id=F("thread_id"))


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('mail', '0002_verbose_names'),
    ]

    operations = [
        migrations.AddField(
            model_name='inboundmessage',
            name='handled_by',
            field=models.CharField(blank=True, editable=False, max_length=50),
        ),
        migrations.AddField(
            model_name='inboundmessage',
            name='thread_id',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='inboundmessage',
            name='thread_type',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype'),
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='thread_id',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='thread_type',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype'),
        ),
        migrations.RunPython(tickets_to_threads, threads_to_tickets),
    ]
