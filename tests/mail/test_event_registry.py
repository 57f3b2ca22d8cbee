"""Templates and preferences for every registered notification event (core.notifications),
not only the service desk's: the form's select and the API's enum come from the registry
and refuse anything else with words; the preferences page and API list every event people
choose for, under their app's name."""

from __future__ import annotations

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from borough.mail.models import NotificationPreference, NotificationTemplate
from tests.mail.test_pages import make_people, text_of

pytestmark = pytest.mark.django_db

TEMPLATES = "/api/mail/notification-templates/"
PREFERENCES = "/api/mail/preferences/"
UNKNOWN = "“lunch-is-ready” is not an event Borough notifies people of"


@pytest.fixture
def people(desk):
    return make_people(desk)


def form(**fields):
    return {"event": "change-decided", "subject": "{{ reference }} {{ decision }}",
            "text_body": "The {{ board }} decided: it {{ decision }}. {{ note }}",
            "html_body": "", "submission_key": "k1"} | fields


def test_the_form_offers_every_app_s_events_in_groups(client, people):
    client.force_login(people.admin)
    body = text_of(client.get(reverse("mail:notificationtemplate_add")))
    assert '<optgroup label="Changes">' in body and '<optgroup label="Service desk">' in body
    assert '<option value="status-opened">Service status announced</option>' in body
    assert '<option value="" selected>Choose an event</option>' in body


def test_the_form_refuses_an_unknown_event_and_saves_a_registered_one(client, people):
    client.force_login(people.admin)
    refused = client.post(reverse("mail:notificationtemplate_add"),
                          form(event="lunch-is-ready"))
    assert refused.status_code == 400
    assert refused.context["form"].errors["event"] == [
        UNKNOWN + ". Choose one of the events on the notification templates page."]
    assert "There is a problem" in text_of(refused)
    empty = client.post(reverse("mail:notificationtemplate_add"), form(event=""))
    assert empty.context["form"].errors["event"] == ["Choose the event this template is for."]
    assert not NotificationTemplate.objects.exists()

    saved = client.post(reverse("mail:notificationtemplate_add"), form())
    assert saved.status_code == 302
    template = NotificationTemplate.objects.get()
    assert template.event == "change-decided"
    assert str(template) == "Board's decision on a change (to its owner and requester)"
    # The page lists the values a change decision's template may use.
    edit = text_of(client.get(reverse("mail:notificationtemplate_edit", args=[template.pk])))
    assert "<code>decision</code>" in edit and "<code>board</code>" in edit
    assert "The chair&#x27;s note, or blank" in edit


def test_the_api_refuses_an_unknown_event_and_takes_a_registered_one(signed_in, people):
    api = signed_in(people.admin, api=True)
    refused = api.post(TEMPLATES, {"event": "lunch-is-ready", "subject": "{{ summary }}",
                                   "text_body": "{{ body }}"}, format="json")
    assert refused.status_code == 400
    assert UNKNOWN in refused.json()["event"][0]
    odd = api.post(TEMPLATES, {"event": ["change-decided"], "subject": "{{ summary }}",
                               "text_body": "{{ body }}"}, format="json")
    assert odd.status_code == 400 and "event" in odd.json()
    made = api.post(TEMPLATES, {"event": "problem-resolved", "subject": "{{ summary }}",
                                "text_body": "Fixed by: {{ note }}"}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["event"] == "problem-resolved"


def test_the_schema_lists_the_registered_events_as_enums():
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    templates = schemas["NotificationTemplateEventEnum"]["enum"]
    assert {"ticket-created", "change-decided", "status-opened",
            "procurement-decided"} <= set(templates)
    preferences = schemas["PreferenceEventEnum"]["enum"]
    assert "status-opened" in preferences and "ticket-created" not in preferences


def test_the_preferences_page_lists_every_app_s_events(client, people):
    client.force_login(people.agent)
    body = text_of(client.get(reverse("mail:preferences")))
    for heading in ("Changes", "Problems", "Service status", "Procurement", "Service desk"):
        assert f'<h2 class="govuk-heading-m">{heading}</h2>' in body
    assert "Service status announced" in body and "Change submitted for assessment" in body
    assert "Ticket received" not in body  # the requester's, whatever staff choose

    form = client.get(reverse("mail:preferences")).context["form"]
    choices = {name: field.initial or "immediately" for name, field in form.fields.items()}
    saved = client.post(reverse("mail:preferences"),
                        choices | {"change-decided": "digest", "status-updated": "off"})
    assert saved.status_code == 302
    assert dict(NotificationPreference.objects.filter(user=people.agent).values_list(
        "event", "delivery")) == {"change-decided": "digest", "status-updated": "off"}


def test_the_preferences_api_takes_another_app_s_event(signed_in, people):
    api = signed_in(people.agent, api=True)
    put = api.put(PREFERENCES, [{"event": "procurement-approval-due", "delivery": "off"}],
                  format="json")
    assert put.status_code == 200, put.content
    assert {"event": "procurement-approval-due", "delivery": "off",
            "label": "Procurement request waits for approval"} in put.json()
    refused = api.put(PREFERENCES, [{"event": "lunch-is-ready", "delivery": "off"}],
                      format="json")
    assert refused.status_code == 400
    assert "“lunch-is-ready” is not an event staff choose how to hear about" in str(
        refused.json())
