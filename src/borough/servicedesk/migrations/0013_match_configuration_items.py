"""Link the tickets whose free-text configuration item names a CI of their organisation
(by reference, then by name ignoring case); the rest keep their text (servicedesk.matching).
`borough match_ticket_links` does the same later, once the CMDB is loaded."""

from django.db import migrations

from borough.servicedesk import matching


def link_tickets(apps, schema_editor):
    Ticket = apps.get_model("servicedesk", "Ticket")
    ConfigurationItem = apps.get_model("cmdb", "ConfigurationItem")
    matching.match(Ticket.objects, matching.Target("configuration_item", "ci", ConfigurationItem))


class Migration(migrations.Migration):

    dependencies = [
        ("servicedesk", "0012_ticket_configuration_item"),
    ]

    operations = [
        migrations.RunPython(link_tickets, migrations.RunPython.noop, elidable=True),
    ]
