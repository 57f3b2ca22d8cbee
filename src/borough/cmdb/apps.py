from borough.core.apps import DomainAppConfig


class CmdbConfig(DomainAppConfig):
    default = True
    name = "borough.cmdb"
    label = "cmdb"
    verbose_name = "Configuration"
