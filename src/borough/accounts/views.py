from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, TemplateView

from borough.accounts import forms, services, throttle
from borough.accounts.middleware import SESSION_KEY
from borough.accounts.models import ApiToken
from borough.core.ids import parse_id


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
    authentication_form = forms.SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(failure_limit=settings.AXES_FAILURE_LIMIT, **kwargs)


class LogoutView(auth_views.LogoutView):
    permission_action = "public"
    http_method_names = ["post", "options"]


class SwitchOrganisationView(LoginRequiredMixin, View):
    permission_action = "view"
    http_method_names = ["post"]

    def post(self, request):
        wanted = request.POST.get("organisation", "")
        held = request.user.organisation_permissions()
        home = reverse("core:home")
        if parse_id(wanted) not in held:
            messages.error(request, "You are not a member of that organisation.")
            return HttpResponseRedirect(safe_next(request, home))
        request.session[SESSION_KEY] = parse_id(wanted)
        from borough.organisation.models import Organisation

        name = (Organisation.objects.filter(pk=int(wanted))
                .values_list("name", flat=True).first())
        messages.success(request, f"You are now working in {name}.")
        target = safe_next(request, home)
        # A record's page belongs to the organisation just left: go home from those.
        try:
            if "pk" in resolve(target.split("?", 1)[0]).kwargs:
                target = home
        except Resolver404:
            target = home
        return HttpResponseRedirect(target)


class PasswordChangeView(auth_views.PasswordChangeView):
    permission_action = "view"
    template_name = "accounts/password_change.html"
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, "Your password has been changed.")
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Sends a reset link. Requests are counted per address typed and per client
    address (settings `PASSWORD_RESET_LIMIT_*`), whether or not an account uses the
    address, so neither the answer nor the throttling tells who has an account."""

    permission_action = "public"
    template_name = "accounts/password_reset.html"
    form_class = forms.PasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        window = settings.PASSWORD_RESET_LIMIT_WINDOW
        by_address = throttle.allow(
            "password-reset-address", form.cleaned_data["email"].strip().casefold(),
            limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS, window=window,
        )
        by_client = throttle.allow(
            "password-reset-ip", throttle.client_ip(self.request),
            limit=settings.PASSWORD_RESET_LIMIT_PER_IP, window=window,
        )
        if not (by_address and by_client):
            minutes = max(1, window // 60)
            form.add_error("email", (
                "Too many reset links have been asked for. Wait "
                f"{minutes} minutes, then try again, or ask your ICT service desk."
            ))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    permission_action = "public"
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    permission_action = "public"
    template_name = "accounts/password_reset_confirm.html"
    form_class = forms.SetPasswordForm
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
        context["tokens"] = (ApiToken.objects.filter(user=self.request.user)
                             .select_related("organisation"))
        context["token_form"] = kwargs.get("token_form") or forms.TokenForm()
        context["pending_email_change"] = services.pending_email_change(self.request.user)
        return context


class TokenCreateView(LoginRequiredMixin, FormView):
    """Creates a token from the profile page and shows its secret once, in this
    response only (it is never stored, so it cannot be shown after a redirect)."""

    permission_action = "view"
    form_class = forms.TokenForm
    template_name = "accounts/profile.html"
    http_method_names = ["post"]

    def form_valid(self, form):
        try:
            token, raw = services.create_token(
                self.request.user, actor=self.request.user, name=form.cleaned_data["name"],
                organisation_id=self.request.user.active_organisation_id,
                read_only=form.cleaned_data["read_only"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                idempotency_key=form.cleaned_data.get("submission_key") or None,
            )
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return self.form_invalid(form)
        if raw is None:
            messages.warning(
                self.request,
                f"The token “{token.name}” was already created by this form, and its secret "
                "was shown then. If you did not copy it, revoke it and create another.",
            )
            return HttpResponseRedirect(reverse("accounts:profile"))
        context = ProfileView(request=self.request).get_context_data(
            new_token=raw, new_token_obj=token
        )
        return self.render_to_response(context)

    def form_invalid(self, form):
        context = ProfileView(request=self.request).get_context_data(token_form=form)
        return self.render_to_response(context, status=400)


class TokenRevokeView(LoginRequiredMixin, View):
    permission_action = "view"
    http_method_names = ["post"]

    def post(self, request, pk):
        token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
        services.revoke_token(token, actor=request.user)
        messages.success(request, f"Token “{token.name}” revoked. It no longer works.")
        return HttpResponseRedirect(reverse("accounts:profile"))


class EmailChangeCancelView(LoginRequiredMixin, View):
    """Withdraws the signed-in user's pending change of address (POST only)."""

    permission_action = "view"
    http_method_names = ["post"]

    def post(self, request):
        change = services.cancel_email_change(request.user, actor=request.user)
        if change is None:
            messages.info(request, "There was no email address change waiting to be confirmed.")
        else:
            messages.success(request, f"The change to {change.new_email} is cancelled. The link "
                                      "we sent there no longer works.")
        return HttpResponseRedirect(reverse("accounts:profile"))


class EmailChangeView(LoginRequiredMixin, FormView):
    """Asks for a new address and the current password (SECURITY.md rule 16); the
    address changes only once the link sent to it is confirmed."""

    permission_action = "view"
    template_name = "accounts/email_change.html"
    form_class = forms.EmailChangeForm

    def post(self, request, *args, **kwargs):
        if not request.user.has_usable_password():
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = self.request.user
        if not throttle.allow("email-change", str(user.pk),
                              limit=settings.EMAIL_CHANGE_LIMIT_PER_USER, window=60 * 60):
            form.add_error(None, "You have asked to change your email address too many times. "
                                 "Wait an hour, then try again.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        try:
            change = services.request_email_change(
                user, actor=user, new_email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                site_url=self.request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"We have sent a link to {change.new_email}. Open it within one hour and confirm "
            "to finish. Until then your email address does not change.",
        )
        return HttpResponseRedirect(reverse("accounts:profile"))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class EmailChangeConfirmView(LoginRequiredMixin, TemplateView):
    """GET shows what the link will do and a button; only the POST changes the address
    (SECURITY.md rule 17). The link works once, for the user who asked, within an hour."""

    permission_action = "view"
    template_name = "accounts/email_change_confirm.html"

    def get(self, request, token):
        try:
            change = services.email_change_for_link(token, user=request.user)
        except services.EmailChangeLinkError as exc:
            return self.render_to_response({"error": exc.messages[0]}, status=400)
        return self.render_to_response({"change": change})

    def post(self, request, token):
        try:
            change = services.confirm_email_change(token, actor=request.user)
        except services.EmailChangeLinkError as exc:
            return self.render_to_response({"error": exc.messages[0]}, status=400)
        messages.success(request, f"Your email address is now {change.new_email}.")
        return HttpResponseRedirect(reverse("accounts:profile"))
