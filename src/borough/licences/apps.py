from borough.core.apps import DomainAppConfig


class LicencesConfig(DomainAppConfig):
    default = True
    name = "borough.licences"
    label = "licences"
    verbose_name = "Software licences"
