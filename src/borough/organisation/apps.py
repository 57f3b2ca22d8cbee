from borough.core.apps import DomainAppConfig


class OrganisationConfig(DomainAppConfig):
    default = True
    name = "borough.organisation"
    label = "organisation"
    verbose_name = "Organisation"
