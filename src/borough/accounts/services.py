"""Writes for accounts: memberships, API tokens, switching organisation."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from borough.accounts.models import ApiToken, User, hash_token
from borough.core import audit
from borough.core.models import AuditAction


def create_token(
    user: User, *, actor: User, name: str, organisation_id: int | None = None,
    read_only: bool = False, expires_in_days: int | None = 90,
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is shown once and never stored."""
    if actor != user and not actor.is_superuser:
        raise PermissionDenied("You can only create tokens for yourself.")
    if not name.strip():
        raise ValidationError({"name": "Give the token a name."})
    if organisation_id is not None and organisation_id not in user.organisation_permissions():
        raise ValidationError({"organisation": "The user is not a member of that organisation."})
    raw = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip()[:100], key_hash=hash_token(raw), hint=raw[:9],
            organisation_id=organisation_id, read_only=read_only,
            expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
        )
    return token, raw


def revoke_token(token: ApiToken, *, actor: User) -> ApiToken:
    if actor != token.user and not actor.is_superuser:
        raise PermissionDenied("You can only revoke your own tokens.")
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
    return locked


def deactivate_user(user: User, *, actor) -> User:
    """Stops the user's sessions and tokens at once (SECURITY.md rule 8)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
            audit.record(locked, AuditAction.UPDATE, actor=actor, changes={"is_active": [True, False]})
        ApiToken.objects.filter(user=locked, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return locked
