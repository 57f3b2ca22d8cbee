from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from borough.api_router import router
from borough.core.views.api_schema import SchemaView
from borough.core.views.pages import HealthView
from borough.servicedesk.views.requester_link import OldRequesterLinkView

urlpatterns = [
    path("", include("borough.core.urls")),
    path("accounts/", include("borough.accounts.urls")),
    path("organisation/", include("borough.organisation.urls")),
    # The configuration library sits under the CMDB's pages (before them: the CMDB's
    # patterns would not match "library/", but the order keeps the two apart plainly).
    path("configuration/library/", include("borough.library.urls")),
    path("configuration/", include("borough.cmdb.urls")),
    path("catalogue/", include("borough.catalogue.urls")),
    path("continuity/", include("borough.continuity.urls")),
    path("commercial/", include("borough.commercial.urls")),
    path("commercial/", include("borough.licences.urls")),
    path("procurement/", include("borough.procurement.urls")),
    path("status/", include("borough.status.urls")),
    path("changes/", include("borough.changes.urls")),
    path("changes/", include("borough.releases.urls")),
    path("service-desk/", include("borough.servicedesk.urls")),
    path("service-desk/problems/", include("borough.problems.urls")),
    path("service-desk/knowledge/", include("borough.knowledge.urls")),
    path("availability/", include("borough.availability.urls")),
    path("finance/", include("borough.finance.urls")),
    path("capacity/", include("borough.capacity.urls")),
    # Requesters' links in emails sent before their page moved to the service desk.
    path("mail/t/<str:token>/", OldRequesterLinkView.as_view(), name="old_requester_link"),
    path("mail/", include("borough.mail.urls")),
    path("standards/", include("borough.standards.urls")),
    path("admin/", admin.site.urls),
    # The line protocol write endpoint, at the paths Telegraf's InfluxDB outputs use.
    path("api/", include("borough.capacity.api_urls")),
    path("api/", include((router.urls, "api"), namespace="api")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    # Under the site's own CSP: the template loads Swagger UI and borough/api-docs.js,
    # which starts it with an accessible layout, from static files.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(
        url_name="api-schema", template_name="core/api_docs.html"), name="api-docs"),
    path("health/", HealthView.as_view(), name="health"),
]

handler400 = "borough.core.views.errors.bad_request"
handler403 = "borough.core.views.errors.permission_denied"
handler404 = "borough.core.views.errors.page_not_found"
handler500 = "borough.core.views.errors.server_error"
