from borough.core.apps import DomainAppConfig


class AvailabilityConfig(DomainAppConfig):
    default = True
    name = "borough.availability"
    label = "availability"
    verbose_name = "Availability"
