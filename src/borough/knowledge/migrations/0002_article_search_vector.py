"""Articles' words as a stored, indexed vector on PostgreSQL (core.textsearch), so a
ticket's suggestions rank 20,000 articles without reading each one's text again."""

from django.db import migrations

from borough.core.textsearch import AddSearchVector


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [AddSearchVector("Article", ("title", "keywords", "summary", "body"))]
