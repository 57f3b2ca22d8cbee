from django.urls import path

from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.actions import action_urls
from borough.library import services, views
from borough.library.models import Document, DocumentLink

app_name = "library"

urlpatterns = [
    path("documents/reviews-due/", views.ReviewsDueView.as_view(), name="reviews_due"),
    *crud_urls(registry.get(Document), "documents", detail=views.DocumentDetailView),
    *action_urls(services.DOCUMENT_ACTIONS, "documents"),
    path("documents/<int:pk>/upload/", views.UploadVersionView.as_view(),
         name="document_upload"),
    path("versions/<int:pk>/download/", views.VersionDownloadView.as_view(),
         name="version_download"),
    *action_urls(services.VERSION_ACTIONS, "versions"),
    *crud_urls(registry.get(DocumentLink), "links", add=views.DocumentLinkCreateView),
]
