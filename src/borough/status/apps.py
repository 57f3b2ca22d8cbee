from borough.core.apps import DomainAppConfig


class StatusConfig(DomainAppConfig):
    default = True
    name = "borough.status"
    label = "status"
    verbose_name = "Service status"
