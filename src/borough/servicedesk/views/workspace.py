"""The agent workspace: queues, the ticket page and its HTMX actions, bulk actions."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView

from borough.accounts.models import User
from borough.catalogue import queries as catalogue_queries
from borough.cmdb import queries as cmdb_queries
from borough.core import scope
from borough.core.actions import failure, offered
from borough.core.forms import SuggestedRecordField, add_service_error
from borough.core.ids import parse_id
from borough.core.perf.cache import LocalCache
from borough.core.perf.precompiled import PrecompiledAnnotations
from borough.core.registry import registry
from borough.core.views.actions import RecordActionView, perform
from borough.core.views.lists import (
    PAGE_SIZES,
    BadParameters,
    ObjectExportView,
    ObjectListView,
    sort_queryset,
)
from borough.core.views.records import ObjectDeleteView, ObjectEditView
from borough.core.views.saved_views import list_views_context
from borough.organisation.models import Team
from borough.servicedesk import concerns, forms, queries, services
from borough.servicedesk.lifecycle import TICKET
from borough.servicedesk.models import (
    DONE_STATUSES,
    LinkKind,
    Status,
    Ticket,
    TicketType,
)
from borough.servicedesk.presenters import sla_state
from borough.servicedesk.tables import QUEUE_COLUMNS

QUEUES = queries.QUEUES
QUEUE_LIST = "servicedesk.ticket"  # its saved views and column choices (core.saved_views)
# The ticket page's name for the panels other apps add to it (registry.add_page_panel):
# their context is given the ticket, read with their annotations (with_page_extras).
TICKET_PAGE = "servicedesk.ticket"
# The list page of a registered model shows the organisation's records (the registry's
# contract, and what the navigation link promises); agents pick "My tickets" from the tabs.
DEFAULT_QUEUE = "all"


def queue_queryset(qs, request):
    """Narrow `qs` to the queue named in ?queue= (the page and its exports agree)."""
    queue = request.GET.get("queue", DEFAULT_QUEUE)
    if queue != "all" or not request.GET.get("status"):  # a status asked for: any state
        qs = qs.filter(queries.queue_filter(queue, request.user))
    return qs.order_by("resolution_due_at", "-priority", "created_at")


def check_queue(request) -> None:
    queue = request.GET.get("queue", DEFAULT_QUEUE)
    if queue not in QUEUES:
        raise BadParameters(f"Unknown queue {queue}. Choose from: {', '.join(QUEUES)}.")


def wants_table_only(request) -> bool:
    """An htmx request for the table alone; a boosted one (the queue's own links and
    forms) gets the whole page, whose main content it swaps in."""
    return bool(request.htmx) and not request.htmx.boosted


def is_worker(user) -> bool:
    return user.has_perm("servicedesk.work_tickets") or user.has_perm("servicedesk.view_all_tickets")


class QueueView(ObjectListView):
    """Queues sorted by SLA due time; requesters are sent to the portal instead.

    The busiest page of the desk, so it does its own listing rather than the generic
    table's: one query for the count, one for the page of tickets (joined to the
    requester and the assignee only: planning an eight-table join cost PostgreSQL more
    than running it), and the teams and service units the rows show come from the lists
    the filter panel loads anyway. The filter panel's HTML is reused while its inputs
    are the same (see `filter_panel`). Sorting (`?sort=`) and paging behave as the
    generic list's do."""

    template_name = "servicedesk/queue.html"
    partial_template_name = "servicedesk/includes/queue_table.html"
    extra_params = frozenset({"queue"})

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_worker(request.user):
            return HttpResponseRedirect(reverse("servicedesk:portal_home"))
        return super().dispatch(request, *args, **kwargs)

    def check_parameters(self, filterset, table_class):
        super().check_parameters(filterset, table_class)
        check_queue(self.request)

    def get_queryset(self):
        # The assignee joined, though the filter's list has most of them: one who no
        # longer works tickets would otherwise cost a query a row.
        qs = super().get_queryset().select_related("requester", "assignee").defer(*QUEUE_DEFER)
        # The CI column's text, a scalar subquery per row of the page (no join, no N+1).
        return queue_queryset(concerns.with_concern_labels(qs), self.request)

    def get(self, request, *args, **kwargs):
        try:
            filterset, qs = self.filtered()
        except BadParameters as exc:
            return self.bad_request(str(exc))
        per_page = int(request.GET.get("per_page") or PAGE_SIZES[0])
        qs = sort_queryset(qs, self.entry.table, self.model, request.GET.get("sort", ""))
        page = Paginator(qs, per_page).get_page(request.GET.get("page"))
        config = queries.desk_config(request.user.active_organisation_id,
                                     getattr(request, "organisation", None))
        lookups = filter_lookups(filterset, config.workers)
        page.object_list = attach_related(list(page.object_list), lookups)
        context = self.get_context_data(filterset=filterset, page_obj=page,
                                        page_sizes=PAGE_SIZES, per_page=per_page,
                                        lookups=lookups)
        template = self.partial_template_name if wants_table_only(request) else self.template_name
        response = self.response_class(request, template, context)
        patch_vary_headers(response, ("HX-Request",))
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queue = self.request.GET.get("queue", DEFAULT_QUEUE)
        context["queues"] = [
            {"label": label, "url": f"{reverse('servicedesk:ticket_list')}?queue={key}",
             "active": key == queue} for key, label in QUEUES.items()
        ]
        context["queue"] = queue
        context["queue_label"] = QUEUES[queue]
        context.update(list_views_context(self.request, QUEUE_LIST, context["queues"]))
        if context["active_view"] is not None:
            context["queue_label"] = context["active_view"].name
        context["show"] = dict.fromkeys(context["shown_columns"], True)
        # Any column off by default shown: the rows test each of those (else none).
        context["show_extra"] = any(not column.default for column in QUEUE_COLUMNS
                                    if column.key in context["show"])
        context["headers"] = column_headers(self.request, context["shown_columns"])
        # "/service-desk/tickets/0/" less its "0/": each row's link is this plus its id,
        # the same URL {% url %} gives, without resolving it 25 times.
        context["ticket_url_prefix"] = reverse("servicedesk:ticket_detail", args=[0])[:-2]
        lookups = kwargs["lookups"]
        context["teams"] = [team for team in lookups["team"] if team.is_active]
        if not wants_table_only(self.request):
            context["filter_fields"] = filter_panel(kwargs["filterset"], lookups,
                                                    self.request.user.active_organisation_id)
        context["now"] = timezone.now()
        return context


def column_headers(request, shown: list[str]) -> list[dict]:
    """The queue's headings: each sortable one a link that sorts by it (again: the other
    way), with aria-sort on the one sorted by."""
    sort = request.GET.get("sort", "")
    query = request.GET.copy()
    query.pop("page", None)
    headers = []
    for column in QUEUE_COLUMNS:
        if column.key not in shown:
            continue
        header = {"key": column.key, "label": column.label, "url": "", "aria_sort": ""}
        if column.sort:
            ascending = sort == column.sort
            query["sort"] = f"-{column.sort}" if ascending else column.sort
            header["url"] = f"?{query.urlencode()}"
            if sort.lstrip("-") == column.sort:
                header["aria_sort"] = "descending" if sort.startswith("-") else "ascending"
        headers.append(header)
    return headers


# Ticket columns the queue's rows never show: not read, nor parsed (14 timestamps a row).
QUEUE_DEFER = ("description", "resolution_note", "business_service", "configuration_item",
               "channel", "impact", "urgency", "clock_started_at", "banked_minutes",
               "response_due_at", "responded_at", "resolved_at", "closed_at",
               "response_breached_at", "warning_due_at", "warning_sent_at",
               "first_contact_resolution", "reopen_count", "created_by", "updated_by")


# The filter panel's related-record choices, loaded once a request: they are the options of
# the panel's selects and the look-up tables for the rows' team and service unit.
LOOKUP_FILTERS = ("team", "category", "service_unit", "site", "assignee")


def filter_lookups(filterset, workers=None) -> dict[str, list]:
    """The choices of the related-record filters; `workers`, the assignees the desk's
    kept configuration holds (the same people the filter's queryset selects)."""
    lookups = {}
    for name in LOOKUP_FILTERS:
        if name == "assignee" and workers is not None:
            lookups[name] = list(workers)
            continue
        field = filterset.form.fields[name]
        lookups[name] = list(field.queryset)
    return lookups


def attach_related(tickets: list[Ticket], lookups: dict[str, list]) -> list[Ticket]:
    """Put each ticket's team, service unit, category, site and assignee in place from
    the look-up lists."""
    for name in LOOKUP_FILTERS:
        put_related(tickets, name, lookups[name])
    return tickets


def put_related(tickets, name: str, candidates) -> None:
    """Set each ticket's <name> from records already loaded, as select_related would;
    one not among them is loaded by id, as usual, when used."""
    field = Ticket._meta.get_field(name)
    by_id = {obj.pk: obj for obj in candidates}
    for ticket in tickets:
        value = getattr(ticket, field.attname)
        if value is None:
            field.set_cached_value(ticket, None)
        elif value in by_id:
            field.set_cached_value(ticket, by_id[value])


_panels = LocalCache("filter-panels", size=256)  # least recently used out first


def filter_panel(filterset, lookups: dict[str, list], organisation_id) -> str:
    """The filter fields' HTML ({{ field.as_field_group }} for each, as the generic list
    renders them), kept per process for the same inputs.

    The markup is a pure function of the submitted filter values (which also decide the
    errors shown), whether the form is bound, and the choices of the four related-record
    filters, so those form the key: the same key gives the same HTML. Rendering 13 fields
    through the GOV.UK form templates cost more than the rest of the page."""
    form = filterset.form
    data = filterset.data or {}
    values = tuple((name, tuple(data.getlist(name)) if hasattr(data, "getlist")
                    else (data.get(name),)) for name in form.fields if name in data)
    choices = tuple((name, tuple((obj.pk, str(obj)) for obj in lookups[name]))
                    for name in LOOKUP_FILTERS)
    # A typed record's box shows its reference and name, which may change under the
    # same value (`?ci=12`): what the values named is part of the key too.
    named = tuple((name, str(form.cleaned_data.get(name) or ""))
                  for name, field in form.fields.items()
                  if name in data and isinstance(field, SuggestedRecordField)
                  and hasattr(form, "cleaned_data"))
    key = (organisation_id, filterset.is_bound, values, choices, named)
    return _panels.get_or_build(key, lambda: mark_safe(  # noqa: S308 - rendered by the form templates, escaped there
        "".join(field.as_field_group() for field in form)))


class TicketExportView(ObjectExportView):
    """The queue's export links carry ?queue=: export the same tickets the page lists."""

    extra_params = frozenset({"queue"})

    def check_parameters(self, filterset, table_class):
        super().check_parameters(filterset, table_class)
        check_queue(self.request)

    def get_queryset(self):
        return queue_queryset(super().get_queryset(), self.request)


class TicketPermissionMixin(LoginRequiredMixin):
    """Checks the declared `permission_action` on tickets against the role in the active
    organisation (SECURITY.md rules 6 and 7); record rules then narrow with visible_to."""

    permission_action = "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope.can(
            request.user, self.permission_action, Ticket, None
        ):
            raise PermissionDenied("Your role does not allow you to do that.")
        return super().dispatch(request, *args, **kwargs)


class TicketMixin(TicketPermissionMixin):
    permission_action = "view"
    entry = None  # set by crud_urls; ticket views know their model

    related = ("requester", "requester__user", "team", "assignee", "category", "service_unit",
               "site", "sla_policy", "parent")

    def get_ticket(self, pk) -> Ticket:
        return get_object_or_404(
            Ticket.objects.visible_to(self.request.user).select_related(*self.related), pk=pk)


# What the ticket page shows, in one query. Planning a ten-table join cost PostgreSQL
# ~14 ms, seven tables ~5 ms, five ~0.9 ms and two ~0.6 ms; so only the requester is
# joined. The team and the assignee come from the lists the assignment form loads anyway,
# or from scalar subqueries (planned on their own, ~0.1 ms); whether the ticket has links,
# children or files comes with it too, so most tickets need no query for those. The
# service unit, site, category and SLA policy come from the desk's cached configuration
# (ticket_context), and a parent (rare) on use.
TICKET_PAGE_RELATED = ("requester",)


def _column(model, field_name: str, key: str):
    return Subquery(model.objects.filter(pk=OuterRef(key)).order_by().values(field_name)[:1])


def _page_extras() -> dict:
    """The expressions of with_page_extras (compiled once per process: compiling six
    subqueries cost more on each request than PostgreSQL takes to run them).
    Attachments are matched by content type name, not a cached id."""
    from borough.core.models import Attachment
    from borough.servicedesk.models import TicketLink, WorkLog

    return {
        "team_name": _column(Team, "name", "team_id"),
        **{f"assignee_{name}": _column(User, name, "assignee_id") for name in ASSIGNEE_FIELDS},
        "has_links": Exists(TicketLink.objects.filter(from_ticket=OuterRef("pk"))),
        "has_children": Exists(Ticket.objects.filter(parent=OuterRef("pk"))),
        "has_work_logs": Exists(WorkLog.objects.filter(ticket=OuterRef("pk"))),
        "has_attachments": Exists(Attachment.objects.filter(
            content_type__app_label=Ticket._meta.app_label,
            content_type__model=Ticket._meta.model_name, object_id=OuterRef("pk"))),
        # "CI-000123 Payroll server": the page names and links its CI without a join.
        "ci_label": cmdb_queries.label_of("ci_id"),
        "service_label": catalogue_queries.label_of("service_id"),
        # What the panels other apps add to the page need to know (a linked problem).
        **registry.page_annotations(TICKET_PAGE),
    }


PAGE_EXTRAS = PrecompiledAnnotations(Ticket, _page_extras)


def with_page_extras(qs):
    """Annotate what the ticket page needs besides the joined relations (see above)."""
    return qs.annotate(**PAGE_EXTRAS.on(qs))


ASSIGNEE_FIELDS = ("username", "first_name", "last_name")  # what str(User) reads


def put_annotated_relations(ticket: Ticket) -> None:
    """Team and assignee from `with_page_extras`' columns, as instances whose other fields
    are deferred (loaded on use, like .only()), so str() and links work as usual."""
    db = ticket._state.db
    if ticket.team_id is not None and not Ticket.team.is_cached(ticket):
        Ticket.team.field.set_cached_value(
            ticket, Team.from_db(db, ["id", "name"], [ticket.team_id, ticket.team_name]))
    if ticket.assignee_id is not None and not Ticket.assignee.is_cached(ticket):
        values = [getattr(ticket, f"assignee_{name}") for name in ASSIGNEE_FIELDS]
        Ticket.assignee.field.set_cached_value(
            ticket, User.from_db(db, ["id", *ASSIGNEE_FIELDS], [ticket.assignee_id, *values]))


class TicketDetailView(TicketMixin, TemplateView):
    template_name = "servicedesk/ticket_detail.html"
    related = TICKET_PAGE_RELATED

    def get_ticket(self, pk) -> Ticket:
        return get_object_or_404(with_page_extras(
            Ticket.objects.visible_to(self.request.user).select_related(*self.related)), pk=pk)

    def get(self, request, *args, **kwargs):
        ticket = self.get_ticket(kwargs["pk"])
        if not is_worker(request.user):
            return HttpResponseRedirect(reverse("servicedesk:portal_ticket", args=[ticket.pk]))
        return self.render_to_response(self.get_context_data(**ticket_context(request, ticket)))


def ticket_context(request, ticket: Ticket, *, forms=None, **extra) -> dict:
    """What the ticket page and its panel show. `forms`: an action's form bound with what
    was typed, after a try that failed (drawn with its messages, input kept)."""
    from borough.core.queries import attachments_for
    from borough.servicedesk.models import CannedResponse, TimelineEntry

    user = request.user
    can_work = user.has_perm("servicedesk.work_tickets", ticket)
    config = queries.desk_config(ticket.organisation_id, getattr(request, "organisation", None))
    for name in ("service_unit", "site", "category"):
        put_related([ticket], name, config.records[name].values())
    if ticket.sla_policy_id is not None and ticket.status not in DONE_STATUSES:
        # An inactive policy is not in the cache: loaded on use.
        put_related([ticket], "sla_policy", config.policies)
    teams = Team.objects.visible_to(user).filter(is_active=True)
    # A callable: the template calls it only where it shows the assignment form.
    assignees = partial(list, config.workers)  # kept with the desk configuration
    if can_work and ticket.status not in DONE_STATUSES:  # the assignment form is shown
        teams, assignees = list(teams), assignees()
        put_related([ticket], "team", teams)
        put_related([ticket], "assignee", assignees)
    if hasattr(ticket, "team_name"):
        put_annotated_relations(ticket)
    context = {
        "ticket": ticket,
        "object": ticket,
        "entry": registry.get(Ticket),
        # The page shows each entry's author_name, kept on the entry: no join to users.
        "timeline": TimelineEntry.objects.visible_to(user).filter(ticket=ticket),
        "sla": sla_state(ticket, timezone.now(), config),
        "can_work": can_work,
        "statuses": [s for s in Status if s != ticket.status],
        "teams": teams,
        "assignees": assignees,
        "canned": CannedResponse.objects.visible_to(user).filter(is_active=True),
        "attachments": attachments_for(ticket, user) if _may_have(ticket, "attachments") else [],
        "content_type_id": _ticket_content_type_id(),
        "links": ticket.links_out.select_related("to_ticket") if _may_have(ticket, "links") else [],
        "children": ticket.children.all()[:50] if _may_have(ticket, "children") else [],
        "link_kinds": LinkKind.choices,
        "levels": [(1, "High"), (2, "Medium"), (3, "Low")],
        "is_done": ticket.status in DONE_STATUSES,
        "actions": offered(services.TICKET_ACTIONS, ticket, user, "servicedesk:ticket", forms),
        "status_targets": status_targets(ticket, user),
        "about": concerns.ticket_page(ticket, user),
        # Staff time: read by those who work tickets (queried only when there is some).
        "work_log": (queries.work_log(ticket, user)
                     if can_work and _may_have(ticket, "work_logs") else None),
        # What other apps show about the ticket: service status (a major incident's
        # announcement) to anyone who reads it; problems and known errors to staff.
        "panels": registry.panels_for(ticket, user) + (
            registry.page_panels_for(TICKET_PAGE, ticket, user) if can_work else []),
    }
    context["action_error"] = failure(forms)
    offers = context["actions"]
    context["composer"], context["keep_files"] = composer_for(request, ticket, offers, forms)
    if "update" in offers:
        context["update"] = update_values(ticket, offers["update"].form)
    if "resolve" in offers:
        context["resolve_form"] = resolve_form(ticket, user, offers["resolve"].form, config)
    context.update(extra)
    return context


def composer_for(request, ticket: Ticket, offers: dict, forms: dict | None):
    """The reply-or-note box: bound with its own post when that failed; else with the
    draft the page's other forms carried along (hx-include), so an action done or refused
    beside it never loses what was being typed; else empty. Also whether the file box
    should be kept as it is in the browser (hx-preserve): only when another form posted,
    since the composer's own post either used its files or asks for them again."""
    from borough.servicedesk.forms import ComposerForm
    from borough.servicedesk.models import CannedResponse

    may_reply = "reply" in offers and ticket.status not in DONE_STATUSES
    may_note = "note" in offers
    if not (may_reply or may_note):
        return None, False
    own = (forms or {}).get("compose")
    if own is not None:
        own.may_reply = may_reply
        return own, False
    posted = request.POST if request.method == "POST" else {}
    draft = {name: posted.get(f"composer-{name}") for name in ("kind", "body", "canned")
             if f"composer-{name}" in posted}
    # The canned list is drawn from the page's own (one query, not two).
    form = ComposerForm(record=ticket, user=request.user, may_note=may_note,
                        canned=CannedResponse.objects.none(), initial=draft)
    form.may_reply = may_reply  # canned responses are offered with replies only
    if not may_reply:
        form.fields["kind"].choices = [c for c in form.fields["kind"].choices if c[0] == "note"]
        form.fields["kind"].initial = "note"
    return form, bool(draft)


def update_values(ticket: Ticket, form) -> dict:
    """What the update form's selects show: what was sent when it just failed, else the
    ticket as it is."""
    if form is not None and form.is_bound:
        return {name: form.data.get(name, "") for name in
                ("team", "assignee", "status", "impact", "urgency", "note", "ci",
                 "service")} | {
            "errors": form.errors}
    return {"team": str(ticket.team_id or ""), "assignee": str(ticket.assignee_id or ""),
            "status": ticket.status, "impact": str(ticket.impact),
            "urgency": str(ticket.urgency), "note": "", "errors": {},
            "ci": getattr(ticket, "ci_label", None) or "",
            "service": getattr(ticket, "service_label", None) or ""}


def resolve_form(ticket: Ticket, user, bound, config):
    """The resolve form, its code a choice the desk may require (then "Not given" goes;
    the desk's kept configuration says, and the service checks again when resolving)."""
    from borough.servicedesk.forms import ResolveForm

    form = bound if bound is not None else ResolveForm(record=ticket, user=user)
    if config.require_resolution_code:
        field = form.fields["code"]
        field.required = True
        field.choices = [c for c in field.choices if c[0]]
    return form


# Moves with forms of their own on the ticket page, not in the status list.
OWN_FORMS = {"resolve", "close", "reopen", "requester-replied"}


def status_targets(ticket: Ticket, user) -> list[Status]:
    """The statuses the user may move the ticket to from the status list (the update
    form also offers the current one: left as it is, the status is not changed)."""
    targets = {t.target for t in TICKET.available(ticket, user) if t.name not in OWN_FORMS}
    return [status for status in Status if status in targets or status == ticket.status]


def ticket_panel(request, ticket: Ticket, *, forms=None, message=None, conflict=None,
                 status=200):
    """The ticket page's panel, drawn again in place after an action (HTMX)."""
    fresh = get_object_or_404(with_page_extras(Ticket.objects.visible_to(request.user)
                                               .select_related(*TICKET_PAGE_RELATED)),
                              pk=ticket.pk)
    context = ticket_context(request, fresh, forms=forms, action_message=message,
                             conflict=conflict)
    return render(request, "servicedesk/includes/ticket_panel.html", context, status=status)


def ticket_page(request, ticket: Ticket, *, forms=None, conflict=None, status=400):
    """The whole ticket page again, with the failing form bound (no JavaScript)."""
    fresh = get_object_or_404(with_page_extras(Ticket.objects.visible_to(request.user)
                                               .select_related(*TICKET_PAGE_RELATED)),
                              pk=ticket.pk)
    context = ticket_context(request, fresh, forms=forms, conflict=conflict)
    return render(request, "servicedesk/ticket_detail.html", context, status=status)


def _may_have(ticket: Ticket, what: str) -> bool:
    """False only when the page's query said the ticket has none (see with_page_extras)."""
    return getattr(ticket, f"has_{what}", True)


def _ticket_content_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Ticket).pk


class ComposeView(RecordActionView):
    """The composer's POST: a public reply or an internal note (as its `kind` says), with
    any files, through the reply or note action, all or nothing. HTMX draws the panel
    again (422 with the composer bound when refused); without JavaScript the whole page
    comes back with the errors, or the ticket page with the message."""

    record_action = services.reply  # its permission ("add") admits; the chosen one decides
    http_method_names = ["post"]

    def post(self, request, pk):
        from borough.servicedesk.forms import ComposerForm

        record = self.get_record()
        offers = {a.name for a in services.TICKET_ACTIONS.available(record, request.user)}
        form = ComposerForm(request.POST, request.FILES, record=record, user=request.user,
                            may_note="note" in offers)
        action = services.add_note if form.data.get("composer-kind") == "note" else services.reply
        result, conflict = perform(action, form, record, request.user)
        if form.errors:
            form.files_not_kept()
            if request.htmx:
                return ticket_panel(request, self.get_record(), forms={"compose": form},
                                    status=422)
            return ticket_page(request, record, forms={"compose": form}, status=400)
        if request.htmx:
            return ticket_panel(request, self.get_record(), message=action.message(result))
        messages.success(request, action.message(result))
        return HttpResponseRedirect(reverse("servicedesk:ticket_detail", args=[record.pk]))


class TicketCreateView(LoginRequiredMixin, TemplateView):
    """Staff raise a ticket on someone's behalf (phone, walk-in)."""

    permission_action = "add"
    template_name = "servicedesk/ticket_form.html"
    entry = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("servicedesk.work_tickets"):
            if not scope.can(request.user, "add", Ticket, None):
                # An Auditor changes nothing (SECURITY.md rule 6): refuse, don't redirect.
                raise PermissionDenied("Your role does not allow you to raise tickets.")
            return HttpResponseRedirect(reverse("servicedesk:portal_new"))
        return super().dispatch(request, *args, **kwargs)

    def form(self, data=None, files=None):
        instance = Ticket(organisation_id=self.request.user.active_organisation_id)
        return forms.TicketForm(data=data, files=files, instance=instance, user=self.request.user)

    def get(self, request):
        return self.render_to_response({"form": self.form()})

    def post(self, request):
        form = self.form(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.raise_ticket(
                    request.user.active_organisation_id, actor=request.user, ticket_type=data["ticket_type"],
                    title=data["title"], description=data["description"], requester=data["requester"],
                    channel=data["channel"], service_unit=data["service_unit"], site=data["site"],
                    category=data["category"], impact=data["impact"], urgency=data["urgency"],
                    team=data["team"], assignee=data["assignee"], ci=data.get("ci"),
                    service=data.get("service"),
                    idempotency_key=data.get("submission_key") or None, desk=form.desk,
                    files=data["attachments"])
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{ticket.reference} raised.")
                return HttpResponseRedirect(reverse("servicedesk:ticket_detail", args=[ticket.pk]))
        form.files_not_kept()
        return self.render_to_response({"form": form}, status=400)


class RequesterSearchView(LoginRequiredMixin, View):
    """Suggestions for the staff form's requester box: <option>s for its <datalist>,
    at most 20, among the people the user can see (visible_to)."""

    permission_action = "add"  # part of raising a ticket; checked below as the form is
    http_method_names = ["get"]

    def get(self, request):
        from borough.organisation.models import Person

        if not request.user.has_perm("servicedesk.work_tickets"):
            raise PermissionDenied("Only service desk staff can do that.")
        text = request.GET.get("requester") or request.GET.get("q") or ""
        people = forms.find_people(
            Person.objects.visible_to(request.user).select_related("service_unit"), text)
        return render(request, "servicedesk/includes/requester_suggestions.html",
                      {"people": [(forms.requester_label(p), p) for p in people]})


class TicketEditView(ObjectEditView):
    """Correct a ticket's description fields; status and assignment have their own actions."""

    class EditForm(forms.TicketForm):
        requester = None  # who raised it is not corrected here

        class Meta(forms.TicketForm.Meta):
            fields = ["title", "description", "service_unit", "site", "category", "ci",
                      "service", "configuration_item", "business_service"]

        def __init__(self, *args, **kwargs):
            super(forms.TicketForm, self).__init__(*args, **kwargs)

    def get_form(self, instance, data=None, files=None):
        return self.EditForm(data=data, instance=instance, user=self.request.user)

    def save(self, form, instance):
        return services.update_ticket(instance, actor=self.request.user,
                                      expected_version=form.cleaned_data.get("version"),
                                      **form.model_data())

    def detail_url(self, obj):
        return reverse("servicedesk:ticket_detail", args=[obj.pk])


class TicketDeleteView(ObjectDeleteView):
    """Tickets are never deleted: they are cancelled, and the history stays. The page
    says so and offers the cancel form; a POST deletes nothing."""

    permission_action = "change"
    template_name = "servicedesk/ticket_confirm_delete.html"

    def get_context_data(self, **kwargs):
        ticket = self.get_object()
        return {"object": ticket, "ticket": ticket, "entry": self.entry,
                "is_done": ticket.status in DONE_STATUSES, **kwargs}

    def post(self, request, *args, **kwargs):
        ticket = self.get_object()
        messages.error(request, "Tickets cannot be deleted. Cancel it instead, giving a reason.")
        return HttpResponseRedirect(reverse("servicedesk:ticket_detail", args=[ticket.pk]))


class BulkActionView(LoginRequiredMixin, View):
    """Close or assign the selected tickets, each through its record action: what was done
    is counted, and each refusal is named."""

    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request):
        if not request.user.has_perm("servicedesk.work_tickets"):
            raise PermissionDenied("Only service desk staff can do that.")
        ids = [pk for pk in map(parse_id, request.POST.getlist("ticket")) if pk]
        tickets = list(Ticket.objects.visible_to(request.user).filter(pk__in=ids))
        back = request.POST.get("queue", "all")
        choice = request.POST.get("action")
        if not tickets:
            messages.error(request, "Select at least one ticket.")
        elif choice in ("close", "assign"):
            if choice == "close":
                done, refused = services.close.many(tickets, actor=request.user)
                verb = "closed"
            else:
                team = Team.objects.visible_to(request.user).filter(
                    pk=parse_id(request.POST.get("team"))).first()
                done, refused = services.assign.many(tickets, actor=request.user, team=team)
                verb = f"assigned to {team or 'no team'}"
            count = len(done)
            messages.success(request, f"{count} ticket{'s' if count != 1 else ''} {verb}.")
            if refused:
                messages.error(request, f"{len(refused)} not {verb.split()[0]}: "
                               + "; ".join(f"{why} ({t.reference})" for t, why in refused[:5]))
        else:
            messages.error(request, "Choose an action.")
        queue = back if back in QUEUES else "all"
        return HttpResponseRedirect(f"{reverse('servicedesk:ticket_list')}?queue={queue}")


__all__ = ["TicketType"]
