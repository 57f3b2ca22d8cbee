from django.urls import path

from borough.accounts import views
from borough.accounts.models import Membership
from borough.core.registry import registry
from borough.core.urls_helper import crud_urls

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("switch/", views.SwitchOrganisationView.as_view(), name="switch_organisation"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("tokens/", views.TokenCreateView.as_view(), name="token_add"),
    path("tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password/reset/complete/", views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("email/change/", views.EmailChangeView.as_view(), name="email_change"),
    path("email/change/cancel/", views.EmailChangeCancelView.as_view(),
         name="email_change_cancel"),
    path("email/confirm/<str:token>/", views.EmailChangeConfirmView.as_view(),
         name="email_change_confirm"),
    *crud_urls(registry.get(Membership), "memberships"),
]
