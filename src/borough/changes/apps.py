from borough.core.apps import DomainAppConfig


class ChangesConfig(DomainAppConfig):
    default = True
    name = "borough.changes"
    label = "changes"
    verbose_name = "Changes"
