"""Who reads, writes and downloads what; organisations kept apart; the CI and class
pages' "Documents" sections; links; the evidence rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from borough.cmdb.models import DataClassification
from borough.core import roles
from borough.core.registry import registry
from borough.library import entries
from borough.library.models import DocumentLink, DocumentStatus, Kind, Topic
from tests.factories import BusinessServiceFactory, CIClassFactory, ConfigurationItemFactory
from tests.library.factories import (
    ClassLinkFactory,
    DocumentFactory,
    DocumentLinkFactory,
    DocumentVersionFactory,
)

pytestmark = pytest.mark.django_db

SENSITIVE = DataClassification.OFFICIAL_SENSITIVE


def published(org, **kwargs):
    document = DocumentFactory(organisation=org, status=DocumentStatus.PUBLISHED, **kwargs)
    return document, DocumentVersionFactory(organisation=org, document=document)


def test_writers_are_the_roles_that_change_configuration_items():
    from borough.cmdb.entries import CHANGES_ITEMS

    assert sorted(entries.WRITERS) == sorted(CHANGES_ITEMS)
    for role in roles.READ_ALL_ROLES:
        assert "library.view_document" in registry.role_grants[role]
    assert "library.view_document" not in registry.role_grants.get(roles.REQUESTER, set())


@pytest.mark.parametrize("role, allowed", [
    (roles.ICT_MANAGER, True), (roles.AGENT, True), (roles.AUDITOR, True),
    (roles.CAB_MEMBER, True), (roles.SERVICE_UNIT_HEAD, False)])
def test_official_sensitive_files_need_clearance(org_a, member, signed_in, role, allowed):
    document, version = published(org_a, classification=SENSITIVE)
    user = member(role)
    page = signed_in(user).get(reverse("library:document_detail", args=[document.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "OFFICIAL-SENSITIVE" in text
    url = reverse("library:version_download", args=[version.pk])
    assert (url in text) is allowed
    response = signed_in(user).get(url)
    api = signed_in(user, api=True).get(
        f"/api/library/document-versions/{version.pk}/download/")
    if allowed:
        assert response.status_code == 200 and api.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
    else:
        assert response.status_code == 403 and api.status_code == 403
        assert "OFFICIAL-SENSITIVE" in response.content.decode()


def test_secret_files_only_for_the_cleared_few(org_a, member, signed_in):
    _document, version = published(org_a, classification=DataClassification.SECRET)
    url = reverse("library:version_download", args=[version.pk])
    for role, status in ((roles.SECURITY_OFFICER, 200), (roles.ICT_MANAGER, 200),
                         (roles.TEAM_LEAD, 403), (roles.AGENT, 403)):
        assert signed_in(member(role)).get(url).status_code == status, role


def test_files_are_never_at_a_public_address(org_a, admin_a, signed_in, settings):
    document, version = published(org_a)
    client = signed_in(admin_a)
    for prefix in ("/media/", "/static/", "/attachments/", "/"):
        assert client.get(f"{prefix}{version.stored_name}").status_code == 404
    page = client.get(reverse("library:document_detail", args=[document.pk]))
    assert version.stored_name not in page.content.decode()
    assert signed_in(admin_a, api=True).get(
        f"/api/library/document-versions/{version.pk}/").json()["download"] == \
        f"/api/library/document-versions/{version.pk}/download/"


def test_requesters_and_strangers_get_nothing(org_a, member, signed_in, api_client):
    document, version = published(org_a)
    url = reverse("library:version_download", args=[version.pk])
    requester = signed_in(member(roles.REQUESTER))
    assert requester.get(url).status_code in (403, 404)
    assert requester.get(
        reverse("library:document_detail", args=[document.pk])).status_code == 403
    assert api_client.get(f"/api/library/document-versions/{version.pk}/download/"
                          ).status_code in (401, 403)


def test_another_council_cannot_see_download_upload_or_link(org_a, org_b, admin_b, signed_in):
    document, version = published(org_a)
    item = ConfigurationItemFactory(organisation=org_a)
    theirs = DocumentFactory(organisation=org_b)
    page, api = signed_in(admin_b), signed_in(admin_b, api=True)
    assert page.get(reverse("library:version_download", args=[version.pk])).status_code == 404
    assert page.get(reverse("library:document_upload", args=[document.pk])).status_code == 404
    assert api.get(f"/api/library/document-versions/{version.pk}/").status_code == 404
    assert api.get(f"/api/library/document-versions/{version.pk}/download/").status_code == 404
    assert api.get("/api/library/document-versions/").json()["count"] == 0
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = api.post("/api/library/document-versions/",
                      {"document": document.pk, "file": SimpleUploadedFile("a.txt", b"x\n")},
                      format="multipart")
    assert upload.status_code == 400 and "document" in upload.json()
    link = api.post("/api/library/document-links/",
                    {"document": theirs.pk, "configuration_item": item.pk}, format="json")
    assert link.status_code == 400 and "configuration_item" in link.json()
    assert document.versions.count() == 1 and not DocumentLink.objects.exists()


def test_a_link_has_exactly_one_target_and_no_repeats(org_a, admin_a, signed_in):
    document = DocumentFactory(organisation=org_a)
    item = ConfigurationItemFactory(organisation=org_a)
    api = signed_in(admin_a, api=True)
    neither = api.post("/api/library/document-links/", {"document": document.pk},
                       format="json")
    assert neither.status_code == 400 and "Choose one of" in str(neither.json())
    both = api.post("/api/library/document-links/", {
        "document": document.pk, "configuration_item": item.pk, "ci_class": item.ci_class_id},
        format="json")
    assert both.status_code == 400
    assert api.post("/api/library/document-links/", {
        "document": document.pk, "configuration_item": item.pk}, format="json").status_code == 201
    again = api.post("/api/library/document-links/", {
        "document": document.pk, "configuration_item": item.pk}, format="json")
    assert again.status_code == 400 and "already linked" in str(again.json())


def test_the_ci_and_class_pages_show_their_documents(org_a, member, signed_in):
    server_class = CIClassFactory(organisation=org_a, name="Physical server")
    item = ConfigurationItemFactory(organisation=org_a, ci_class=server_class)
    own, _ = published(org_a, title="PAYSRV01 runbook", next_review_on=date(2020, 1, 1))
    build, _ = published(org_a, title="Server standard build")
    elsewhere = DocumentFactory(organisation=org_a, title="Unrelated guide")
    DocumentLinkFactory(organisation=org_a, document=own, configuration_item=item)
    ClassLinkFactory(organisation=org_a, document=build, ci_class=server_class)
    DocumentLinkFactory(organisation=org_a, document=elsewhere)
    reader = signed_in(member(roles.AGENT))
    text = reader.get(reverse("cmdb:configurationitem_detail", args=[item.pk])).content.decode()
    assert "PAYSRV01 runbook" in text and "Server standard build" in text
    assert "Unrelated guide" not in text and "Review overdue" in text and "for its class" in text
    assert "Link a document" not in text  # an agent reads but does not link
    cls = reader.get(reverse("cmdb:ciclass_detail", args=[server_class.pk])).content.decode()
    assert "Server standard build" in cls and "PAYSRV01 runbook" not in cls
    writer = signed_in(member(roles.TEAM_LEAD))
    text = writer.get(reverse("cmdb:configurationitem_detail", args=[item.pk])).content.decode()
    assert f"{reverse('library:documentlink_add')}?configuration_item={item.pk}" in text


def test_the_link_form_starts_from_what_the_page_names(org_a, admin_a, signed_in):
    document = DocumentFactory(organisation=org_a)
    item = ConfigurationItemFactory(organisation=org_a)
    client = signed_in(admin_a)
    form = client.get(f"{reverse('library:documentlink_add')}?document={document.pk}"
                      f"&configuration_item={item.pk}").content.decode()
    assert f'<option value="{document.pk}" selected>' in form
    # Typed, never a select of every item: the box shows the item by reference and name.
    assert f'value="{item.reference} {item.name}"' in form
    assert client.get(f"{reverse('library:documentlink_add')}?document=x").status_code == 200


def test_list_filters_by_linked_class_and_item(org_a, admin_a, signed_in):
    server_class = CIClassFactory(organisation=org_a)
    item = ConfigurationItemFactory(organisation=org_a, name="PAYSRV01")
    by_class = ClassLinkFactory(organisation=org_a, ci_class=server_class).document
    by_item = DocumentLinkFactory(organisation=org_a, configuration_item=item).document
    api = signed_in(admin_a, api=True)
    assert [d["id"] for d in api.get(f"/api/library/documents/?ci_class={server_class.pk}")
            .json()["results"]] == [by_class.pk]
    for words in (item.reference, "paysrv"):
        assert [d["id"] for d in api.get(f"/api/library/documents/?linked_item={words}")
                .json()["results"]] == [by_item.pk]


# --- evidence ------------------------------------------------------------------------------

# The rules check as of a moment; records are made now, so "now" is checked, with review
# dates set around today.
TODAY = timezone.localdate()


def run(name, org, **params):
    return registry.evidence_rules[name].run(org, params, timezone.now())


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def test_library_reviewed_within_period_met_and_not(org_a):
    rule = "library.reviewed-within-period"
    assert not run(rule, org_a).met  # nothing published
    for _n in range(9):
        published(org_a, next_review_on=days(90))
    published(org_a, next_review_on=days(-1))
    DocumentFactory(organisation=org_a, next_review_on=date(2020, 1, 1))  # a draft: not counted
    result = run(rule, org_a, min_documents=10, max_overdue_percent=10)
    assert result.met and result.figures["published_documents"] == 10
    assert result.figures["overdue_for_review"] == 1
    assert not run(rule, org_a, min_documents=11, max_overdue_percent=10).met
    assert not run(rule, org_a, min_documents=10, max_overdue_percent=5).met
    assert "cannot run" in run(rule, org_a, max_overdue_percent=200).summary


def test_library_counts_only_what_was_published_by_the_date(org_a):
    _document, version = published(org_a)
    rule = registry.evidence_rules["library.reviewed-within-period"]
    assert rule.run(org_a, {"min_documents": 1}, timezone.now()).met
    before = rule.run(org_a, {"min_documents": 1}, version.published_at - timedelta(hours=1))
    assert not before.met and before.figures["published_documents"] == 0


def test_configuration_process_documented_met_and_not(org_a):
    rule = "library.configuration-process-documented"
    published(org_a, kind=Kind.PROCESS, title="Configuration management process")
    assert not run(rule, org_a).met  # the title alone does not count: the topic does
    process, _ = published(org_a, kind=Kind.PROCESS, topic=Topic.CONFIGURATION_MANAGEMENT,
                           title="How we keep the CMDB", next_review_on=days(-30))
    overdue = run(rule, org_a)
    assert not overdue.met and "overdue for review" in overdue.summary
    assert run(rule, org_a, review="any").met
    process.next_review_on = days(300)
    process.save()
    result = run(rule, org_a)
    assert result.met and process.reference in result.summary
    assert result.links[0].url == reverse("library:document_detail", args=[process.pk])


def test_a_document_linked_to_a_business_service_shows_on_its_page(org_a, org_b, member,
                                                                   signed_in):
    service = BusinessServiceFactory(organisation=org_a, name="Council Tax")
    plan, _ = published(org_a, title="Council Tax continuity plan")
    link = DocumentLinkFactory.build(organisation=org_a, document=plan, configuration_item=None,
                                     business_service=service)
    link.full_clean()
    link.save()
    reader = signed_in(member(roles.AGENT))
    page = reader.get(reverse("catalogue:businessservice_detail", args=[service.pk]))
    assert "Council Tax continuity plan" in page.content.decode()
    document = reader.get(reverse("library:document_detail", args=[plan.pk])).content.decode()
    assert "The business service" in document and "Council Tax" in document
    # Exactly one target, and never another council's service.
    other, _ = published(org_a, title="Another guide")
    both = DocumentLinkFactory.build(
        organisation=org_a, document=other, business_service=service,
        configuration_item=ConfigurationItemFactory(organisation=org_a))
    with pytest.raises(ValidationError, match="one of a configuration item"):
        both.full_clean()
    theirs = DocumentLinkFactory.build(organisation=org_a, document=other,
                                       configuration_item=None,
                                       business_service=BusinessServiceFactory(organisation=org_b))
    with pytest.raises(ValidationError):
        theirs.full_clean()
