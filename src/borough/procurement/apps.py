from borough.core.apps import DomainAppConfig


class ProcurementConfig(DomainAppConfig):
    default = True
    name = "borough.procurement"
    label = "procurement"
    verbose_name = "Procurement"
