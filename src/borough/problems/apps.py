from borough.core.apps import DomainAppConfig


class ProblemsConfig(DomainAppConfig):
    default = True
    name = "borough.problems"
    label = "problems"
    verbose_name = "Problems"
