# The library's review reminders are kept by core.reminders (ReminderSent, one row per
# document and review date) instead of the document's own `reminded_for`: the reminders
# already sent are carried across, so nobody is told twice.

from django.db import migrations


def carry_across(apps, schema_editor):
    Document = apps.get_model("library", "Document")
    ReminderSent = apps.get_model("core", "ReminderSent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="library", model="document")
    sent = Document.objects.filter(reminded_for__isnull=False).values_list(
        "pk", "organisation_id", "reminded_for")
    ReminderSent.objects.bulk_create([
        ReminderSent(organisation_id=organisation_id, content_type_id=content_type.pk,
                     object_id=pk, stage="due", for_date=when)
        for pk, organisation_id, when in sent.iterator()
    ], batch_size=2000, ignore_conflicts=True)


def carry_back(apps, schema_editor):
    Document = apps.get_model("library", "Document")
    ReminderSent = apps.get_model("core", "ReminderSent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="library", model="document").first()
    if content_type is None:
        return
    for pk, when in ReminderSent.objects.filter(
            content_type_id=content_type.pk, stage="due").values_list("object_id", "for_date"):
        Document.objects.filter(pk=pk).update(reminded_for=when)


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0010_reminders_sent"),
        ("library", "0002_business_service_links"),
    ]

    operations = [
        migrations.RunPython(carry_across, carry_back),
        migrations.RemoveField(
            model_name="document",
            name="reminded_for",
        ),
    ]
