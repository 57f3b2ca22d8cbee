from borough.core.apps import DomainAppConfig


class ServiceDeskConfig(DomainAppConfig):
    default = True
    name = "borough.servicedesk"
    label = "servicedesk"
    verbose_name = "Service desk"
