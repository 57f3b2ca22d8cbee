"""Model validation without the queries the database makes anyway.

`full_clean()` runs before every save through core.services (and a ModelForm runs most
of it again): Django's own checks then make a query for each foreign key ("does this
id exist?") and for each constraint in Meta. For a record raised on a hot path that is
a good part of its statements and time. Measured on PostgreSQL with the demo's desk
(bench/servicedesk/validation.py, in-process A/B): by the staff form 41 queries without
these shortcuts, 26 with them (median 116 ms against 88 on a loaded machine); by the API
38 against 24 (113 ms against 68).
"""

from __future__ import annotations


class LeanValidation:
    """A mixin, listed before the base model class (`class Ticket(LeanValidation,
    BaseModel)`), that skips two kinds of check when they can tell nothing new:

    - a foreign key whose related record is loaded on the instance with the same id:
      whoever loaded it (a form, a serializer, a service, all through `visible_to`) found
      it exists. An id set without its record is still checked, as is a record whose id
      no longer matches the key. The database's foreign key guards the write either way.
    - the constraints named in `db_enforced_constraints`: ones input cannot break,
      because code sets the values they govern (a reference from the counter, a figure
      derived from timestamps), and the database enforces at the write. Django would
      otherwise query for each, and build every field's expression to do so. A broken
      one is an IntegrityError, a bug, not a message for the user.
    """

    db_enforced_constraints: frozenset[str] = frozenset()

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        for field in self._meta.concrete_fields:
            if field.many_to_one and field.name not in exclude:
                related = field.get_cached_value(self, default=None)
                if related is not None and related.pk is not None and (
                        related.pk == getattr(self, field.attname)):
                    exclude.add(field.name)
        super().clean_fields(exclude=exclude)

    def get_constraints(self):
        skip = self.db_enforced_constraints
        return [(model, [c for c in constraints if c.name not in skip])
                for model, constraints in super().get_constraints()]
