from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from borough.commercial import dates


def fill(apps, schema_editor):
    """Each contract's current term end and notice date as of today (the daily alerts
    job rolls them on from here)."""
    contract = apps.get_model("commercial", "Contract")
    today = timezone.localdate()
    batch = []
    for row in contract.objects.order_by("pk").iterator(chunk_size=2000):
        terms = dates.Terms(row.start_date, row.end_date, row.renewal_terms,
                            row.renewal_months, row.notice_period or 0, row.notice_unit,
                            row.notice_given_on)
        row.next_term_end = dates.term_end(terms, today)
        row.next_notice_by = dates.notice_by(terms, today)
        batch.append(row)
        if len(batch) >= 2000:
            contract.objects.bulk_update(batch, ["next_term_end", "next_notice_by"])
            batch = []
    contract.objects.bulk_update(batch, ["next_term_end", "next_notice_by"])


class Migration(migrations.Migration):

    dependencies = [
        ('commercial', '0003_contract_values_permission'),
        ('organisation', '0003_organisation_config_version'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='contract',
            name='next_notice_by',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='contract',
            name='next_term_end',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='contract',
            index=models.Index(fields=['organisation', 'next_term_end'], name='contract_term_ends'),
        ),
        migrations.AddIndex(
            model_name='contract',
            index=models.Index(fields=['organisation', 'next_notice_by'], name='contract_notice_by'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
