from borough.core.apps import DomainAppConfig


class StandardsConfig(DomainAppConfig):
    default = True
    name = "borough.standards"
    label = "standards"
    verbose_name = "Standards and action plan"
