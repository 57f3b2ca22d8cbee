"""Link the tickets whose free-text configuration item or business service names a CI or
service of their organisation (by reference, then by name ignoring case); the rest keep
their text (servicedesk.matching). `borough match_ticket_links` does the same later, once
the CMDB and the catalogue are loaded, and writes each ticket's audit event; this
migration writes none (it runs before any of them exist in a new installation)."""

from django.db import migrations

from borough.servicedesk import matching


def link_tickets(apps, schema_editor):
    Ticket = apps.get_model("servicedesk", "Ticket")
    for target in (
        matching.Target("configuration_item", "ci", apps.get_model("cmdb", "ConfigurationItem")),
        matching.Target("business_service", "service",
                        apps.get_model("catalogue", "BusinessService")),
    ):
        matching.match(Ticket.objects, target)


class Migration(migrations.Migration):

    dependencies = [
        ("servicedesk", "0014_ticket_business_service"),
    ]

    operations = [
        migrations.RunPython(link_tickets, migrations.RunPython.noop, elidable=True),
    ]
