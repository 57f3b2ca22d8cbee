from borough.core.apps import DomainAppConfig


class CatalogueConfig(DomainAppConfig):
    default = True
    name = "borough.catalogue"
    label = "catalogue"
    verbose_name = "Service catalogue"
