from borough.core.apps import DomainAppConfig


class CapacityConfig(DomainAppConfig):
    default = True
    name = "borough.capacity"
    label = "capacity"
    verbose_name = "Capacity"
