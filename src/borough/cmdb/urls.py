from borough.cmdb import models as m
from borough.cmdb import views
from borough.core.registry import registry
from borough.core.urls_helper import crud_urls

app_name = "cmdb"

urlpatterns = [
    *crud_urls(registry.get(m.ConfigurationItem), "items",
               detail=views.ConfigurationItemDetailView, add=views.ConfigurationItemCreateView),
    *crud_urls(registry.get(m.Relationship), "relationships"),
    *crud_urls(registry.get(m.CIClass), "classes"),
]
