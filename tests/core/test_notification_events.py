"""The registry of notification events (core.notifications): each app declares what it
tells people of; a key is taken once; notify() refuses an event nobody declared and values
its event does not declare; every event named in the source is declared; and every
declared wording renders."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import borough
from borough.core import notifications, roles
from borough.core.models import Notification
from borough.core.notifications import Audience, NotificationEvent
from borough.core.registry import Registry, registry
from borough.mail import services as mail_services
from tests.conftest import make_member

SOURCE = Path(borough.__file__).parent


def test_an_app_registers_its_events_once_each():
    fresh = Registry()
    fresh.add_notification_events("changes", [NotificationEvent("change-x", "Change X")])
    assert fresh.notification_events["change-x"].app_label == "changes"
    with pytest.raises(ValueError, match="'change-x' is registered twice"):
        fresh.add_notification_events("problems", [NotificationEvent("change-x", "Other")])
    assert fresh.notification_events["change-x"].label == "Change X"


@pytest.mark.parametrize("fields, problem", [
    ({"key": "Change Submitted"}, "lower-case words joined by hyphens"),
    ({"key": "x" * 51}, "at most 50 characters"),
    ({"audience": "everyone"}, "audience is one of"),
    ({"context": {"reference": "clashes with every email's"}}, "every email has it"),
    ({"context": {"not a name": "?"}}, "not a name a template can use"),
])
def test_a_malformed_event_is_refused_when_declared(fields, problem):
    with pytest.raises(ValueError, match=problem):
        NotificationEvent(**{"key": "ok-key", "label": "OK"} | fields)


def test_the_desk_events_keep_their_wording_and_others_start_from_the_notifications_own():
    resolved = notifications.find_event("ticket-resolved")
    assert resolved.app_label == "servicedesk" and resolved.audience == Audience.REQUESTER
    assert resolved.text.startswith("Hello {{ recipient_name }},\n\nWe have resolved")
    assert set(resolved.variables) >= {"reference", "confirm_url", "reopen_url", "rate_url"}
    assert notifications.find_event("ticket-created").auto_reply
    decided = notifications.find_event("change-decided")
    assert (decided.subject, decided.text) == ("{{ summary }}", "{{ body }}\n\n{{ url }}")
    assert {"board", "decision", "note"} <= set(decided.variables)
    assert notifications.find_event("status-opened").audience == Audience.SUBSCRIBERS


def test_every_registered_wording_renders():
    for event in notifications.registered_events():
        for text, html in ((event.subject, False), (event.text, False), (event.html, True)):
            assert mail_services.template_problem(text, html=html, event=event.key) == "", \
                event.key


def _events_named_in_source() -> dict[str, str]:
    """Every literal `event="..."` passed to a call in src/borough (not to the ORM, whose
    `event=` is a column), with where it is."""
    found = {}
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call) or "objects" in ast.unparse(node.func):
                continue
            for keyword in node.keywords:
                if (keyword.arg == "event" and isinstance(keyword.value, ast.Constant)
                        and isinstance(keyword.value.value, str)):
                    where = f"{path.relative_to(SOURCE)}:{node.lineno}"
                    found.setdefault(keyword.value.value, where)
    return found


def test_every_event_the_source_names_is_registered():
    named = _events_named_in_source()
    # The walk sees the calls it is meant to: the desk's, changes', problems'...
    assert {"ticket-created", "change-submitted", "problem-resolved",
            "procurement-decided", "contract-end-due"} <= set(named)
    unregistered = {key: where for key, where in named.items()
                    if key not in registry.notification_events}
    assert unregistered == {}, "Declare these in the app's notices.py (docs/email.md)"


def test_notify_refuses_an_undeclared_event_or_value(org_a):
    agent = make_member(org_a, roles.AGENT, "agent")
    with pytest.raises(ImproperlyConfigured, match="'lunch-is-ready' is not declared"):
        notifications.notify([agent], organisation_id=org_a.pk, event="lunch-is-ready",
                             subject="Lunch")
    with pytest.raises(ImproperlyConfigured, match="does not declare colour"):
        notifications.notify([agent], organisation_id=org_a.pk, event="change-decided",
                             subject="Decided", context={"note": "", "colour": "red"})
    assert not Notification.objects.exists()


def test_values_reach_the_templates_as_plain_text():
    assert notifications.checked_context("change-quorum-reached", {"quorum": 3, "board": None}) \
        == {"quorum": "3", "board": ""}


def test_events_are_grouped_by_app_name_for_pages():
    groups = dict(notifications.grouped(notifications.registered_events()))
    assert [e.key for e in groups["Service desk"]][:2] == ["ticket-created", "ticket-reply"]
    assert "change-submitted" in [e.key for e in groups["Changes"]]
    names = [name for name, _events in notifications.grouped(notifications.registered_events())]
    assert names == sorted(names)
