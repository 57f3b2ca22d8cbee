"""Fields some readers of a record may not see: a contract's values, read by finance roles
and the contract's owner but not by everyone who reads the contracts register.

An app declares them in its `entries.py`:

    registry.restrict_fields(Contract, RestrictedFields(
        ("annual_value", "whole_life_value"), "commercial.view_contract_values",
        holder=lambda user, contract: ...,  # who sees them on their own record
        why="Contract values are shown to finance roles and the contract's owner."))

and core keeps them out wherever the record is read: the generic detail page leaves their
rows out; list tables and their exports leave the columns out, and refuse to sort by them,
for a reader without the permission (the holder sees their own record's values on its
page and in the API); the API gives them as null and refuses `?ordering=` by them; the
History tab leaves out their changes. Pages an app draws itself ask `sees(user, record)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from borough.core import scope


@dataclass(frozen=True)
class RestrictedFields:
    fields: tuple[str, ...]
    # "app.codename": a permission on the model, granted to the roles that see them.
    permission: str
    # Who else sees them on a record of their own (a contract's owner): f(user, record).
    holder: Callable[[object, object], bool] | None = None
    why: str = ""

    def sees_all(self, user, organisation_id: int | None = None) -> bool:
        """Whether the user's role in the organisation (the active one if None) shows
        the fields on every record."""
        if user is not None and getattr(user, "is_superuser", False) and user.is_active:
            return True
        if organisation_id is None:
            organisation_id = getattr(user, "active_organisation_id", None)
        return organisation_id in scope.organisation_ids(user, self.permission)

    def sees(self, user, record) -> bool:
        """Whether the user sees the fields on this record."""
        if self.sees_all(user, getattr(record, "organisation_id", None)):
            return True
        return bool(self.holder and user is not None and getattr(user, "pk", None)
                    and self.holder(user, record))


def guard(model) -> RestrictedFields | None:
    from borough.core.registry import registry

    return registry.restricted_fields.get(model)


def hidden_on(record, user) -> frozenset[str]:
    """The fields of `record` that `user` may not see (none for most models)."""
    found = guard(type(record))
    if found is None or found.sees(user, record):
        return frozenset()
    return frozenset(found.fields)


def hidden_columns(model, user) -> frozenset[str]:
    """The fields of `model` left out of lists and exports for `user` (whose role does not
    show them on every record)."""
    found = guard(model)
    if found is None or found.sees_all(user):
        return frozenset()
    return frozenset(found.fields)


def sees(user, record) -> bool:
    """Whether `user` sees every restricted field of `record` (True when it has none)."""
    return not hidden_on(record, user)


__all__ = ["RestrictedFields", "guard", "hidden_columns", "hidden_on", "sees"]
