from borough.core.apps import DomainAppConfig


class FinanceConfig(DomainAppConfig):
    default = True
    name = "borough.finance"
    label = "finance"
    verbose_name = "ICT finance"
