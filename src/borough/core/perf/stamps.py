"""A version stamp per organisation, for what processes cache of its configuration.

Every process keeps an organisation's calendar and desk configuration in a `LocalCache`
under (organisation id, stamp). The stamp is a column of the organisation's row
(`ConfigStamped.config_version`), which a request reads anyway (the signed-in user's
organisations; the desk's `organisation_and_config`): a change is seen by every process
on its next read, and keeping the key current costs no query.

A model whose rows are part of that configuration declares `feeds_config_caches = True`;
`core.services` then bumps the stamp of the row's organisation in the same transaction as
each create, update and delete, so the change and the new stamp commit together. Writers
that bypass `core.services` (bulk loads, migrations, a shell) call `bump()` themselves.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models, router
from django.db.models import F


class ConfigStamped(models.Model):
    """The organisation model's stamp: only `bump()` changes it (an UPDATE adding one)."""

    config_version = models.PositiveBigIntegerField(
        default=1, editable=False,
        help_text="Raised by every change to the configuration processes cache.")

    # The organisation's own fields feed them too (its nation decides the bank holidays).
    feeds_config_caches = True

    class Meta:
        abstract = True


def feeds_config_caches(model: type[models.Model]) -> bool:
    return getattr(model, "feeds_config_caches", False)


def _organisation_model() -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(settings.BOROUGH_ORGANISATION_MODEL)


def bump(organisation_id: int, using: str | None = None) -> None:
    """Raise the organisation's stamp, in the caller's transaction."""
    model = _organisation_model()
    using = using or router.db_for_write(model)
    model._base_manager.using(using).filter(pk=organisation_id).update(
        config_version=F("config_version") + 1)


def written(instance: models.Model) -> None:
    """`instance` was created, changed or deleted: bump its organisation's stamp if it
    feeds the caches (core.services calls this inside its transaction)."""
    if not feeds_config_caches(type(instance)):
        return
    using = instance._state.db
    if isinstance(instance, ConfigStamped):
        if instance.pk is not None:
            bump(instance.pk, using)
            instance.refresh_from_db(using=using, fields=["config_version"])
        return
    organisation_id = getattr(instance, "organisation_id", None)
    if organisation_id is not None:
        bump(organisation_id, using)
