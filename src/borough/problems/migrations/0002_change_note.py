"""A problem's change reference, typed as text, becomes `change_note`: the changes app
(changes 0003) links the references that name one of the council's changes and clears
them here; what matches none stays, as it was typed, never lost."""

from django.db import migrations, models


def keep_as_note(apps, schema_editor):
    Problem = apps.get_model("problems", "Problem")
    for problem in Problem.objects.exclude(change_reference="").only("pk", "change_reference"):
        Problem.objects.filter(pk=problem.pk).update(change_note=problem.change_reference)


def back_to_reference(apps, schema_editor):
    Problem = apps.get_model("problems", "Problem")
    for problem in Problem.objects.exclude(change_note="").only("pk", "change_note"):
        Problem.objects.filter(pk=problem.pk).update(
            change_reference=problem.change_note[:30])


class Migration(migrations.Migration):

    dependencies = [
        ('problems', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='problem',
            name='change_note',
            field=models.TextField(blank=True, editable=False, help_text="A change reference typed before changes were linked, that matched no change of the council's: kept as it was typed.", verbose_name='change (as text)'),
        ),
        migrations.RunPython(keep_as_note, back_to_reference),
        migrations.RemoveField(
            model_name='problem',
            name='change_reference',
        ),
    ]
