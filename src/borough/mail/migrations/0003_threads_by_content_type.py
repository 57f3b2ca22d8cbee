# Mail names no module's models: the ticket a message or an email concerned becomes its
# `thread` (content type and id). This adds the fields, 0004 copies the tickets and 0005
# drops the old keys, each in a transaction of its own either way: PostgreSQL alters no
# table while the copy's deferred foreign-key checks are pending.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('mail', '0002_verbose_names'),
    ]

    operations = [
        migrations.AddField(
            model_name='inboundmessage',
            name='handled_by',
            field=models.CharField(blank=True, editable=False, max_length=50),
        ),
        migrations.AddField(
            model_name='inboundmessage',
            name='thread_id',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='inboundmessage',
            name='thread_type',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype'),
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='thread_id',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='thread_type',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype'),
        ),
    ]
