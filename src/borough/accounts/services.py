"""Writes for accounts: memberships, API tokens, deactivating users.

`actor=None` means the system itself (management commands, directory sync)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from borough.accounts.models import ApiToken, Membership, User, hash_token
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
