from borough.core.apps import DomainAppConfig


class KnowledgeConfig(DomainAppConfig):
    default = True
    name = "borough.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"
