"""The API keeps its contract (issue 15, item 9). Schemathesis generates requests for every
operation of the published schema, valid and invalid, each sent as a Requester and then
as an Administrator; and every operation is sent the values that broke it before (a word or a
number past 64 bits as an id or a numeric filter, JSON nested too deep, a body too
large). Every answer must be

- no server error (5xx),
- a status code the schema declares for the operation, with its content type,
- a body the schema's response for that status code describes.

Bounded and repeatable: EXAMPLES valid and EXAMPLES invalid requests per operation, drawn
with a fixed seed (derandomized) and not shrunk. Detail routes are also sent the id of a
real record, so they reach the code behind the 404. DELETEs run last, so they do not take
the records away from the other operations. Requests go through the WSGI application in
this process; the database commits each one as a server would (transactional_db), and CI
runs the test on SQLite and on PostgreSQL like every other.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import override_settings
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from borough.accounts import services as account_services
from borough.core import importing, roles, saved_views
from borough.core.importers import importer_for
from borough.organisation.models import WorkingPeriod
from borough.servicedesk import services as desk_services
from tests.conftest import make_member
from tests.factories import FACTORIES, InboundMessageFactory, OutboundEmailFactory, PersonFactory

EXAMPLES = 5
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
HYPOTHESIS = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))


# A Saturday: the factory's weekday would overlap the organisation's own working hours.
SEED_FIELDS = {WorkingPeriod: {"weekday": 5}}


def seed_records(organisation):
    """A record of every registered model, and of the read-only ones besides."""
    for model, factory in FACTORIES.items():
        factory(organisation=organisation, **SEED_FIELDS.get(model, {}))
    InboundMessageFactory(organisation=organisation)
    OutboundEmailFactory(organisation=organisation)


def caller(organisation, role: str) -> tuple:
    """A member with `role`, a ticket and a saved view of their own, a spare token for
    DELETE to revoke, and the token the run signs in with."""
    user = make_member(organisation, role, f"fuzz-{role.lower()}")
    PersonFactory(organisation=organisation, user=user)
    desk_services.raise_ticket(actor=user, organisation_id=organisation.pk,
                               ticket_type="incident", title="Printer jammed",
                               description="Paper stuck in tray 2.")
    user.active_organisation_id = organisation.pk
    if role != roles.REQUESTER:  # saved views are staff's
        saved_views.save_view(user, list_key="servicedesk.ticket", name="Mine",
                              query="queue=mine", columns=[], known_columns=["reference"])
    if role == roles.ADMINISTRATOR:  # an upload of their own, for the imports' detail routes
        importing.upload(importer_for("organisation.serviceunit"),
                         SimpleUploadedFile("units.csv", b"name\nFuzz unit\n"), user=user,
                         options={})
    account_services.create_token(user, actor=user, name="spare")
    _, secret = account_services.create_token(user, actor=user, name="fuzz")
    return user, secret


def record_id(path: str, user) -> int | None:
    """The id of a record the caller can see behind a detail path, if there is one."""
    if "{id}" not in path:
        return None
    try:
        view = resolve(path.replace("{id}", "1")).func
    except Resolver404:
        return None
    cls = getattr(view, "cls", None)
    model = getattr(cls, "model", None) or getattr(getattr(cls, "queryset", None), "model", None)
    if model is None:
        return None
    manager = model._default_manager
    records = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()
    return records.order_by("pk").values_list("pk", flat=True).first()


def operations(schema) -> list:
    found = [result.ok() for result in schema.get_all_operations()]
    return sorted(found, key=lambda op: op.method.upper() == "DELETE")  # stable: DELETEs last


@dataclass
class Caller:
    role: str
    user: object
    headers: dict


def failures_of(operation, callers: list[Caller]) -> list[str]:
    """Each case is drawn once and sent as each caller in turn: the draws were the same
    for every role anyway (derandomized), and drawing them was half the run. A caller's
    first failure in a run is kept, and the run goes on for the others. A real id is each
    caller's own."""
    ids = {caller.role: record_id(operation.path, caller.user) for caller in callers}
    some_id = next((found for found in ids.values() if found is not None), None)
    runs = [(mode, {}) for mode in MODES]
    if some_id is not None:
        runs.insert(0, (schemathesis.GenerationMode.POSITIVE, {"id": some_id}))
    found = []
    for mode, path_parameters in runs:
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
        found += [f"{operation.label} as {who} ({mode.value}"
                  f"{', a real id' if path_parameters else ''}): {exc}"
                  for who, exc in failures_in_run(strategy, callers,
                                                  ids if path_parameters else None).items()]
    return found


def failures_in_run(strategy, callers: list[Caller], ids: dict | None) -> dict:
    """Who failed in one run of drawn cases, with their first failure; `ids`, when given,
    is each caller's real id to put in the path (a caller without one sits the run out)."""
    failed = {}

    @HYPOTHESIS
    @given(case=strategy)
    def check(case):
        for caller in callers:
            if caller.role in failed or (ids is not None and ids[caller.role] is None):
                continue
            if ids is not None:
                case.path_parameters["id"] = ids[caller.role]
            try:
                case.call_and_validate(headers=caller.headers, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
                failed[caller.role] = exc

    try:
        check()
    except Unsatisfiable:  # nothing invalid to send (an operation without parameters)
        pass
    except (Exception, BaseExceptionGroup) as exc:
        failed["anyone (drawing the cases)"] = exc
    return failed


@pytest.fixture
def one_connection():
    """The requests go through the WSGI handler, which closes the database connection after
    each (CONN_MAX_AGE is 0 in tests): opening SQLite's again, and reading its schema of
    170 tables, was a tenth of the run. Here the connection lasts the test."""
    settings = connection.settings_dict
    before = settings["CONN_MAX_AGE"]
    settings["CONN_MAX_AGE"] = None
    connection.close_at = None
    yield
    settings["CONN_MAX_AGE"] = before
    connection.close()


def load_schema():
    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None,
                                                                         public=True))
    schema.app = WSGIHandler()
    return schema


# The operations in SHARDS slices, each its own test on whichever worker is free
# (tests/conftest.py runs them first): the run is the longest in the suite.
SHARDS = 4
# The Requester first: an Administrator's DELETE would take the record away before the
# Requester is refused it.
ROLES = (roles.REQUESTER, roles.ADMINISTRATOR)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("one_connection")
@pytest.mark.parametrize("shard", [
    pytest.param(shard, marks=pytest.mark.xdist_group(f"api-fuzz-{shard}"))
    for shard in range(SHARDS)])
def test_every_operation_keeps_the_published_contract(org_a, shard):
    seed_records(org_a)
    callers = []
    for role in ROLES:
        user, secret = caller(org_a, role)
        callers.append(Caller(role, user, {"Authorization": f"Token {secret}"}))
    failures = []
    for operation in operations(load_schema())[shard::SHARDS]:
        failures += failures_of(operation, callers)
    assert not failures, f"{len(failures)} operations broke the contract:\n\n" + "\n\n".join(failures)


# --- The values that broke it before, sent to every operation ---------------------------------

TOO_BIG = "99999999999999999999"  # past 2**63 - 1
DEEP = {"nested": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}  # 40
BODY_LIMIT = 4096


def bad_requests(operation, real_id: int | None):
    """(what, Case, status codes it may get) for each bad value this operation can take.
    The other values are good: a real record's id, so that the body is read."""
    raw = operation.definition.raw
    if "{id}" in operation.path:
        for word in ("false", TOO_BIG):
            yield f"id {word}", operation.Case(path_parameters={"id": word}), {404}
    # A path with an id takes a real record's, or (none seeded: a recharge run is made by
    # running a year, not by a factory) one that finds nothing.
    params = ({"id": real_id if real_id is not None else 1} if "{id}" in operation.path
              else {})
    for parameter in raw.get("parameters", []):
        if parameter["in"] == "query" and parameter["schema"].get("type") in ("integer", "number"):
            yield (f"{parameter['name']}={TOO_BIG}",
                   operation.Case(path_parameters=params, query={parameter["name"]: TOO_BIG}),
                   {400, 404})
    if "application/json" in raw.get("requestBody", {}).get("content", {}):
        yield ("JSON 40 levels deep", operation.Case(path_parameters=params, body=DEEP,
                                                      media_type="application/json"), {400, 404})
        yield (f"a body over {BODY_LIMIT} bytes",
               operation.Case(path_parameters=params, body={"text": "x" * BODY_LIMIT},
                              media_type="application/json"), {404, 413})


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("one_connection")
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=BODY_LIMIT)
def test_every_operation_refuses_what_broke_it_before_with_a_documented_4xx(org_a):
    seed_records(org_a)
    user, secret = caller(org_a, roles.ADMINISTRATOR)
    headers = {"Authorization": f"Token {secret}"}
    failures = []
    for operation in operations(load_schema()):
        for what, case, expected in bad_requests(operation, record_id(operation.path, user)):
            try:
                response = case.call_and_validate(headers=headers, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.label} with {what}: {exc}")
                continue
            if response.status_code not in expected:
                failures.append(f"{operation.label} with {what}: {response.status_code}, "
                                f"expected one of {sorted(expected)}")
    assert not failures, "\n\n".join(failures)
