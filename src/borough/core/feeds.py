"""Secret calendar addresses (iCalendar feeds) for calendar programs, which cannot sign
in: each app's feed model extends `SecretFeed` (the renewals calendar, the forward
schedule of change), and makes, stops and reads its addresses through the functions
here. Only a hash of the secret is kept; the address is shown once. A feed reads as its
owner, in its organisation, and stops working when revoked, when its owner is
deactivated, or when they may no longer read what it shows there."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from borough.core import audit, scope, services
from borough.core.models import AuditAction

LONGEST = 100  # no real secret is longer; anything longer is not looked up
TOUCH_SECONDS = 60  # last_used_at is written at most once a minute per feed


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class SecretFeed(models.Model):
    PREFIX = ""  # each feed model's own, so one app's secret never reads another's feed
    NOUN = ""  # what its history calls it: "Renewals calendar"

    organisation = models.ForeignKey(settings.BOROUGH_ORGANISATION_MODEL,
                                     on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]
        default_permissions = ()

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


def create(model: type[SecretFeed], user, organisation_id: int, *, actor, reads,
           idempotency_key: str | None = None, **fields):
    """A new address of `model` for `user` in the organisation, and its secret (shown
    once). Only for themselves, and only if they may view `reads` there. The same
    `idempotency_key` again (the form sent twice) makes nothing: (None, None)."""
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied("You can only make a calendar address for yourself.")
    if not scope.can(user, "view", reads, organisation_id):
        raise PermissionDenied(f"Your role does not allow you to view "
                               f"{reads._meta.verbose_name_plural}.")
    raw = model.generate()
    with transaction.atomic():
        if idempotency_key and services.claim_submission(
                actor, f"{model._meta.label_lower}:{idempotency_key}"[:100], model) is None:
            return None, None
        feed = model.objects.create(organisation_id=organisation_id, user=user,
                                    key_hash=hash_secret(raw), hint=raw[:9], **fields)
        audit.record(feed, AuditAction.CREATE, actor=actor,
                     changes={"hint": [None, feed.hint]}, note=f"{model.NOUN} address made")
    return feed, raw


def revoke(feed: SecretFeed, *, actor) -> SecretFeed:
    if actor is None or (actor.pk != feed.user_id and not actor.is_superuser):
        raise PermissionDenied("You can only stop your own calendar addresses.")
    with transaction.atomic():
        locked = type(feed).objects.select_for_update().get(pk=feed.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit.record(locked, AuditAction.UPDATE, actor=actor,
                         changes={"revoked_at": [None, locked.revoked_at.isoformat()]},
                         note=f"{feed.NOUN} address stopped")
    return locked


def reader(model: type[SecretFeed], raw: str, *, reads, related=()) -> SecretFeed | None:
    """The working feed of `model` behind the secret `raw`, its user made to read in the
    feed's organisation; or None: unknown, stopped, its owner deactivated or no longer
    allowed to view `reads` there."""
    if not raw or not raw.startswith(model.PREFIX) or len(raw) > LONGEST:
        return None
    feed = (model.objects.select_related("user", *related)
            .filter(key_hash=hash_secret(raw), revoked_at__isnull=True).first())
    if feed is None or not feed.user.is_active:
        return None
    feed.user.active_organisation_id = feed.organisation_id
    if not scope.can(feed.user, "view", reads, feed.organisation_id):
        return None
    now = timezone.now()
    if feed.last_used_at is None or (now - feed.last_used_at).total_seconds() > TOUCH_SECONDS:
        model.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed
