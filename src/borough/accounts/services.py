"""Writes for accounts: memberships, API tokens, deactivating users.

`actor=None` means the system itself (management commands, directory sync)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from borough.accounts.models import ApiToken, EmailChange, Membership, User, hash_token
from borough.core import audit
from borough.core.models import AuditAction, SubmissionKey

TOKEN_MAX_DAYS = 730


def _token_snapshot(token: ApiToken) -> dict[str, object]:
    # Never the hash: history is readable by auditors.
    return {
        "user": token.user.get_username(), "name": token.name, "hint": token.hint,
        "organisation": str(token.organisation) if token.organisation_id else None,
        "read_only": token.read_only,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }


def create_token(
    user: User, *, actor: User | None, name: str, organisation_id: int | None = None,
    read_only: bool = False, expires_in_days: int | None = 90,
    idempotency_key: str | None = None,
) -> tuple[ApiToken, str | None]:
    """A new token and its secret, which is shown once and never stored.

    A repeated `idempotency_key` (a resubmitted form) returns the token made the
    first time and None for the secret, which cannot be shown again.
    """
    if actor is not None and actor != user and not actor.is_superuser:
        raise PermissionDenied("You can only create tokens for yourself.")
    if not user.is_active:
        raise ValidationError("The account is deactivated; it cannot have new tokens.")
    if not name.strip():
        raise ValidationError({"name": "Give the token a name."})
    if expires_in_days is not None and not 1 <= expires_in_days <= TOKEN_MAX_DAYS:
        raise ValidationError(
            {"expires_in_days": f"A token must expire after 1 to {TOKEN_MAX_DAYS} days."}
        )
    if organisation_id is not None and organisation_id not in user.organisation_permissions():
        raise ValidationError({"organisation": "The user is not a member of that organisation."})
    key = (idempotency_key or "")[:100]
    if key and actor is not None:
        earlier = SubmissionKey.objects.filter(user=actor, key=key).first()
        if earlier is not None:
            return ApiToken.objects.get(pk=earlier.object_id), None
    raw = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip()[:100], key_hash=hash_token(raw), hint=raw[:9],
            organisation_id=organisation_id, read_only=read_only,
            expires_at=(timezone.now() + timedelta(days=expires_in_days)
                        if expires_in_days else None),
        )
        audit.record(token, AuditAction.CREATE, actor=actor,
                     changes=audit.diff({}, _token_snapshot(token)), note="API token created")
        if key and actor is not None:
            try:
                with transaction.atomic():
                    SubmissionKey.objects.create(
                        user=actor, key=key, object_id=token.pk,
                        content_type=ContentType.objects.get_for_model(ApiToken),
                    )
            except IntegrityError:
                # The same form sent twice at once: keep the first token only.
                transaction.set_rollback(True)
                earlier = SubmissionKey.objects.get(user=actor, key=key)
                return ApiToken.objects.get(pk=earlier.object_id), None
    return token, raw


def revoke_token(token: ApiToken, *, actor: User | None) -> ApiToken:
    if actor is not None and actor != token.user and not actor.is_superuser:
        raise PermissionDenied("You can only revoke your own tokens.")
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit.record(locked, AuditAction.UPDATE, actor=actor,
                         changes={"revoked_at": [None, locked.revoked_at.isoformat()]},
                         note="API token revoked")
    return locked


def deactivate_user(user: User, *, actor) -> User:
    """Stops the user's sessions and tokens at once (SECURITY.md rule 8).

    Sessions end because the authentication backends refuse inactive users on
    every request (ModelBackend.get_user); tokens are revoked here as well as
    being refused by the token authentication while the user is inactive.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
            audit.record(locked, AuditAction.UPDATE, actor=actor,
                         changes={"is_active": [True, False]})
        ApiToken.objects.filter(user=locked, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    user.is_active = False
    user.forget_permissions()
    return locked


def sync_membership_role(
    user: User, organisation, role, *, actor=None, note: str = ""
) -> Membership | None:
    """Make the user's membership of `organisation` carry `role` (a Group), or
    deactivate it when `role` is None. Used by directory (LDAP) sign-in, where the
    directory's groups decide the role. Returns the membership, if there is one."""
    from borough.core import services as core_services

    existing = Membership.objects.filter(user=user, organisation=organisation).first()
    if role is None:
        if existing is not None and existing.is_active:
            existing = core_services.update_record(
                existing, actor=actor, data={"is_active": False}, expected_version=None, note=note,
            )
    elif existing is None:
        has_default = Membership.objects.filter(user=user, is_default=True, is_active=True).exists()
        existing = core_services.create_record(
            Membership(user=user, organisation=organisation, role=role,
                       is_default=not has_default, is_active=True),
            actor=actor, note=note,
        )
    elif existing.role_id != role.pk or not existing.is_active:
        existing = core_services.update_record(
            existing, actor=actor, data={"role": role, "is_active": True},
            expected_version=None, note=note,
        )
    user.forget_permissions()
    return existing


# --- Changing one's email address (SECURITY.md rule 16) -----------------------------------

EMAIL_CHANGE_SALT = "borough.accounts.email-change"
PASSWORD_INCORRECT = "Your current password is not right. Enter it again."  # noqa: S105
LINK_NOT_WORKING = (
    "This link does not work. It has already been used, has expired (links last one hour), "
    "was replaced by a newer request, or was not copied in full."
)


class EmailChangeLinkError(ValidationError):
    """The confirmation link cannot be used; the message says why, for a person."""


def normalise_email(address: str) -> str:
    return BaseUserManager.normalize_email(address.strip())


def request_email_change(
    user: User, *, actor: User, new_email: str, password: str, site_url: str,
) -> EmailChange:
    """Ask to change `user`'s address to `new_email`, after checking their current
    password. Nothing changes yet: a link is sent to the new address, and a notice to
    the old one. `site_url` is the scheme and host links start with."""
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied("You can only change your own email address.")
    errors: dict[str, str] = {}
    if not password or not user.check_password(password):
        errors["password"] = PASSWORD_INCORRECT
    new_email = normalise_email(new_email or "")
    if not new_email:
        errors.setdefault("email", "Enter your new email address")
    elif new_email.casefold() == (user.email or "").casefold():
        errors["email"] = "That is already your email address. Enter a different one."
    elif User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        errors["email"] = ("Another Borough account uses that email address. Enter a "
                           "different one, or ask your ICT service desk.")
    if errors:
        raise ValidationError(errors)
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        EmailChange.objects.filter(
            user=locked, confirmed_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=now)
        change = EmailChange.objects.create(
            user=locked, old_email=locked.email, new_email=new_email,
            key_hash=hash_token(secret), created_at=now,
        )
        audit.record(locked, AuditAction.EVENT, actor=actor,
                     changes={"email_change_requested": [None, new_email]},
                     note="Email change asked for; waiting for confirmation from the new address")
        token = signing.TimestampSigner(salt=EMAIL_CHANGE_SALT).sign_object(
            {"c": change.pk, "k": secret}
        )
        link = site_url.rstrip("/") + reverse("accounts:email_change_confirm", args=[token])
        transaction.on_commit(lambda: _send_email_change_mail(change, link))
    return change


def _send(template: str, to: str, context: dict) -> None:
    subject = " ".join(render_to_string(f"accounts/email/{template}_subject.txt",
                                        context).split())
    message = EmailMultiAlternatives(
        subject, render_to_string(f"accounts/email/{template}.txt", context),
        settings.DEFAULT_FROM_EMAIL, [to],
    )
    message.attach_alternative(render_to_string(f"accounts/email/{template}.html", context),
                               "text/html")
    message.send()


def _pending_changes(user: User):
    """The user's changes of address still waiting for confirmation whose link works."""
    since = timezone.now() - timedelta(seconds=settings.EMAIL_CHANGE_TIMEOUT)
    return EmailChange.objects.filter(user_id=user.pk, confirmed_at__isnull=True,
                                      cancelled_at__isnull=True, created_at__gt=since
                                      ).order_by("-created_at")


def pending_email_change(user: User) -> EmailChange | None:
    """The user's change of address still waiting for confirmation, if its link works."""
    return _pending_changes(user).first()


def cancel_email_change(user: User, *, actor: User) -> EmailChange | None:
    """Withdraw the user's pending change of address: its link stops working. Returns the
    change cancelled, or None when nothing was pending."""
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied("You can only cancel your own email address change.")
    with transaction.atomic():
        owner = User.objects.select_for_update().get(pk=user.pk)
        change = _pending_changes(owner).select_for_update().first()
        if change is None:
            return None
        change.cancelled_at = timezone.now()
        change.save(update_fields=["cancelled_at"])
        audit.record(owner, AuditAction.EVENT, actor=actor,
                     changes={"email_change_cancelled": [change.new_email, None]},
                     note="Email change withdrawn before it was confirmed")
    return change


def _send_email_change_mail(change: EmailChange, link: str) -> None:
    context = {"user": change.user, "old_email": change.old_email,
               "new_email": change.new_email, "link": link}
    _send("email_change_confirm", change.new_email, context)
    if change.old_email:
        _send("email_change_notice", change.old_email, context)


def email_change_for_link(token: str, *, user: User) -> EmailChange:
    """The pending change a confirmation link stands for, if `user` may confirm it now.
    Raises EmailChangeLinkError otherwise: expired, used, replaced, forged, another
    user's, or the address was taken or changed meanwhile."""
    try:
        payload = signing.TimestampSigner(salt=EMAIL_CHANGE_SALT).unsign_object(
            token, max_age=settings.EMAIL_CHANGE_TIMEOUT
        )
        change_id, secret = int(payload["c"]), str(payload["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise EmailChangeLinkError(LINK_NOT_WORKING) from None
    change = EmailChange.objects.filter(pk=change_id, user_id=user.pk).first()
    if (change is None or not change.is_pending
            or not constant_time_compare(change.key_hash, hash_token(secret))
            or timezone.now() > change.expires_at
            or (change.old_email or "").casefold() != (user.email or "").casefold()):
        raise EmailChangeLinkError(LINK_NOT_WORKING)
    if User.objects.filter(email__iexact=change.new_email).exclude(pk=user.pk).exists():
        raise EmailChangeLinkError(
            "Another Borough account now uses that email address, so it cannot be yours. "
            "Ask your ICT service desk."
        )
    return change


def confirm_email_change(token: str, *, actor: User) -> EmailChange:
    """Apply the change a confirmation link stands for: the user's address, and that of
    their directory entries, in one transaction with the audit records. A link works once."""
    from borough.organisation import services as organisation_services

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        change = email_change_for_link(token, user=user)
        change = EmailChange.objects.select_for_update().get(pk=change.pk)
        if not change.is_pending:  # confirmed by a parallel request
            raise EmailChangeLinkError(LINK_NOT_WORKING)
        before = user.email
        user.email = change.new_email
        user.save(update_fields=["email"])
        change.confirmed_at = timezone.now()
        change.save(update_fields=["confirmed_at"])
        audit.record(user, AuditAction.UPDATE, actor=actor,
                     changes={"email": [before, change.new_email]},
                     note="Email address changed; confirmed from the new address")
        organisation_services.set_email_for_user(
            user, email=change.new_email, actor=actor,
            note="Follows the account holder's confirmed email change")
        if change.old_email:  # the address that loses the account hears of it
            transaction.on_commit(lambda: _send(
                "email_change_done", change.old_email,
                {"user": user, "old_email": change.old_email, "new_email": change.new_email}))
    actor.email = user.email
    return change
