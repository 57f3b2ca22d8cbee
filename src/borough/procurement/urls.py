from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.actions import action_urls
from borough.procurement import models as m
from borough.procurement import services, views

app_name = "procurement"

urlpatterns = [
    *crud_urls(registry.get(m.ProcurementRequest), "requests",
               list=views.ProcurementRequestListView,
               detail=views.ProcurementRequestDetailView),
    *action_urls(services.REQUEST_ACTIONS, "requests", page=views.request_page,
                 only=tuple(a.name for a in services.REQUEST_ACTIONS
                            if a.name != "create-contract")),
    *action_urls(services.REQUEST_ACTIONS, "requests", page=views.request_page,
                 back=views.contract_page, only=("create-contract",)),
    *crud_urls(registry.get(m.ProcurementOption), "options", add=views.OptionCreateView,
               edit=views.OptionEditView, delete=views.OptionDeleteView),
    *crud_urls(registry.get(m.ApprovalStep), "approval-steps"),
    *crud_urls(registry.get(m.ProcurementException), "exceptions"),
]
