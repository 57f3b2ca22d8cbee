from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, TemplateView

from borough.accounts import services
from borough.accounts.forms import TokenForm
from borough.accounts.middleware import SESSION_KEY
from borough.accounts.models import ApiToken


def safe_next(request, fallback: str) -> str:
    """Only same-site redirect targets (SECURITY.md rule 18)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback


class LoginView(auth_views.LoginView):
    permission_action = "public"
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    permission_action = "public"
    http_method_names = ["post", "options"]


class SwitchOrganisationView(LoginRequiredMixin, View):
    permission_action = "view"
    http_method_names = ["post"]

    def post(self, request):
        wanted = request.POST.get("organisation", "")
        held = request.user.organisation_permissions()
        if not wanted.isdigit() or int(wanted) not in held:
            messages.error(request, "You are not a member of that organisation.")
        else:
            request.session[SESSION_KEY] = int(wanted)
            from borough.organisation.models import Organisation

            name = Organisation.objects.filter(pk=int(wanted)).values_list("name", flat=True).first()
            messages.success(request, f"You are now working in {name}.")
        # The current page may belong to the organisation just left: go home unless it's a list.
        return HttpResponseRedirect(safe_next(request, reverse("core:home")))


class PasswordChangeView(auth_views.PasswordChangeView):
    permission_action = "view"
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, "Your password has been changed.")
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    permission_action = "public"
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    permission_action = "public"
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    permission_action = "public"
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    permission_action = "public"
    template_name = "accounts/password_reset_complete.html"


class ProfileView(LoginRequiredMixin, TemplateView):
    """The signed-in user's own page: memberships and API tokens."""

    permission_action = "view"
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tokens"] = ApiToken.objects.filter(user=self.request.user).select_related("organisation")
        context["token_form"] = kwargs.get("token_form") or TokenForm()
        return context


class TokenCreateView(LoginRequiredMixin, FormView):
    permission_action = "view"
    form_class = TokenForm
    template_name = "accounts/profile.html"
    http_method_names = ["post"]

    def form_valid(self, form):
        token, raw = services.create_token(
            self.request.user, actor=self.request.user, name=form.cleaned_data["name"],
            organisation_id=self.request.user.active_organisation_id,
            read_only=form.cleaned_data["read_only"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
        return self.render_to_response(
            ProfileView(request=self.request).get_context_data(new_token=raw, new_token_obj=token)
            | {"new_token": raw}
        )

    def form_invalid(self, form):
        context = ProfileView(request=self.request).get_context_data(token_form=form)
        return self.render_to_response(context, status=400)


class TokenRevokeView(LoginRequiredMixin, View):
    permission_action = "view"
    http_method_names = ["post"]

    def post(self, request, pk):
        token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
        services.revoke_token(token, actor=request.user)
        messages.success(request, f"Token “{token.name}” revoked.")
        return HttpResponseRedirect(reverse("accounts:profile"))
