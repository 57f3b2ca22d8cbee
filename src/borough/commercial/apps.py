from borough.core.apps import DomainAppConfig


class CommercialConfig(DomainAppConfig):
    default = True
    name = "borough.commercial"
    label = "commercial"
    verbose_name = "Suppliers and contracts"
