"""Matching computers read from a directory with configuration items, and writing the
differences through core.services, so each change is in the item's history.

- A computer is matched by its key (objectGUID), kept on the item as `discovery_key`;
  failing that, an item not yet discovered whose host name, or (in the source's classes)
  whose name, is the computer's, and only if exactly one is.
- New computers become live items of the source's server or device class, at its site,
  with the host name and operating system in the attributes their class defines.
- For a known item the directory owns the host name and operating system attributes;
  the name and description follow the directory only while they are what it said last
  time (or empty): a value a person typed is theirs. Nothing else is touched.
- An item the source found before that is no longer read, or is disabled in the
  directory, is flagged (`missing_from_directory_since`, `missing_reason`), never deleted
  or retired; it is unflagged when it comes back.

Each chunk of computers is written in its own transaction (a long one would hold up
other writers on SQLite); a run that stops part way keeps what it wrote, and the next run
carries on from there, since matching is by key."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from borough.cmdb.discovery import directory
from borough.cmdb.discovery import validation as v
from borough.cmdb.discovery.directory import Computer
from borough.cmdb.models import CIClass, ConfigurationItem, DirectorySource, MissingReason, Status
from borough.core import audit, services
from borough.core.models import AuditAction
from borough.core.references import allocate_many

CHUNK = 500
# Checked through the loaded objects by clean(), not by a query each.
RELATED = ["organisation", "ci_class", "site", "discovery_source", "owner", "service_unit",
           "support_team", "created_by", "updated_by", "reference"]
MAX_WARNINGS = 200
# Attributes the directory owns, where the item's class defines them.
OWNED_ATTRIBUTES = ("hostname", "operating_system")
# Fields that follow the directory until a person changes them.
FOLLOWED_FIELDS = ("name", "description")
LOADED = ("id", "organisation_id", "name", "description", "attributes", "ci_class_id",
          "status", "version", "discovery_source_id", "discovery_key",
          "missing_from_directory_since", "missing_reason", "directory_values")


@dataclass
class Counts:
    seen: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    vanished: int = 0
    returned: int = 0
    warnings: list[str] = field(default_factory=list)

    def warn(self, text: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)


def directory_values(computer: Computer) -> dict:
    """What the directory said, kept on the item to tell its values from a person's."""
    return {"dn": computer.dn, "name": computer.name, "hostname": computer.hostname,
            "operating_system": computer.operating_system,
            "description": computer.description}


class Reconciler:
    def __init__(self, source: DirectorySource, *, now, note: str):
        self.source = source
        self.now = now
        self.note = note
        self.counts = Counts()
        self.schemas = {c.pk: {d["name"] for d in c.definitions()}
                        for c in CIClass.objects.filter(organisation_id=source.organisation_id)}
        self.os_words = v.os_words(source.server_os_contains)
        self.server_ous = [directory.normalise_dn(ou) for ou in v.ou_lines(source.server_ous)]
        self.seen_ids: set[int] = set()
        self.seen_keys: set[str] = set()
        self.pending: list[ConfigurationItem] = []
        self._load()

    # --- what is there already -----------------------------------------------------------

    def _load(self) -> None:
        source = self.source
        items = (ConfigurationItem.objects.filter(organisation_id=source.organisation_id)
                 .filter(~Q(discovery_key="")
                         | Q(ci_class_id__in=[source.server_class_id, source.device_class_id])
                         | Q(attributes__has_key="hostname"))
                 .only(*LOADED))
        self.by_key: dict[str, ConfigurationItem] = {}
        self.by_host: dict[str, list[ConfigurationItem]] = defaultdict(list)
        self.by_name: dict[str, list[ConfigurationItem]] = defaultdict(list)
        mapped = {source.server_class_id, source.device_class_id}
        for item in items:
            if item.discovery_key:
                self.by_key[item.discovery_key] = item
                continue
            host = str((item.attributes or {}).get("hostname") or "").lower()
            if host:
                self.by_host[host].append(item)
                self.by_host[host.split(".")[0]].append(item)
            if item.ci_class_id in mapped:
                self.by_name[item.name.lower()].append(item)

    def _fallback(self, computer: Computer) -> ConfigurationItem | None | bool:
        """The one undiscovered item that is this computer, None, or False when several
        could be (a person must link one)."""
        host = computer.hostname.lower()
        candidates = {i.pk: i for i in (*self.by_host.get(host, ()),
                                        *self.by_host.get(host.split(".")[0], ()),
                                        *self.by_name.get(computer.name.lower(), ()))
                      if not i.discovery_key}
        if len(candidates) > 1:
            refs = ", ".join(sorted(c.name for c in candidates.values()))
            self.counts.warn(f"{computer.name}: several items could be this computer ({refs}); "
                             "none was linked and no new one was made. Give all but one "
                             "another host name.")
            return False
        return next(iter(candidates.values()), None)

    # --- one computer ----------------------------------------------------------------------

    def take(self, computer: Computer) -> None:
        self.counts.seen += 1
        if computer.key in self.seen_keys:
            self.counts.skipped += 1
            self.counts.warn(f"{computer.dn}: read twice; taken once.")
            return
        self.seen_keys.add(computer.key)
        item = self.by_key.get(computer.key)
        if item is None:
            item = self._fallback(computer)
            if item is False:
                self.counts.skipped += 1
                return
        if item is None:
            self._new(computer)
            return
        try:
            self._update(item, computer)
        except ValidationError as exc:
            self.counts.skipped += 1
            self.counts.warn(f"{computer.name}: not updated: {' '.join(exc.messages)}")

    def _is_server(self, computer: Computer) -> bool:
        system = computer.operating_system.lower()
        if any(word in system for word in self.os_words):
            return True
        if not self.server_ous:
            return False
        dn = directory.normalise_dn(computer.dn)
        return any(dn == ou or dn.endswith("," + ou) for ou in self.server_ous)

    def _owned(self, ci_class_id: int, computer: Computer) -> dict:
        names = self.schemas.get(ci_class_id, set())
        values = {"hostname": computer.hostname, "operating_system": computer.operating_system}
        return {k: values[k] for k in OWNED_ATTRIBUTES if k in names and values[k]}

    def _new(self, computer: Computer) -> None:
        """A new item, checked as create_record would check it and kept for the chunk's
        bulk insert (one reference block, one insert, one audit insert per chunk)."""
        if computer.disabled:
            self.counts.skipped += 1  # a disabled account is not worth a new item
            return
        source = self.source
        ci_class = source.server_class if self._is_server(computer) else source.device_class
        item = ConfigurationItem(
            organisation=source.organisation, name=computer.name, ci_class=ci_class,
            status=Status.LIVE, site=source.site, description=computer.description,
            attributes=self._owned(ci_class.pk, computer), discovery_source=source,
            discovery_key=computer.key, discovered_at=self.now, last_seen_at=self.now,
            directory_values=directory_values(computer))
        try:
            # Related records are the loaded ones, so this asks the database nothing; the
            # unique key and reference are the database's to enforce at the insert.
            item.clean_fields(exclude=RELATED)
            item.clean()
        except ValidationError as exc:
            self.counts.skipped += 1
            self.counts.warn(f"{computer.name}: not taken in: {' '.join(exc.messages)}")
            return
        self.by_key[computer.key] = item
        self.pending.append(item)

    def _create_pending(self) -> None:
        items, self.pending = self.pending, []
        if not items:
            return
        references = allocate_many(self.source.organisation_id,
                                   ConfigurationItem.reference_prefix, len(items))
        for item, reference in zip(items, references, strict=True):
            item.reference = reference
        ConfigurationItem.objects.bulk_create(items, batch_size=CHUNK)
        audit.record_bulk(items, AuditAction.CREATE, actor=None, note=self.note,
                          changes_for=lambda i: audit.diff({}, audit.snapshot(i)))
        self.seen_ids.update(item.pk for item in items)
        self.counts.created += len(items)

    def _update(self, item: ConfigurationItem, computer: Computer) -> None:
        data: dict[str, object] = {}
        attributes = dict(item.attributes or {})
        attributes.update(self._owned(item.ci_class_id, computer))
        if attributes != (item.attributes or {}):
            data["attributes"] = attributes
        said = item.directory_values or {}
        for name in FOLLOWED_FIELDS:
            now_value, new_value = getattr(item, name), getattr(computer, name)
            if new_value and now_value != new_value and now_value in ("", said.get(name)):
                data[name] = new_value
        values = directory_values(computer)
        if values != said:
            data["directory_values"] = values
        if item.discovery_key != computer.key:  # found by its host name
            data.update(discovery_key=computer.key, discovered_at=self.now)
        if item.discovery_source_id is None:
            data["discovery_source"] = self.source
        changed = bool(data)
        data.update(self._flags(item, computer))
        if data:
            with transaction.atomic():  # a savepoint: a refusal leaves the chunk whole
                services.update_record(item, actor=None, data=data, expected_version=None,
                                       note=self.note)
        self.seen_ids.add(item.pk)
        if changed:
            self.counts.changed += 1
        else:
            self.counts.unchanged += 1

    def _flags(self, item: ConfigurationItem, computer: Computer) -> dict:
        if computer.disabled:
            if item.missing_from_directory_since is None:
                if item.status == Status.RETIRED:
                    return {}
                self.counts.vanished += 1
                return {"missing_from_directory_since": self.now,
                        "missing_reason": MissingReason.DISABLED}
            if item.missing_reason != MissingReason.DISABLED:
                return {"missing_reason": MissingReason.DISABLED}
            return {}
        if item.missing_from_directory_since is not None:
            self.counts.returned += 1
            return {"missing_from_directory_since": None, "missing_reason": ""}
        return {}

    # --- the whole run ---------------------------------------------------------------------

    def run(self, computers: list[Computer]) -> Counts:
        for start in range(0, len(computers), CHUNK):
            chunk = computers[start:start + CHUNK]
            with transaction.atomic():
                before = set(self.seen_ids)
                for computer in chunk:
                    self.take(computer)
                self._create_pending()
                # Bookkeeping, not a change: no version, no history (audit_exclude).
                ConfigurationItem.objects.filter(pk__in=self.seen_ids - before).update(
                    last_seen_at=self.now)
        self._flag_vanished()
        return self.counts

    def _flag_vanished(self) -> None:
        gone = [item for item in self.by_key.values()
                if item.discovery_source_id == self.source.pk and item.pk not in self.seen_ids
                and item.status != Status.RETIRED
                and item.missing_reason != MissingReason.GONE]
        for start in range(0, len(gone), CHUNK):
            with transaction.atomic():
                for item in gone[start:start + CHUNK]:
                    data = {"missing_reason": MissingReason.GONE}
                    newly = item.missing_from_directory_since is None
                    if newly:
                        data["missing_from_directory_since"] = self.now
                    try:
                        with transaction.atomic():
                            services.update_record(item, actor=None, data=data,
                                                   expected_version=None, note=self.note)
                        self.counts.vanished += newly
                    except ValidationError as exc:
                        self.counts.warn(f"{item.name}: could not be flagged as gone from "
                                         f"the directory: {' '.join(exc.messages)}")


def reconcile(source: DirectorySource, computers: list[Computer], *, now, note: str) -> Counts:
    return Reconciler(source, now=now, note=note).run(computers)
