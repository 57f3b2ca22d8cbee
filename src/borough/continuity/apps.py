from borough.core.apps import DomainAppConfig


class ContinuityConfig(DomainAppConfig):
    default = True
    name = "borough.continuity"
    label = "continuity"
    verbose_name = "Continuity"
