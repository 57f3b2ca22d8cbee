"""Every form and filter that chooses a configuration item types it (a reference or a
name, with suggestions) instead of listing the whole CMDB in a <select>: the relationship
form, the library's link form, the catalogue's component form and their list filters
(ModelEntry.suggest_url, core.forms.SuggestedRecordField)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from borough.catalogue.models import ServiceComponent
from borough.cmdb import models as m
from borough.library.models import DocumentLink
from tests.catalogue.factories import BusinessServiceFactory
from tests.factories import ConfigurationItemFactory, RelationshipFactory
from tests.library.factories import DocumentFactory

pytestmark = pytest.mark.django_db

RELATIONSHIP_ADD = "cmdb:relationship_add"


def box(page: str, name: str) -> str:
    """The HTML of the form control called `name`."""
    found = re.search(rf'<(input|select)[^>]*name="{name}"[^>]*>', page)
    assert found, f"no control named {name}"
    return found.group(0)


def error_of(page: str, name: str) -> str:
    found = re.search(rf'id="id_{name}-error"[^>]*>(.*?)</p>', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


@pytest.fixture
def many(org_a):
    """Sixty items: none of their names may appear on a form that chooses one."""
    return ConfigurationItemFactory.create_batch(60, organisation=org_a)


def test_the_relationship_form_types_its_items_and_never_lists_the_cmdb(
        org_a, admin_a, signed_in, many):
    page = signed_in(admin_a).get(reverse(RELATIONSHIP_ADD)).content.decode()
    for name in ("source", "target"):
        control = box(page, name)
        assert control.startswith("<input") and 'type="text"' in control
        assert 'data-borough-suggest="/api/cmdb/configuration-items/suggest/"' in control
    assert not any(item.name in page for item in many)
    assert "like CI-000123" in page  # the hint says what to type


def test_a_relationship_is_made_from_references_names_or_ids(org_a, admin_a, signed_in):
    app = ConfigurationItemFactory(organisation=org_a, name="iTrent payroll")
    server = ConfigurationItemFactory(organisation=org_a, name="PAYSRV01")
    client = signed_in(admin_a)
    # A reference as typed, a whole name in another case (as without JavaScript).
    response = client.post(reverse(RELATIONSHIP_ADD), {
        "source": app.reference, "target": "paysrv01", "relationship_type": "depends_on",
        "submission_key": "a"})
    assert response.status_code == 302
    made = m.Relationship.objects.get()
    assert (made.source, made.target) == (app, server)
    # The label a suggestion puts in the box, and a bare id (the API's way), work too.
    response = client.post(reverse(RELATIONSHIP_ADD), {
        "source": f"{server.reference} PAYSRV01", "target": str(app.pk),
        "relationship_type": "uses", "submission_key": "b"})
    assert response.status_code == 302 and m.Relationship.objects.count() == 2


def test_a_name_nothing_or_several_items_have_is_explained(org_a, org_b, admin_a, signed_in):
    printers = ConfigurationItemFactory.create_batch(2, organisation=org_a, name="Printer")
    theirs = ConfigurationItemFactory(organisation=org_b, name="Eskmouth server")
    client = signed_in(admin_a)
    response = client.post(reverse(RELATIONSHIP_ADD), {
        "source": "Nothing like it", "target": "printer", "relationship_type": "uses",
        "submission_key": "c"})
    assert response.status_code == 400
    page = response.content.decode()
    assert error_of(page, "source") == (
        "Error: No configuration item called “Nothing like it”: type its reference, like "
        "CI-000123, or part of its name and choose from the suggestions.")
    assert error_of(page, "target") == (
        "Error: More than one configuration item is called “printer”: "
        f"{printers[0].reference}, {printers[1].reference}. Type the reference of the one "
        "you mean, or choose it from the suggestions.")
    # What was typed stays in the box, to be corrected.
    assert 'value="Nothing like it"' in box(page, "source")
    # Another council's item is not there, by name or id; a reference nobody has is named.
    response = client.post(reverse(RELATIONSHIP_ADD), {
        "source": str(theirs.pk), "target": "Eskmouth server", "relationship_type": "uses",
        "submission_key": "d"})
    page = response.content.decode()
    assert f"No configuration item called “{theirs.pk}”" in error_of(page, "source")
    assert "No configuration item called “Eskmouth server”" in error_of(page, "target")
    page = client.post(reverse(RELATIONSHIP_ADD), {
        "source": "CI-999999", "relationship_type": "uses", "submission_key": "d2"}
    ).content.decode()
    assert "No configuration item has the reference “CI-999999”" in error_of(page, "source")
    empty = client.post(reverse(RELATIONSHIP_ADD), {"relationship_type": "uses",
                                                     "submission_key": "e"}).content.decode()
    assert error_of(empty, "source").startswith("Error: Enter the source: type part of its name")
    assert not m.Relationship.objects.exists()


def test_the_edit_page_shows_its_items_by_reference_and_name(org_a, admin_a, signed_in, many):
    relationship = RelationshipFactory(organisation=org_a)
    client = signed_in(admin_a)
    url = reverse("cmdb:relationship_edit", args=[relationship.pk])
    page = client.get(url).content.decode()
    assert f'value="{relationship.source.reference} {relationship.source.name}"' in \
        box(page, "source")
    assert f'value="{relationship.target.reference} {relationship.target.name}"' in \
        box(page, "target")
    assert not any(item.name in page for item in many)
    # Sent back unchanged, nothing about the items changes; a new target is taken.
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["target"] = many[0].reference
    assert client.post(url, data).status_code == 302
    relationship.refresh_from_db()
    assert relationship.target == many[0] and relationship.version == 2


def test_the_library_link_form_types_its_item(org_a, admin_a, signed_in, many):
    document = DocumentFactory(organisation=org_a)
    item = many[5]
    client = signed_in(admin_a)
    add = reverse("library:documentlink_add")
    page = client.get(f"{add}?document={document.pk}&configuration_item={item.pk}"
                      ).content.decode()
    assert f'value="{item.reference} {item.name}"' in box(page, "configuration_item")
    assert not any(other.name in page for other in many if other != item)
    response = client.post(add, {"document": document.pk, "configuration_item": "nowhere",
                                 "submission_key": "f"})
    assert response.status_code == 400
    assert "No configuration item called “nowhere”" in error_of(
        response.content.decode(), "configuration_item")
    response = client.post(add, {"document": document.pk, "configuration_item": item.name,
                                 "submission_key": "g"})
    assert response.status_code == 302
    assert DocumentLink.objects.get().configuration_item == item


def test_the_catalogue_component_form_types_its_item(org_a, admin_a, signed_in, many):
    service = BusinessServiceFactory(organisation=org_a)
    client = signed_in(admin_a)
    add = reverse("catalogue:servicecomponent_add")
    page = client.get(f"{add}?service={service.pk}").content.decode()
    assert box(page, "configuration_item").startswith("<input")
    assert not any(item.name in page for item in many)
    response = client.post(add, {"service": service.pk, "configuration_item": many[3].reference,
                                 "role": "the database", "submission_key": "h"})
    assert response.status_code == 302
    assert ServiceComponent.objects.get().configuration_item == many[3]


def test_list_filters_type_the_item_and_name_it_in_their_tags(org_a, admin_a, signed_in, many):
    relationship = RelationshipFactory(organisation=org_a, source=many[0], target=many[1])
    RelationshipFactory(organisation=org_a, source=many[2], target=many[1])
    client = signed_in(admin_a)
    url = reverse("cmdb:relationship_list")
    for value in (str(many[0].pk), many[0].reference, many[0].name):
        page = client.get(url, {"source": value}).content.decode()
        assert f'value="{many[0].reference} {many[0].name}"' in box(page, "source")
        assert f"Source: {many[0].reference} {many[0].name}" in page
        assert reverse("cmdb:relationship_detail", args=[relationship.pk]) in page
    assert not any(item.name in client.get(url).content.decode() for item in many[3:])
    api = signed_in(admin_a, api=True)
    found = api.get("/api/cmdb/relationships/", {"target": many[1].reference}).json()
    assert found["count"] == 2
    answer = api.get("/api/cmdb/relationships/", {"target": "No such item"})
    assert answer.status_code == 400 and "No configuration item called" in str(answer.json())
    components = client.get(reverse("catalogue:servicecomponent_list")).content.decode()
    assert box(components, "configuration_item").startswith("<input")
