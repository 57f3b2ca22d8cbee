from borough.core.apps import DomainAppConfig


class ReleasesConfig(DomainAppConfig):
    default = True
    name = "borough.releases"
    label = "releases"
    verbose_name = "Releases"
