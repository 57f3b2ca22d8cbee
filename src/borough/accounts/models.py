from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.utils import timezone

from borough.core.models import BaseModel


class User(AbstractUser):
    """A login. Its roles come from memberships, one per organisation."""

    email = models.EmailField(blank=True)
    # Set per request (middleware or token), never stored: the organisation worked in now.
    active_organisation_id: int | None = None

    def organisation_permissions(self) -> dict[int, frozenset[str]]:
        """Organisation id -> permission names the user's role grants there (cached per object)."""
        cached = getattr(self, "_organisation_permissions", None)
        if cached is not None:
            return cached
        if not self.is_active:
            result: dict[int, frozenset[str]] = {}
        elif self.is_superuser:
            from django.contrib.auth.models import Permission

            from borough.organisation.models import Organisation

            every = frozenset(
                f"{ct}.{code}" for ct, code in
                Permission.objects.values_list("content_type__app_label", "codename")
            )
            result = {
                pk: every
                for pk in Organisation.objects.filter(is_active=True).values_list("pk", flat=True)
            }
        else:
            rows = Membership.objects.filter(
                user=self, is_active=True, organisation__is_active=True
            ).values_list(
                "organisation_id",
                "role__permissions__content_type__app_label",
                "role__permissions__codename",
            )
            result = _group_grants(rows)
        self._organisation_permissions = result
        return result

    def set_grants(self, grants: str | None) -> None:
        """Take the permission map from `grants_subquery()`'s text, loaded with the user
        (one query for both on every request; see accounts.backends)."""
        if self.is_active and not self.is_superuser:
            rows = []
            for grant in (grants or "").split(GRANT_SEPARATOR):
                if grant:
                    org_id, _, perm = grant.partition(":")
                    app_label, _, codename = perm.partition(".")
                    rows.append((int(org_id), app_label, codename))
            self._organisation_permissions = _group_grants(rows)

    def forget_permissions(self) -> None:
        for attr in ("_organisation_permissions", "_perm_cache", "_user_perm_cache",
                     "_group_perm_cache"):
            self.__dict__.pop(attr, None)

    def __str__(self):
        return self.get_full_name() or self.username


def _group_grants(rows) -> dict[int, frozenset[str]]:
    """(organisation id, app label, codename) rows -> organisation id -> permission names;
    a membership whose role grants nothing still names its organisation."""
    grouped: dict[int, set[str]] = {}
    for org_id, app_label, codename in rows:
        perms = grouped.setdefault(org_id, set())
        if codename:
            perms.add(f"{app_label}.{codename}")
    return {k: frozenset(v) for k, v in grouped.items()}


GRANT_SEPARATOR = ","  # never in an organisation id, app label or permission codename


class StringJoin(models.Aggregate):
    """The values of a group joined by GRANT_SEPARATOR (STRING_AGG on PostgreSQL,
    GROUP_CONCAT on SQLite)."""

    function = "STRING_AGG"
    output_field = models.TextField()

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template=f"%(function)s(%(expressions)s, "
                              f"'{GRANT_SEPARATOR}')", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT",
                              template=f"%(function)s(%(expressions)s, '{GRANT_SEPARATOR}')",
                              **extra)


@functools.cache
def grants_subquery(user_ref: str = "pk"):
    """A user's active memberships' permissions as one text ("org:app.codename,…"), for
    annotating the user query (User.set_grants reads it). Built once per process: it runs
    on every request, and annotate() resolves a copy, never this expression itself."""
    from django.db.models import CharField, F, OuterRef, Subquery, Value
    from django.db.models.functions import Cast, Concat

    grants = (
        Membership.objects.filter(user=OuterRef(user_ref), is_active=True,
                                  organisation__is_active=True)
        .order_by().values("user")
        .annotate(text=StringJoin(Concat(
            Cast("organisation_id", CharField()), Value(":"),
            F("role__permissions__content_type__app_label"), Value("."),
            F("role__permissions__codename"), output_field=CharField())))
        .values("text")
    )
    return Subquery(grants, output_field=models.TextField())


class Membership(BaseModel):
    """A user's role in one organisation."""

    # Who works tickets is part of the desk's configuration each process keeps.
    feeds_config_caches = True

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="memberships")
    is_default = models.BooleanField(
        default=False, help_text="The organisation opened after signing in."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self):
        return f"{self.user} – {self.role} at {self.organisation}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A revocable API credential. Only its hash is stored; the secret is shown once."""

    PREFIX = "brgh_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12, editable=False, help_text="First characters, to tell tokens apart."
    )
    organisation = models.ForeignKey(
        "organisation.Organisation", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", help_text="Limit the token to one organisation.",
    )
    read_only = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class EmailChange(models.Model):
    """A user's request to change their email address (SECURITY.md rule 16).

    The address changes only when the link sent to the new address is opened and
    confirmed, once, within `EMAIL_CHANGE_TIMEOUT`. Only the hash of the link's secret
    is stored. A newer request cancels the user's earlier ones."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    old_email = models.EmailField(blank=True)
    new_email = models.EmailField()
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user}: {self.old_email or 'no address'} → {self.new_email}"

    @property
    def is_pending(self) -> bool:
        return self.confirmed_at is None and self.cancelled_at is None

    @property
    def expires_at(self):
        """When its link stops working."""
        return self.created_at + timedelta(seconds=settings.EMAIL_CHANGE_TIMEOUT)
