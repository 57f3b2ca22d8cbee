"""SECURITY.md rules 6, 7 and 17 over the whole URL configuration.

Rule 7: every view and API route declares its permission (walks the resolver).
Rule 17: no GET changes state.
Rule 6: the Auditor changes nothing: every unsafe route of every registered model,
replayed as an Auditor, is refused and leaves the database as it was.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.views import View
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from borough.core import roles, scope
from borough.core.models import Attachment, AuditEvent, Comment
from borough.core.registry import registry
from borough.organisation.models import WorkingPeriod
from tests.conftest import make_member
from tests.factories import FACTORIES

HTML_ACTIONS = {"view", "add", "change", "delete", "public"}

# Borough views anyone may open, signed in or not. Adding to this list is a security review.
PUBLIC_VIEWS = {
    "borough.accounts.views.LoginView",
    "borough.accounts.views.LogoutView",
    "borough.accounts.views.PasswordResetView",
    "borough.accounts.views.PasswordResetDoneView",
    "borough.accounts.views.PasswordResetConfirmView",
    "borough.accounts.views.PasswordResetCompleteView",
    "borough.core.views.pages.HealthView",
    # The accessibility statement: the regulations want it readable before signing in.
    "borough.core.views.statement.AccessibilityStatementView",
    # A requester's signed link from an email: one ticket, for one person
    # (servicedesk.links), and the address of links in emails sent before it moved.
    "borough.servicedesk.views.requester_link.RequesterLinkView",
    "borough.servicedesk.views.requester_link.RequesterLinkActionView",
    "borough.servicedesk.views.requester_link.OldRequesterLinkView",
    # A person's secret renewals calendar address, for calendar programs that cannot sign
    # in: read-only, stored hashed, one organisation, revocable (tests/commercial).
    "borough.commercial.views.CalendarFeedView",
    # The same for the forward schedule of change (tests/changes/test_pages.py).
    "borough.changes.views.FeedView",
    # The OpenAPI schema (drf-spectacular's view, generated once per process): the API's
    # shape, the same for everyone, never data (tests/test_schema.py).
    "borough.core.views.api_schema.SchemaView",
}

# Views that are not Borough's own and guard themselves.
THIRD_PARTY_VIEWS = {
    # The schema and its docs page describe the API's shape, never data.
    "drf_spectacular.views.SpectacularAPIView",
    "drf_spectacular.views.SpectacularSwaggerSplitView",
    # The browsable API's index: links only, behind our default permission class.
    "rest_framework.routers.APIRootView",
}
# Everything under the Django admin site checks is_staff and model permissions itself.
THIRD_PARTY_NAMESPACES = {"admin"}

# Names of views that change state; a GET on them must not.
STATE_CHANGING_NAMES = ("delete", "logout", "switch", "revoke")


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None  # "namespace:name"
    namespaces: tuple[str, ...]
    pattern: URLPattern

    @property
    def callback(self):
        return self.pattern.callback

    @property
    def view_class(self):
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def dotted(self) -> str:
        owner = self.view_class or self.callback
        return f"{owner.__module__}.{owner.__qualname__}"

    @property
    def is_api(self) -> bool:
        return self.view_class is not None and issubclass(self.view_class, APIView)

    @property
    def is_borough(self) -> bool:
        return self.dotted.startswith("borough.")

    def __str__(self):
        return f"/{self.route} ({self.dotted})"


def walk(patterns=None, prefix="", namespaces=()) -> list[Route]:
    routes = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            routes += walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            routes.append(Route(prefix + str(entry.pattern), name, namespaces, entry))
    return routes


ROUTES = walk()


def permission_problems(routes: list[Route]) -> list[str]:
    """What rule 7 finds wrong with each route; empty when every route declares."""
    problems = []
    for route in routes:
        cls = route.view_class
        if not route.is_borough:
            if route.dotted in THIRD_PARTY_VIEWS or set(route.namespaces) & THIRD_PARTY_NAMESPACES:
                continue
            problems.append(f"{route}: not a Borough view and not on the allowlist")
        elif route.is_api:
            classes = list(getattr(cls, "permission_classes", None) or [])
            if not classes:
                problems.append(f"{route}: API view without permission_classes")
            elif AllowAny in classes and route.dotted not in PUBLIC_VIEWS:
                problems.append(f"{route}: API view open to anyone (AllowAny)")
        else:
            action = getattr(cls or route.callback, "permission_action", None)
            if action is None:
                problems.append(f"{route}: declares no permission_action")
            elif action not in HTML_ACTIONS:
                problems.append(f"{route}: unknown permission_action {action!r}")
            elif action == "public" and route.dotted not in PUBLIC_VIEWS:
                problems.append(f"{route}: public but not on the PUBLIC_VIEWS list")
    return problems


# --- Rule 7: every route declares its permission ----------------------------------------


def test_every_route_declares_its_permission():
    assert permission_problems(ROUTES) == []


def test_the_walk_reaches_every_registered_models_pages_and_api():
    names = {r.name for r in ROUTES}
    for entry in registry.all():
        for action in ("list", "export", "add", "detail", "history", "edit", "delete"):
            assert entry.url_name(action) in names
        assert f"api:{entry.app_label}-{entry.model_name}-list" in names
        assert f"api:{entry.app_label}-{entry.model_name}-detail" in names


def test_the_check_catches_views_that_declare_nothing():
    class Undeclared(View):
        pass

    class OpenApi(APIView):
        permission_classes = [AllowAny]

    class Sneaky(View):
        permission_action = "public"

    class ThirdParty(View):
        pass

    for cls in (Undeclared, OpenApi, Sneaky):
        cls.__module__ = "borough.example.views"
    ThirdParty.__module__ = "somepackage.views"
    fake = walk([path("a/", Undeclared.as_view()), path("b/", OpenApi.as_view()),
                 path("c/", Sneaky.as_view()), path("d/", ThirdParty.as_view())])
    problems = permission_problems(fake)
    assert len(problems) == 4
    assert "declares no permission_action" in problems[0]
    assert "AllowAny" in problems[1]
    assert "PUBLIC_VIEWS" in problems[2]
    assert "allowlist" in problems[3]


def placeholder_kwargs(pattern: URLPattern) -> dict[str, object]:
    """Values that make reverse() work: 1 for ids, the first choice of `(?P<x>a|b)`."""
    converters = getattr(pattern.pattern, "converters", {})
    kwargs = {name: 1 if type(conv).__name__ == "IntConverter" else "x"
              for name, conv in converters.items()}
    regex = pattern.pattern.regex.pattern
    for name in pattern.pattern.regex.groupindex:
        if name in kwargs:
            continue
        body = re.search(rf"\(\?P<{name}>(.*?)\)", regex).group(1)
        if re.fullmatch(r"[\w|-]+", body):
            kwargs[name] = body.split("|")[0]
        else:
            kwargs[name] = next(c for c in ("1", "x", "json") if re.fullmatch(body, c))
    return kwargs


def own_routes():
    """Borough's routes with a name, without DRF's `.json` format-suffix twins."""
    return [r for r in ROUTES if r.is_borough and r.name and "<format>[a-z0-9]" not in r.route]


@pytest.mark.django_db
@pytest.mark.parametrize("route", own_routes(), ids=lambda r: r.name)
def test_non_public_routes_refuse_anonymous_callers(route, client):
    url = reverse(route.name, kwargs=placeholder_kwargs(route.pattern))
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if route.dotted in PUBLIC_VIEWS:
            assert response.status_code < 500
            continue
        if route.is_api:
            assert response.status_code in (401, 403, 405), (method, response.status_code)
        else:
            assert response.status_code in (302, 403, 405), (method, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("accounts:login"))


# --- Rule 17: no GET changes state --------------------------------------------------------

WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# Bookkeeping a GET may write: the session (active organisation, messages) and login audit.
BOOKKEEPING_TABLES = ("django_session", "axes_")


def data_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if WRITE_SQL.match(q["sql"])
            and not any(table in q["sql"] for table in BOOKKEEPING_TABLES)]


def test_data_writes_ignores_only_bookkeeping():
    queries = [{"sql": 'SELECT 1'}, {"sql": 'UPDATE "django_session" SET x = 1'},
               {"sql": 'INSERT INTO "axes_accessattempt" VALUES (1)'},
               {"sql": 'UPDATE "organisation_person" SET "full_name" = %s'},
               {"sql": ' delete from "core_comment"'}]
    assert len(data_writes(queries)) == 2


def test_the_walk_finds_the_state_changing_views():
    names = {r.view_class.__name__.lower() for r in ROUTES if r.is_borough and r.view_class}
    for word in STATE_CHANGING_NAMES:
        assert any(word in name for name in names), word


@pytest.fixture
def world(org_a, admin_a, settings, tmp_path):
    """One record of every registered model (that has a factory), a comment, a file and
    an API token, so GETs reach real records rather than stopping at a 404."""
    from borough.accounts import services as account_services
    from borough.core import attachments, comments

    settings.ATTACHMENTS_ROOT = tmp_path / "files"
    admin_a.active_organisation_id = org_a.pk
    records = {e: FACTORIES[e.model](organisation=org_a)
               for e in registry.all() if e.model in FACTORIES}
    person = next(obj for e, obj in records.items() if e.model_name == "person")
    comments.add_comment(person, "A comment", actor=admin_a)
    attachment = attachments.add_attachment(
        person, SimpleUploadedFile("a.txt", b"text", "text/plain"), actor=admin_a)
    token, _ = account_services.create_token(admin_a, actor=admin_a, name="monitoring")
    pk_for = {e.url_name(a): obj.pk for e, obj in records.items()
              for a in ("detail", "history", "edit", "delete")}
    pk_for |= {"core:attachment_download": attachment.pk, "accounts:token_revoke": token.pk}
    content = {"content_type_id": ContentType.objects.get_for_model(type(person)).pk,
               "object_id": person.pk}
    return {"pk_for": pk_for, "content": content, "records": records, "token": token}


def route_url(route, world) -> str:
    kwargs = placeholder_kwargs(route.pattern)
    if "pk" in kwargs and route.name in world["pk_for"]:
        kwargs["pk"] = world["pk_for"][route.name]
    if "content_type_id" in kwargs:
        kwargs |= world["content"]
    return reverse(route.name, kwargs=kwargs)


@pytest.mark.django_db
def test_no_get_writes_to_the_database(world, admin_a, client):
    """Every Borough page and API route, requested with GET by an Administrator, writes
    nothing: delete pages confirm, and log out, switch and revoke refuse GET."""
    client.force_login(admin_a)
    client.get(reverse("core:home"))  # the first request stores the active organisation
    problems, statuses = [], {}
    for route in own_routes():
        url = route_url(route, world)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        statuses[route.name] = response.status_code
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
        if writes := data_writes(queries):
            problems.append(f"{url}: GET wrote {writes[0][:80]}")
    assert problems == []
    # The walk reached real pages, so the check above means something.
    for entry in world["records"]:
        assert statuses[entry.url_name("delete")] == 200, entry.url_name("delete")
    for name in ("accounts:logout", "accounts:switch_organisation", "accounts:token_revoke"):
        assert statuses[name] == 405, name


def entry_id(entry):
    return entry.model._meta.label


def make_record(entry, organisation):
    """A saved record of the entry's model. Models without a factory yet are skipped here:
    tests/core/test_isolation.py::test_registry_entry_is_complete fails for them."""
    if entry.model not in FACTORIES:
        pytest.skip(f"no factory for {entry.model._meta.label} in tests/<app>/factories.py")
    return FACTORIES[entry.model](organisation=organisation)


@pytest.mark.django_db
@pytest.mark.parametrize("entry", registry.all(), ids=entry_id)
def test_get_on_a_delete_page_deletes_nothing(entry, org_a, admin_a, client):
    obj = make_record(entry, org_a)
    client.force_login(admin_a)
    for _ in range(2):
        response = client.get(reverse(entry.url_name("delete"), args=[obj.pk]))
        assert response.status_code == 200
        assert "<form method=\"post\"" in response.content.decode()
    assert entry.model.objects.filter(pk=obj.pk).exists()
    assert not AuditEvent.objects.filter(action="delete").exists()


@pytest.mark.django_db
def test_get_on_logout_switch_and_revoke_does_nothing(org_a, org_b, admin_a, client):
    from borough.accounts import services
    from borough.accounts.middleware import SESSION_KEY
    from borough.accounts.models import ApiToken

    make_member(org_b, roles.AGENT, username=admin_a.username)  # admin_a also works in B
    token, _ = services.create_token(admin_a, actor=admin_a, name="monitoring")
    client.force_login(admin_a)
    client.get(reverse("core:home"))
    organisation = client.session[SESSION_KEY]

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("accounts:switch_organisation"),
                      {"organisation": org_b.pk if organisation == org_a.pk else org_a.pk}
                      ).status_code == 405
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405

    assert client.get(reverse("core:home")).status_code == 200  # still signed in
    assert client.session[SESSION_KEY] == organisation
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


# --- Rule 6: the Auditor changes nothing ----------------------------------------------------


def form_data(entry, instance, user) -> dict[str, object]:
    """What the entry's form would post for `instance` unchanged."""
    form = entry.form(instance=instance, user=user)
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
            continue
        if value is None:
            value = ""
        elif isinstance(value, datetime.time):
            value = value.strftime("%H:%M")
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        elif isinstance(value, list | tuple):
            value = [str(v) for v in value]
        data[field.html_name] = value
    return data


def api_data(entry, instance) -> dict[str, object]:
    """What the entry's serializer shows for `instance`, as a client would send it back."""
    from rest_framework.request import Request

    request = Request(APIRequestFactory().get("/"))
    serializer = entry.serializer(instance, context={"request": request})
    writable = {n for n, f in serializer.fields.items() if not f.read_only}
    return {k: v for k, v in serializer.data.items() if k in writable}


def database_state(entry) -> dict[str, object]:
    return {
        "rows": sorted(entry.model.objects.values_list("pk", "version")),
        "full": list(entry.model.objects.order_by("pk").values()),
        "audit": AuditEvent.objects.count(),
        "comments": Comment.objects.count(),
        "attachments": Attachment.objects.count(),
    }


@pytest.fixture
def auditor(org_a):
    return make_member(org_a, roles.AUDITOR, "auditor-a")


def api_url(entry, action, *args):
    return reverse(f"api:{entry.app_label}-{entry.model_name}-{action}", args=args)


@pytest.mark.django_db
@pytest.mark.parametrize("entry", registry.all(), ids=entry_id)
def test_auditor_replaying_every_unsafe_route_changes_nothing(
    entry, org_a, admin_a, auditor, client, api_client, settings, tmp_path
):
    settings.ATTACHMENTS_ROOT = tmp_path / "files"
    obj = make_record(entry, org_a)
    admin_a.active_organisation_id = org_a.pk
    html = form_data(entry, obj, admin_a) | {"submission_key": "replay"}
    api = api_data(entry, obj)
    before = database_state(entry)

    client.force_login(auditor)
    refused = (403, 405)
    for url, data in [
        (reverse(entry.url_name("add")), html),
        (reverse(entry.url_name("edit"), args=[obj.pk]), html),
        (reverse(entry.url_name("delete"), args=[obj.pk]), {"version": obj.version}),
    ]:
        assert client.post(url, data).status_code in refused, url
    ct = ContentType.objects.get_for_model(entry.model)
    assert client.post(reverse("core:comment_add", args=[ct.pk, obj.pk]),
                       {"body": "auditor was here"}).status_code in refused
    assert client.post(
        reverse("core:attachment_add", args=[ct.pk, obj.pk]),
        {"file": SimpleUploadedFile("a.txt", b"auditor", "text/plain")},
    ).status_code in refused

    api_client.force_login(auditor)
    detail = api_url(entry, "detail", obj.pk)
    versioned = api | {"version": obj.version}
    for response in (
        api_client.post(api_url(entry, "list"), api, format="json"),
        api_client.put(detail, versioned, format="json"),
        api_client.patch(detail, versioned, format="json"),
        api_client.delete(detail, HTTP_IF_MATCH=f'"{obj.version}"'),
    ):
        assert response.status_code in refused, (response.request["REQUEST_METHOD"],
                                                 response.content)

    assert database_state(entry) == before


# Rows that would make the replayed record invalid (new organisations get standard
# working hours, which a copied period would overlap).
CLEAR_FOR_CONTROL = {
    WorkingPeriod: lambda org: WorkingPeriod.objects.filter(organisation=org).delete(),
}


def remove(record):
    """Test set-up: delete a record by hand. Borough never deletes a ticket (it is
    cancelled), so the service desk's daily totals are recounted after one is."""
    from borough.servicedesk import daily
    from borough.servicedesk.models import Ticket

    record.delete()
    if isinstance(record, Ticket):
        daily.rebuild()


@pytest.mark.django_db
@pytest.mark.parametrize("entry", registry.all(), ids=entry_id)
def test_the_same_replay_as_an_administrator_does_change_things(
    entry, org_a, admin_a, client, api_client
):
    """The control for the test above: the replayed requests are valid, so a refusal
    there is the permission check and not bad data."""
    template = make_record(entry, org_a)
    admin_a.active_organisation_id = org_a.pk
    html = form_data(entry, template, admin_a) | {"submission_key": "control"}
    api = api_data(entry, template)
    remove(template)
    CLEAR_FOR_CONTROL.get(entry.model, lambda org: None)(org_a)
    model = entry.model
    client.force_login(admin_a)
    api_client.force_login(admin_a)

    # Only what the Administrator role holds for this model (tickets are never deleted).
    held = {a for a in ("add", "change", "delete") if scope.can(admin_a, a, model, org_a.pk)}
    if "add" not in held:
        pytest.skip(f"Administrators may not add {entry.verbose_name_plural}")

    added = client.post(reverse(entry.url_name("add")), html)
    assert added.status_code == 302, added.content.decode()
    created = model.objects.order_by("-pk").first()
    if "change" in held:
        edited = client.post(reverse(entry.url_name("edit"), args=[created.pk]),
                             html | {"version": created.version})
        assert edited.status_code == 302, edited.content.decode()
    if "delete" in held:
        deleted = api_client.delete(api_url(entry, "detail", created.pk),
                                    HTTP_IF_MATCH=f'"{created.version}"')
        assert deleted.status_code == 204
    else:
        remove(created)  # test set-up: make room for the API create below
    assert not model.objects.filter(pk=created.pk).exists()

    posted = api_client.post(api_url(entry, "list"), api, format="json")
    assert posted.status_code == 201, posted.content
    created = model.objects.get(pk=posted.json()["id"])
    if "change" in held:
        patched = api_client.patch(api_url(entry, "detail", created.pk),
                                   api | {"version": created.version}, format="json")
        assert patched.status_code == 200, patched.content
    if "delete" in held:
        removed = client.post(reverse(entry.url_name("delete"), args=[created.pk]),
                              {"version": created.version})
        assert removed.status_code == 302
        assert not model.objects.filter(pk=created.pk).exists()
