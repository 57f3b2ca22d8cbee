from borough.commercial import models as m
from borough.core.registry import registry
from borough.core.urls_helper import crud_urls

app_name = "commercial"

urlpatterns = [
    *crud_urls(registry.get(m.Supplier), "suppliers"),
    *crud_urls(registry.get(m.SupplierContact), "supplier-contacts"),
    *crud_urls(registry.get(m.SupplierCategory), "supplier-categories"),
    *crud_urls(registry.get(m.Contract), "contracts"),
    *crud_urls(registry.get(m.ContractCover), "contract-covers"),
]
