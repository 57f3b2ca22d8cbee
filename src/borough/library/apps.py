from borough.core.apps import DomainAppConfig


class LibraryConfig(DomainAppConfig):
    default = True
    name = "borough.library"
    label = "library"
    verbose_name = "Configuration library"
