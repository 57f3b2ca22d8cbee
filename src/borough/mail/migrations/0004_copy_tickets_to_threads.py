# The tickets of the old foreign keys copied to `thread` (0003), and back.

from django.db import migrations
from django.db.models import F

# The only module that took mail before this migration; a string, as migrations must.
TICKET = ("servicedesk", "ticket")
DESK = "Service desk"  # its inbound handler's name


def tickets_to_threads(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    models_ = [apps.get_model("mail", name) for name in ("InboundMessage", "OutboundEmail")]
    if not any(m.objects.filter(ticket__isnull=False).exists() for m in models_):
        return
    ticket_type, _ = ContentType.objects.get_or_create(app_label=TICKET[0], model=TICKET[1])
    for model in models_:
        model.objects.filter(ticket__isnull=False).update(thread_type=ticket_type,
                                                          thread_id=F("ticket_id"))
    # The desk was the only module that took mail: what it opened or added to was its.
    models_[0].objects.filter(outcome__in=["ticket", "reply"]).update(handled_by=DESK)


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
        ('mail', '0003_threads_by_content_type'),
    ]

    operations = [
        migrations.RunPython(tickets_to_threads, threads_to_tickets),
    ]
