"""The registry: each app declares, in its `entries.py` (called from
`AppConfig.ready()` by `core.apps.DomainAppConfig`), its registered models, the models it
keeps without pages of their own, menu links, API routes, role grants, periodic jobs,
evidence rules, notification events and channels, the handlers of mail received and the links a
person without a login follows from an email. Navigation, global search, exports, history,
the API router, `borough check` and the registry-driven test suites read it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db import models

from borough.core.inbound import InboundHandler


@dataclass(frozen=True)
class ModelEntry:
    model: type[models.Model]
    filterset: type | None = None
    table: type | None = None
    form: type | None = None
    serializer: type | None = None
    viewset: type | None = None
    # Fields matched by the global search (icontains).
    search_fields: tuple[str, ...] = ()
    # Navigation: section label and the order within it; None keeps it out of the menu.
    nav_section: str | None = None
    nav_order: int = 100
    # Detail fields shown on the generic detail page, in order.
    detail_fields: tuple[str, ...] = ()
    export: bool = True
    # Whether the detail page offers comments and file attachments.
    comments: bool = False
    attachments: bool = False
    # Where suggestions come from as someone types part of a record's name or reference
    # (a core.api.suggestions endpoint): for a model too numerous for a select (100,000
    # CIs). Every ScopedModelForm field and ScopedFilterSet filter choosing one of its
    # records is then a typed box (core.forms.SuggestedRecordField), never a <select>.
    suggest_url: object | None = None
    # The fields that name one record of the organisation (a natural key, e.g. ("name",)),
    # by which a spreadsheet import matches a row to the record it updates
    # (core.importers); a model with a reference is matched by it instead. Empty, and no
    # reference: imports only add.
    import_key: tuple[str, ...] = ()

    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def verbose_name_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def url_name(self, action: str) -> str:
        return f"{self.app_label}:{self.model_name}_{action}"


@dataclass(frozen=True)
class NavLink:
    """A menu item for a page that is not a registered model's list (e.g. shared definitions)."""

    section: str
    label: str
    url_name: str
    # Shown to users who may `action` the model in their active organisation (or any).
    model: type[models.Model]
    action: str = "view"
    order: int = 100


@dataclass(frozen=True)
class DetailPanel:
    """A section another app adds to a record's page: the CI page shows the business
    services it supports (catalogue) and its tickets (service desk) without the CMDB
    importing either. `context(record, user)` returns the template's context, or None
    to leave the panel out (nothing to show, or nothing this person may see)."""

    name: str
    template: str
    context: Callable[[object, object], dict | None]
    order: int = 100
    # For a page that reads its subject with one query of its own (the ticket page):
    # expressions that query adds for the panel (name -> expression, built when first
    # asked), so `context` can tell from the subject whether it has anything to show
    # without a query of its own. Pages that do not read them ignore them.
    annotations: Callable[[], dict] | None = None


@dataclass
class Registry:
    entries: dict[type[models.Model], ModelEntry] = field(default_factory=dict)
    # Models kept without pages of their own (timeline entries, totals, shared
    # definitions…): model -> why, in words. `borough check` wants every model of an
    # app either registered or here.
    unlisted: dict[type[models.Model], str] = field(default_factory=dict)
    # role name -> permission names ("app.codename") granted by apps.
    role_grants: dict[str, set[str]] = field(default_factory=dict)
    # Periodic jobs: name -> (callable, seconds between runs).
    periodic_jobs: dict[str, tuple[Callable[[], object], int]] = field(default_factory=dict)
    # One-off background tasks people start (core.background): name -> callable(task,
    # progress) returning the outcome in words.
    background_tasks: dict[str, Callable[[object, object], str]] = field(default_factory=dict)
    # Spreadsheet importers beyond the generic one (core.importers): key -> Importer.
    importers: dict[str, object] = field(default_factory=dict)
    # Evidence rules for the standards module: name -> core.evidence.EvidenceRule.
    evidence_rules: dict[str, object] = field(default_factory=dict)
    # API routes of viewsets that are not a registered model's (shared definitions,
    # sub-records reached through their parent): (prefix, viewset, basename), added to
    # /api/ by api_router.py after the registered models'.
    api_routes: list[tuple[str, type, str]] = field(default_factory=list)
    nav_links: list[NavLink] = field(default_factory=list)
    # The menu's sections in the order of the work (section label -> order; the desk
    # first, administration last); a section no app placed goes after, by name.
    nav_section_order: dict[str, int] = field(default_factory=dict)
    # Each model's record actions (core.actions.Actions), for scheduled actions, the
    # lifecycle pages and `borough check`.
    record_actions: dict[type[models.Model], object] = field(default_factory=dict)
    # What apps tell people of: key -> core.notifications.NotificationEvent, in the
    # order registered. Keep to add_notification_events.
    notification_events: dict[str, object] = field(default_factory=dict)
    # Called with a list of core.notifications.Notice, in the notifying transaction.
    notification_channels: list[Callable[[object], None]] = field(default_factory=list)
    # What acts on mail received (core.inbound), in the order they are asked: keep to
    # add_inbound_handler, which keeps the order.
    inbound_handlers: list[InboundHandler] = field(default_factory=list)
    # model -> callable(record, person) giving the links (name -> path) that a person
    # without a login follows from an email about a record of that model: their signed
    # page for it, and its actions. The email channel adds them to that person's email.
    email_links: dict[type[models.Model], Callable[[object, object], dict[str, str]]] = \
        field(default_factory=dict)
    # name -> callable(now) giving a core.jobs.Stalled: work a worker took and has not
    # finished for longer than it should (a worker that died holding it). /jobs/ lists
    # them; /health/ counts them as warnings.
    stalled_checks: dict[str, Callable[[object], object]] = field(default_factory=dict)
    # The runs apps record of work they do on a schedule or on demand (directory
    # discovery, measurements taken in), with their counts and errors: /jobs/ links to
    # each list (NavLink's section is not used there).
    job_records: list[NavLink] = field(default_factory=list)

    # Called as f(organisation, actor=...) when an organisation is created
    # (organisation.services.create_organisation), in its transaction: the defaults an
    # app gives every council (the CMDB's classes).
    organisation_setup: list[Callable[..., None]] = field(default_factory=list)

    # The home page's panels (core.home.HomePanel), each for the people it serves.
    home_panels: list = field(default_factory=list)
    # Columns of lists that draw their own table rather than their entry's (the queue):
    # list key ("app_label.model") -> [core.saved_views.Column]. Other lists' columns
    # are their table's.
    list_columns: dict[str, list] = field(default_factory=dict)
    # Models whose every state is kept (core.temporal): model -> its version model.
    versioned: dict[type[models.Model], type[models.Model]] = field(default_factory=dict)
    # Fields some readers of a model may not see (core.restricted): model ->
    # RestrictedFields. Keep to restrict_fields.
    restricted_fields: dict[type[models.Model], object] = field(default_factory=dict)
    # Sections other apps add to a model's record page: model -> [DetailPanel], by order.
    detail_panels: dict[type[models.Model], list[DetailPanel]] = field(default_factory=dict)
    # Sections other apps add to a page that is not a record's (the systems catalogue):
    # page name ("cmdb.systems_catalogue") -> [DetailPanel], by order. The page says what
    # its panels' `context(subject, user)` is given (the catalogue: the service unit
    # shown, or None for every unit).
    page_panels: dict[str, list[DetailPanel]] = field(default_factory=dict)
    # Models whose rows are part of another record's content (a continuity plan's steps):
    # model -> (its foreign key to that record, the part's name in that record's
    # lifecycle's EditTakes). Keep to part_of.
    parts: dict[type[models.Model], tuple[str, str]] = field(default_factory=dict)
    # What other apps do when a model's record takes a transition: (model, transition
    # name) -> [listener(move)], run by core.lifecycle after the transition's own effects,
    # in the same transaction (a major incident resolved closes its status announcement
    # without the service desk knowing of announcements).
    transition_listeners: dict[tuple[type[models.Model], str], list[Callable]] = field(
        default_factory=dict)

    def on_transition(self, model: type[models.Model], names, listener: Callable) -> None:
        """Call `listener(move)` whenever a record of `model` takes one of the transitions
        named (after its own effects, before the record is saved, in its transaction)."""
        for name in [names] if isinstance(names, str) else names:
            self.transition_listeners.setdefault((model, name), []).append(listener)

    def add_detail_panel(self, model: type[models.Model], panel: DetailPanel) -> None:
        panels = self.detail_panels.setdefault(model, [])
        if any(p.name == panel.name for p in panels):
            raise ValueError(f"A detail panel named {panel.name!r} is registered twice.")
        panels.append(panel)
        panels.sort(key=lambda p: p.order)

    def panels_for(self, record, user) -> list[tuple[DetailPanel, dict]]:
        """The panels of `record`'s page that have something to show `user`."""
        shown = []
        for panel in self.detail_panels.get(type(record), ()):
            context = panel.context(record, user)
            if context is not None:
                shown.append((panel, context))
        return shown

    def detail_annotations(self, model: type[models.Model]) -> dict:
        """The expressions the detail panels of `model`'s page ask the record's own query
        to add (core.queries.with_record_extras)."""
        found = {}
        for panel in self.detail_panels.get(model, ()):
            if panel.annotations is not None:
                found.update(panel.annotations())
        return found

    def part_of(self, model: type[models.Model], parent: str, part: str) -> None:
        """`model`'s rows are part of what the record in its foreign key `parent` says (a
        continuity plan's contacts): core.services then tells that record's lifecycle,
        as `part` (named in an EditTakes), whenever one is created, changed or deleted."""
        self.parts[model] = (parent, part)

    def add_page_panel(self, page: str, panel: DetailPanel) -> None:
        panels = self.page_panels.setdefault(page, [])
        if any(p.name == panel.name for p in panels):
            raise ValueError(f"A panel named {panel.name!r} is added to {page} twice.")
        panels.append(panel)
        panels.sort(key=lambda p: p.order)

    def page_panels_for(self, page: str, subject, user) -> list[tuple[DetailPanel, dict]]:
        """The panels of a page that have something to show `user` about `subject`."""
        shown = []
        for panel in self.page_panels.get(page, ()):
            context = panel.context(subject, user)
            if context is not None:
                shown.append((panel, context))
        return shown

    def page_annotations(self, page: str) -> dict:
        """The expressions the panels of `page` ask its own query to add."""
        found = {}
        for panel in self.page_panels.get(page, ()):
            if panel.annotations is not None:
                found.update(panel.annotations())
        return found

    def register(self, entry: ModelEntry) -> ModelEntry:
        if entry.model in self.entries:
            raise ValueError(f"{entry.model.__name__} is registered twice.")
        self.entries[entry.model] = entry
        return entry

    def add_actions(self, actions) -> None:
        """Register a model's record actions (core.actions.Actions)."""
        self.record_actions[actions.model] = actions

    def add_inbound_handler(self, handler: InboundHandler) -> InboundHandler:
        """Ask `handler` about mail received, after those of a lower `order` (and after
        those of the same order registered before it)."""
        if any(h.name == handler.name for h in self.inbound_handlers):
            raise ValueError(f"An inbound handler named {handler.name!r} is registered twice.")
        self.inbound_handlers.append(handler)
        self.inbound_handlers.sort(key=lambda h: h.order)  # stable: ties keep their turn
        return handler

    def add_notification_events(self, app_label: str, events) -> None:
        """Declare the events `app_label` notifies people of (core.notifications.
        NotificationEvent): each key once across every app."""
        for event in events:
            if event.key in self.notification_events:
                raise ValueError(f"A notification event {event.key!r} is registered twice.")
            self.notification_events[event.key] = replace(event, app_label=app_label)

    def add_home_panel(self, panel) -> None:
        """Show `panel` (core.home.HomePanel) on the home page of those it is for."""
        if any(p.name == panel.name for p in self.home_panels):
            raise ValueError(f"A home panel named {panel.name!r} is registered twice.")
        self.home_panels.append(panel)

    def keep_versions(self, model: type[models.Model], version_model: type[models.Model]) -> None:
        """Keep every state of `model`'s records in `version_model` (a core.temporal.Version),
        written with each audited create, change and delete; the version model is unlisted."""
        self.versioned[model] = version_model
        self.unlist(version_model, f"The past states of {model._meta.verbose_name_plural}, "
                                   "read through their records (core.temporal).")

    def restrict_fields(self, model: type[models.Model], restricted) -> None:
        """Keep `restricted.fields` of `model` from readers without its permission (and not
        the record's holder): pages, lists, exports, API and history (core.restricted)."""
        self.restricted_fields[model] = restricted

    def unlist(self, model: type[models.Model], why: str) -> None:
        """Declare a model that has no pages of its own, and why."""
        self.unlisted[model] = why

    def get(self, model: type[models.Model]) -> ModelEntry:
        return self.entries[model]

    def all(self) -> list[ModelEntry]:
        return list(self.entries.values())

    def searchable(self) -> list[ModelEntry]:
        return [e for e in self.entries.values() if e.search_fields]

    def grant(self, role: str, perms: list[str]) -> None:
        """Give `role` permissions by name ("app.codename")."""
        self.role_grants.setdefault(role, set()).update(perms)

    def grant_models(self, roles: str | list[str], models_: list[type[models.Model]],
                     actions: tuple[str, ...]) -> None:
        """Give each role `actions` (view, add, change, delete) on each model."""
        for role in [roles] if isinstance(roles, str) else roles:
            self.grant(role, [f"{m._meta.app_label}.{a}_{m._meta.model_name}"
                              for m in models_ for a in actions])


registry = Registry()
