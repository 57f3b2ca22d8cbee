from borough.core.apps import DomainAppConfig


class MailConfig(DomainAppConfig):
    default = True
    name = "borough.mail"
    label = "mail"
    verbose_name = "Email"
