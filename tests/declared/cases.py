"""What the registry-driven suite needs to know about each model beyond its registry
entry, its role grants and its factory, declared in one place:

- `CASES`: per-model test data (like NetBox's per-model test case attributes): factory
  arguments for the record under test, for the valid new records whose values are
  posted, values to post on edit when the built ones would change nothing, and set-up
  that makes room for them;
- `DEPARTURES`: where a model's pages answer other than its grants say (a redirect
  elsewhere, a delete that is refused), each with the reason.

Everything else is computed: the expected outcome of every page and API call for every
role comes from `registry.role_grants`, the data from the factory."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.urls import reverse
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from borough.accounts.models import Membership
from borough.capacity import models as capacity
from borough.changes import models as changes
from borough.commercial import models as commercial
from borough.core import roles
from borough.core.registry import registry
from borough.finance import models as finance
from borough.library import models as library
from borough.mail import models as mail
from borough.organisation import models as org
from borough.problems import models as problems
from borough.procurement import models as procurement
from borough.servicedesk import models as sd
from borough.servicedesk import notices as sd_notices
from borough.standards import models as st
from borough.status import models as status
from tests.conftest import make_member
from tests.factories import (
    FACTORIES,
    ActionUpdateFactory,
    OrganisationFactory,
    PersonFactory,
    ProcurementRequestFactory,
    StandardFactory,
    ThemeFactory,
    TicketFactory,
    UserFactory,
)

ENTRIES = registry.all()
ROLES = roles.ALL_ROLES

# The permission each page needs (API calls: view, add, change, delete by method).
NEEDS = {"list": "view", "detail": "view", "export": "view", "history": "view",
         "add": "add", "edit": "change", "delete": "delete"}


def entry_id(entry) -> str:
    """"app.Model", for an entry or anything else with a `model`."""
    return entry.model._meta.label


def holds(role: str, perm: str) -> bool:
    return perm in registry.role_grants.get(role, set())


def granted(role: str, model: type[models.Model], action: str) -> bool:
    return holds(role, f"{model._meta.app_label}.{action}_{model._meta.model_name}")


# --- the world each test builds ------------------------------------------------------------


@dataclass
class World:
    """One council, a member for each role asked for, and whatever a case adds."""

    org: org.Organisation
    users: dict[str, object]
    extra: dict = field(default_factory=dict)


def make_world(entry, role_names) -> World:
    organisation = OrganisationFactory(name="Copeland Borough Council", code="cbc")
    world = World(organisation, {role: make_member(organisation, role) for role in role_names})
    if (prepare := case_for(entry).prepare) is not None:
        prepare(world)
    return world


def person_of(world: World, role: str):
    """The role's user's entry in the staff directory (made on first use)."""
    key = f"person:{role}"
    if key not in world.extra:
        world.extra[key] = PersonFactory(organisation=world.org, user=world.users[role],
                                         full_name=f"{role} person")
    return world.extra[key]


# --- per-model declarations ----------------------------------------------------------------


def _nothing(world: World, role: str) -> dict:
    return {}


@dataclass(frozen=True)
class Case:
    # Factory arguments for the record that is listed, opened, edited and deleted.
    record: Callable[[World, str], dict] = _nothing
    # Factory arguments for the new records whose values are posted (add, edit, API).
    build: Callable[[World, str], dict] = _nothing
    # Form values the form's own fields take differently from the model's (instance -> dict).
    form: Callable[[models.Model], dict] = lambda instance: {}
    # API data as the role sends it (data, role -> dict).
    api: Callable[[dict, str], dict] = lambda data, role: data
    # Posted on edit over the built values, where those would change nothing.
    change: dict = field(default_factory=dict)
    # Fields set once, at creation: left out of what edits send.
    fixed: tuple[str, ...] = ()
    # Run before anything is made: clears rows the built data would clash with.
    prepare: Callable[[World], None] | None = None
    # Run before a permitted add, when the record under test leaves no room for another.
    make_room: Callable[[models.Model], None] | None = None
    # Factory arguments for the rows counted for N+1 (query counts), over the default:
    # every nullable foreign key, and every many-to-many field, to a model with a factory
    # gets a record of its own.
    rows: Callable[[World], dict] = lambda world: {}
    # Many-to-many values of those rows, over the default (field -> records).
    rows_many: Callable[[World], dict] = lambda world: {}
    # Records that point at each of those rows and the pages show (row, world).
    row_extras: Callable[[models.Model, World], None] = lambda row, world: None
    # The most rows one council can have, where that is fewer than the 25 counted.
    most_rows: int = 25


def _clear_working_hours(world: World) -> None:
    # New councils get standard working hours, which a new period would overlap.
    org.WorkingPeriod.objects.filter(organisation=world.org).delete()


def _everyone_approves(request, world: World):
    """A step of the request's route naming every member of the world as an approver, so
    each reads it (procurement.models.RequestQuerySet)."""
    step = procurement.RouteStep.objects.create(
        organisation=world.org, request=request, round=1, position=1, name="Everyone")
    step.approvers.set([person_of(world, role) for role in world.users])
    return request


CASES: dict[type[models.Model], Case] = {
    # The incident a change caused is made the way the desk saves tickets (its daily
    # totals move with it), not by saving a built one.
    changes.CausedIncident: Case(build=lambda w, role: {"ticket": TicketFactory(
        organisation=w.org)}),
    # One rule per cell of the 3×3 impact-urgency matrix; one template per event (the
    # factory's: the service desk's events).
    sd.PriorityRule: Case(most_rows=9),
    mail.NotificationTemplate: Case(most_rows=len(sd_notices.EVENTS)),
    # The form takes a username (other councils' accounts are not listed).
    Membership: Case(form=lambda instance: {"user": instance.user.username}),
    org.WorkingPeriod: Case(prepare=_clear_working_hours),
    # Themes and standards are shared definitions (no organisation), not filled by default.
    # Lists and exports show each action's latest progress note.
    st.Action: Case(rows=lambda w: {"theme": ThemeFactory()},
                    rows_many=lambda w: {"standards": [StandardFactory()]},
                    row_extras=lambda row, w: ActionUpdateFactory(organisation=w.org,
                                                                  action=row)),
    # A document link has one target: the rows counted link to an item, not also a class
    # or a service.
    library.DocumentLink: Case(rows=lambda w: {"ci_class": None, "business_service": None}),
    # A contract cover is of one thing: the rows counted cover an item, not also a service.
    commercial.ContractCover: Case(rows=lambda w: {"service": None}),
    # One per council, as the desk's settings.
    commercial.CommercialSettings: Case(change={"alert_days": "90, 30"}, most_rows=1,
                                        make_room=lambda record: type(record).objects.filter(
                                            pk=record.pk).delete()),
    # A cost line is allocated to one thing: the rows counted to an item, not also a
    # service or a contract.
    finance.CostLine: Case(rows=lambda w: {"service": None, "contract": None}),
    # One per council, as the commercial settings.
    capacity.CapacitySettings: Case(change={"overload_action": "change"}, most_rows=1,
                                    make_room=lambda record: type(record).objects.filter(
                                        pk=record.pk).delete()),
    # One per council, as the commercial settings.
    finance.FinanceSettings: Case(change={"staff_hourly_rate": "41.50"}, most_rows=1,
                                  make_room=lambda record: type(record).objects.filter(
                                      pk=record.pk).delete()),
    # A request is read by ICT management and the people it concerns: the record under
    # test and the built ones are the signed-in member's own requests; the rows counted
    # name every member as an approver of a step, so every role that may read requests
    # lists all 25.
    procurement.ProcurementRequest: Case(
        record=lambda w, role: {"requester": person_of(w, role)},
        build=lambda w, role: {"requester": person_of(w, role)},
        rows=lambda w: {"requester": person_of(w, roles.REQUESTER)},
        row_extras=lambda row, w: _everyone_approves(row, w)),
    # An option stays with the request it was added to, which is the member's own (a
    # draft, so its options may change).
    procurement.ProcurementOption: Case(
        fixed=("request",),
        record=lambda w, role: {"request": ProcurementRequestFactory(
            organisation=w.org, requester=person_of(w, role))},
        build=lambda w, role: {"request": ProcurementRequestFactory(
            organisation=w.org, requester=person_of(w, role))},
        rows=lambda w: {"request": _everyone_approves(ProcurementRequestFactory(
            organisation=w.org, requester=person_of(w, roles.REQUESTER)), w)}),
    # An incident linked to a problem, and a ticket a known error was used on, are typed
    # by reference; the built one is raised as the desk saves tickets (its daily totals).
    problems.ProblemIncident: Case(
        build=lambda w, role: {"ticket": TicketFactory(organisation=w.org)},
        form=lambda instance: {"ticket": instance.ticket.reference}),
    problems.KnownErrorUse: Case(
        build=lambda w, role: {"ticket": TicketFactory(organisation=w.org)},
        form=lambda instance: {"ticket": instance.ticket.reference}),
    # A cycle's framework is chosen when it starts.
    st.AssessmentCycle: Case(fixed=("framework",)),
    # One per council: an add first removes the council's settings; edits change a number.
    sd.DeskSettings: Case(change={"reopen_days": 9}, most_rows=1,
                          make_room=lambda record: type(record).objects.filter(
                              pk=record.pk).delete()),
    # A ticket is the signed-in member's own (a requester sees only those), and the rows
    # counted for N+1 all belong to the requester, so every role lists all 25.
    # A requester raises tickets for themself: the API takes no requester from them (they
    # cannot see the directory to name one).
    sd.Ticket: Case(record=lambda w, role: {"requester": person_of(w, role)},
                    build=lambda w, role: {"requester": person_of(w, role)},
                    api=lambda data, role: data if granted(role, org.Person, "view")
                    else {k: v for k, v in data.items() if k != "requester"},
                    rows=lambda w: {"requester": person_of(w, roles.REQUESTER)}),
    # A subscription is the signed-in person's own (others read only their own, ICT
    # management everyone's); the rows counted are all one requester's.
    status.Subscription: Case(
        record=lambda w, role: {"user": w.users[role]},
        build=lambda w, role: {"user": w.users[role]},
        rows=lambda w: {"user": w.users.get(roles.REQUESTER) or next(iter(w.users.values()))}),
}


def change_data(entry, data: dict) -> dict:
    """What an edit sends: `data` less the fields set once, plus the case's changes."""
    case = case_for(entry)
    return {k: v for k, v in data.items() if k not in case.fixed} | case.change


def case_for(entry) -> Case:
    return CASES.get(entry.model, Case())


# --- where pages depart from the grants ----------------------------------------------------


def _desk_staff(role: str) -> bool:
    return holds(role, "servicedesk.work_tickets") or holds(role, "servicedesk.view_all_tickets")


@dataclass(frozen=True)
class Outcome:
    # "allowed" (200, or the write done), "denied" (403, nothing done), "redirect" (sent
    # to `to`, nothing done) or "kept" (a delete page that deletes nothing, back to `to`).
    kind: str
    to: Callable[[models.Model], str] | None = None
    why: str = ""


ALLOWED, DENIED = Outcome("allowed"), Outcome("denied")


@dataclass(frozen=True)
class Departure:
    model: type[models.Model]
    op: str
    applies: Callable[[str], bool]  # to which roles
    outcome: Outcome


def _to(name: str, with_pk: bool = False):
    return lambda record: reverse(name, args=[record.pk] if with_pk else [])


DEPARTURES = [
    Departure(sd.Ticket, "list", lambda role: not _desk_staff(role), Outcome(
        "redirect", _to("servicedesk:portal_home"),
        "The queue sends requesters to their portal.")),
    Departure(sd.Ticket, "detail", lambda role: not _desk_staff(role), Outcome(
        "redirect", _to("servicedesk:portal_ticket", with_pk=True),
        "The staff page sends a requester to the portal's page of their ticket.")),
    Departure(sd.Ticket, "add", lambda role: granted(role, sd.Ticket, "add")
              and not holds(role, "servicedesk.work_tickets"), Outcome(
        "redirect", _to("servicedesk:portal_new"),
        "Requesters raise tickets through the portal's own form.")),
    Departure(sd.Ticket, "delete", lambda role: granted(role, sd.Ticket, "change"), Outcome(
        "kept", _to("servicedesk:ticket_detail", with_pk=True),
        "Tickets are never deleted but cancelled: the delete page (for those who may change "
        "tickets) offers the cancel form, and a POST deletes nothing.")),
]


def expected(model: type[models.Model], op: str, role: str) -> Outcome:
    """What `role` gets from `op` on `model`'s pages: the declared departure, or what the
    role's grants say."""
    for departure in DEPARTURES:
        if departure.model is model and departure.op == op and departure.applies(role):
            return departure.outcome
    return ALLOWED if granted(role, model, NEEDS[op]) else DENIED


# --- records and valid data -----------------------------------------------------------------


def make_record(entry, world: World, role: str):
    return FACTORIES[entry.model](organisation=world.org, **case_for(entry).record(world, role))


def _save_related(instance: models.Model) -> None:
    """Save the unsaved records a built instance points at (built by its SubFactories)."""
    for f in instance._meta.concrete_fields:
        if f.many_to_one and f.is_cached(instance):
            related = getattr(instance, f.name)
            if related is not None and related.pk is None:
                _save_related(related)
                related.save()
                setattr(instance, f.name, related)


def built(entry, world: World, role: str) -> models.Model:
    """A new, valid, unsaved record from the model's factory, its related records saved."""
    instance = FACTORIES[entry.model].build(organisation=world.org,
                                            **case_for(entry).build(world, role))
    _save_related(instance)
    return instance


def _form_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def form_data(entry, instance, user) -> dict:
    """What the entry's form posts for `instance`, as a browser would send it."""
    form = entry.form(instance=instance, user=user)
    data = {}
    for bound in form:
        if bound.name in ("version", "submission_key"):
            continue
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
            continue
        data[bound.html_name] = _form_value(value)
    return data | case_for(entry).form(instance)


def api_data(entry, instance, role: str) -> dict:
    """The entry's serializer's writable fields for `instance`, as a client sends them
    (field by field: the read-only ones may need a saved record)."""
    request = Request(APIRequestFactory().get("/"))
    serializer = entry.serializer(context={"request": request})
    data = {}
    for name, f in serializer.fields.items():
        if f.read_only or name == "version":
            continue
        value = [] if getattr(f, "many", False) or hasattr(f, "child_relation") else (
            f.get_attribute(instance))
        data[name] = None if value is None else f.to_representation(value)
    return case_for(entry).api(data, role)


def rich_rows(entry, world: World, count: int) -> list[models.Model]:
    """`count` records, each pointing at related records of its own wherever it can, so a
    page that loads a relation per row makes more queries for more rows."""
    case, made = case_for(entry), []
    for _ in range(count):
        kwargs = case.rows(world)
        kwargs |= _related_rows(entry.model, world, skip=set(kwargs))
        row = FACTORIES[entry.model](organisation=world.org, **kwargs)
        many = case.rows_many(world)
        for f in entry.model._meta.many_to_many:
            if f.name not in many and f.remote_field.through._meta.auto_created \
                    and f.related_model in FACTORIES:
                many[f.name] = [FACTORIES[f.related_model](organisation=world.org)]
        for name, records in many.items():
            getattr(row, name).set(records)
        case.row_extras(row, world)
        made.append(row)
    return made


def _related_rows(model, world: World, skip: set[str]) -> dict:
    kwargs = {}
    for f in model._meta.concrete_fields:
        if not (f.many_to_one and f.null) or f.name in skip or f.related_model is model:
            continue
        if f.name in ("organisation", "created_by", "updated_by"):
            continue
        related = f.related_model
        if related in FACTORIES:
            kwargs[f.name] = FACTORIES[related](organisation=world.org)
        elif related._meta.label == "accounts.User":
            kwargs[f.name] = UserFactory()
    return kwargs
