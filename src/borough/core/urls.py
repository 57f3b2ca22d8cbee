from django.urls import path

from borough.core.views import saved_views
from borough.core.views.attached import (
    AttachmentDownloadView,
    AttachmentUploadView,
    CommentCreateView,
)
from borough.core.views.imports import ImportConfirmView, ImportDetailView
from borough.core.views.jobs import JobsView
from borough.core.views.lifecycles import LifecyclesView
from borough.core.views.pages import HomeView, NotificationsView, SearchView
from borough.core.views.statement import AccessibilityStatementView

app_name = "core"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("search/", SearchView.as_view(), name="search"),
    path("lists/<str:key>/views/", saved_views.SaveViewView.as_view(), name="saved_view_add"),
    path("lists/views/<int:pk>/", saved_views.ChangeViewView.as_view(), name="saved_view_change"),
    path("lists/<str:key>/columns/", saved_views.ColumnsView.as_view(), name="list_columns"),
    path("notifications/", NotificationsView.as_view(), name="notifications"),
    path("jobs/", JobsView.as_view(), name="jobs"),
    path("imports/<int:pk>/", ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/confirm/", ImportConfirmView.as_view(), name="import_confirm"),
    path("lifecycles/", LifecyclesView.as_view(), name="lifecycles"),
    path("accessibility/", AccessibilityStatementView.as_view(), name="accessibility"),
    path("attachments/<int:pk>/", AttachmentDownloadView.as_view(), name="attachment_download"),
    path("records/<int:content_type_id>/<int:object_id>/attachments/",
         AttachmentUploadView.as_view(), name="attachment_add"),
    path("records/<int:content_type_id>/<int:object_id>/comments/",
         CommentCreateView.as_view(), name="comment_add"),
]
