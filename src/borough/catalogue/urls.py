from borough.catalogue import models as m
from borough.core.registry import registry
from borough.core.urls_helper import crud_urls

app_name = "catalogue"

urlpatterns = [
    *crud_urls(registry.get(m.BusinessService), "services"),
    *crud_urls(registry.get(m.ServiceComponent), "components"),
    *crud_urls(registry.get(m.ServiceLevelAgreement), "slas"),
    *crud_urls(registry.get(m.OperationalLevelAgreement), "olas"),
]
