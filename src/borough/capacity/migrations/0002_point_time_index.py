"""The raw points' time index, which the retention job deletes by: BRIN on PostgreSQL
(points arrive roughly in time order, so a block range index of a few pages serves a
table of billions of rows), a plain index elsewhere. Not declared on the model, whose
Meta cannot say "BRIN on one database, B-tree on another"."""

from django.db import migrations

INDEX = "capacity_point_at"


def create(apps, schema_editor):
    table = apps.get_model("capacity", "Point")._meta.db_table
    quote = schema_editor.quote_name
    using = " USING brin" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX {quote(INDEX)} ON {quote(table)}{using} "
                          f"({quote('at')})")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(INDEX)}")


class Migration(migrations.Migration):
    dependencies = [("capacity", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
