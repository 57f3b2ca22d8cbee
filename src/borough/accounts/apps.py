from borough.core.apps import DomainAppConfig


class AccountsConfig(DomainAppConfig):
    default = True
    name = "borough.accounts"
    label = "accounts"
    verbose_name = "Accounts"
