"""Known errors' words as a stored, indexed vector on PostgreSQL (core.textsearch), so a
ticket's suggestions rank 20,000 known errors without reading each one's text again."""

from django.db import migrations

from borough.core.textsearch import AddSearchVector


class Migration(migrations.Migration):
    dependencies = [("problems", "0002_change_note")]

    operations = [AddSearchVector("KnownError", ("title", "symptoms", "workaround"))]
