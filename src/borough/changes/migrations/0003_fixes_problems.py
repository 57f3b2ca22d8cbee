"""The changes that make problems' permanent fixes. A problem's change reference typed as
text (problems 0002 kept it as `change_note`) that names a change of the same council
becomes the link, and is cleared there; text that names none stays on the problem."""

from django.db import migrations, models


def link_from_notes(apps, schema_editor):
    Problem = apps.get_model("problems", "Problem")
    Change = apps.get_model("changes", "Change")
    Link = Change.problems.through
    for problem in Problem.objects.exclude(change_note="").only(
            "pk", "organisation_id", "change_note"):
        reference = problem.change_note.strip().upper()
        change = Change.objects.filter(organisation_id=problem.organisation_id,
                                       reference=reference).only("pk").first()
        if change is None:
            continue
        Link.objects.get_or_create(change_id=change.pk, problem_id=problem.pk)
        Problem.objects.filter(pk=problem.pk).update(change_note="")


def notes_from_links(apps, schema_editor):
    Problem = apps.get_model("problems", "Problem")
    Link = apps.get_model("changes", "Change").problems.through
    for link in Link.objects.select_related("change").order_by("problem_id", "-change_id"):
        Problem.objects.filter(pk=link.problem_id, change_note="").update(
            change_note=link.change.reference)


class Migration(migrations.Migration):

    dependencies = [
        ('changes', '0002_template_announce'),
        ('problems', '0002_change_note'),
    ]

    operations = [
        migrations.AddField(
            model_name='change',
            name='problems',
            field=models.ManyToManyField(blank=True, help_text='The problems whose permanent fix this change makes (problem management raises the fix as a change).', related_name='+', to='problems.problem', verbose_name='problems it fixes'),
        ),
        migrations.RunPython(link_from_notes, notes_from_links),
    ]
