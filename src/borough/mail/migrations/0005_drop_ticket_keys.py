# The tickets are copied to `thread` (0004); the old foreign keys go.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mail', '0004_copy_tickets_to_threads'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='outboundemail',
            name='mail_outbou_ticket__4880f6_idx',
        ),
        migrations.RemoveField(
            model_name='inboundmessage',
            name='ticket',
        ),
        migrations.RemoveField(
            model_name='outboundemail',
            name='ticket',
        ),
        migrations.AlterField(
            model_name='inboundmessage',
            name='outcome',
            field=models.CharField(choices=[('ticket', 'Opened a new record'), ('reply', 'Added to a record'), ('noted', 'Taken note of: nothing opened or added'), ('auto', 'Automatic reply or bulk mail: recorded, not answered'), ('loop', 'Mail loop: cut'), ('quarantined', 'Quarantined'), ('discarded', 'Discarded from quarantine')], max_length=12),
        ),
        migrations.AddIndex(
            model_name='inboundmessage',
            index=models.Index(fields=['thread_type', 'thread_id'], name='mail_inboun_thread__b58791_idx'),
        ),
        migrations.AddIndex(
            model_name='outboundemail',
            index=models.Index(fields=['thread_type', 'thread_id', 'created_at'], name='mail_outbou_thread__d5b532_idx'),
        ),
    ]
