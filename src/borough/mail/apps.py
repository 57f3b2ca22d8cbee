from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "borough.mail"
    label = "mail"
    verbose_name = "Email"

    def ready(self):
        from borough.core.registry import registry
        from borough.mail import imap, outbound, registration

        registration.register()
        registry.notification_channels.append(outbound.on_notices)
        registry.periodic_jobs["mail-send-queued"] = (outbound.send_queued, 60)
        registry.periodic_jobs["mail-send-digests"] = (outbound.send_digests, 24 * 3600)
        registry.periodic_jobs["mail-poll-imap"] = (imap.poll_all, 60)
