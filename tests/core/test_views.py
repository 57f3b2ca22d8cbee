"""The generic pages (list, export, add, edit, delete, history, detail with comments
and files) on ServiceUnit and Person, as a user in the browser sees them."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.color import no_style
from django.db import connection
from django.urls import reverse

from borough.core import roles, services
from borough.core.models import Attachment, AuditAction, AuditEvent, Comment
from borough.organisation.models import Person, ServiceUnit
from tests.factories import PersonFactory, ServiceUnitFactory, SiteFactory

pytestmark = pytest.mark.django_db

UNITS = reverse("organisation:serviceunit_list")
PEOPLE = reverse("organisation:person_list")


@pytest.fixture
def browser(signed_in, admin_a):
    """An Administrator of organisation A, signed in."""
    admin_a.first_name, admin_a.last_name = "Ada", "Admin"
    admin_a.save()
    return signed_in(admin_a)


def html(response) -> str:
    return response.content.decode()


def assert_csp_without_inline_script(response):
    """SECURITY.md rule 12: a CSP whose script source allows no inline script."""
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts, policy
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts


def form_values(response) -> dict[str, str]:
    """name -> value of the <input>s on a page (enough for hidden fields and text)."""
    values = {}
    for tag in re.findall(r"<input[^>]*>", html(response)):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            values[name.group(1)] = value.group(1) if value else ""
    return values


# --- List, filters and parameters (SECURITY.md rule 13) ----------------------------------


def test_list_shows_rows_and_the_filter_form(browser, org_a):
    ServiceUnitFactory(organisation=org_a, name="Housing")
    response = browser.get(UNITS)
    assert response.status_code == 200
    page = html(response)
    assert "<html" in page
    assert "Housing" in page
    assert re.search(r'<form[^>]*method="get"', page)
    assert 'name="q"' in page and 'name="is_active"' in page
    assert reverse("organisation:serviceunit_export", args=["csv"]) in page
    assert_csp_without_inline_script(response)


def test_filters_narrow_the_list(browser, org_a):
    ServiceUnitFactory(organisation=org_a, name="Housing")
    ServiceUnitFactory(organisation=org_a, name="Parks and gardens", is_active=False)
    page = html(browser.get(UNITS, {"q": "hous"}))
    assert "Housing" in page and "Parks and gardens" not in page
    page = html(browser.get(UNITS, {"is_active": "false"}))
    assert "Parks and gardens" in page and "Housing" not in page


def test_unknown_parameter_is_a_400_naming_it(browser, org_a):
    response = browser.get(UNITS, {"colour": "red"})
    assert response.status_code == 400
    page = html(response)
    assert "Unknown parameter colour" in page
    assert "is_active" in page  # says which filters there are


def test_unknown_sort_is_a_400(browser, org_a):
    response = browser.get(UNITS, {"sort": "organisation"})
    assert response.status_code == 400
    assert "Cannot sort by organisation" in html(response)


def test_known_sort_orders_the_rows(browser, org_a):
    ServiceUnitFactory(organisation=org_a, name="Alpha", code="Z9")
    ServiceUnitFactory(organisation=org_a, name="Beta", code="A1")
    page = html(browser.get(UNITS, {"sort": "code"}))
    assert page.index("Beta") < page.index("Alpha")
    page = html(browser.get(UNITS, {"sort": "-name"}))
    assert page.index("Beta") < page.index("Alpha")


@pytest.mark.parametrize("per_page", ["10", "1000", "abc", "-25"])
def test_page_size_outside_the_allowed_sizes_is_a_400(browser, org_a, per_page):
    response = browser.get(UNITS, {"per_page": per_page})
    assert response.status_code == 400
    assert "Rows per page must be one of 25, 50, 100" in html(response)


@pytest.mark.parametrize("per_page", ["25", "50", "100"])
def test_allowed_page_sizes(browser, org_a, per_page):
    assert browser.get(UNITS, {"per_page": per_page}).status_code == 200


def test_page_size_limits_the_rows(browser, org_a):
    for n in range(30):
        ServiceUnitFactory(organisation=org_a, name=f"Unit {n:02d}")
    first = html(browser.get(UNITS))
    assert "Unit 24" in first and "Unit 25" not in first
    assert "Unit 29" in html(browser.get(UNITS, {"per_page": "50"}))


def test_people_filter_offers_only_this_organisations_units_and_sites(browser, org_a, org_b):
    """SECURITY.md rule 2: the filter panel's choices are scoped like the rows."""
    ServiceUnitFactory(organisation=org_a, name="Our finance")
    theirs = ServiceUnitFactory(organisation=org_b, name="Their secret unit")
    SiteFactory(organisation=org_b, name="Their secret site")
    page = html(browser.get(PEOPLE))
    assert "Our finance" in page
    assert "Their secret unit" not in page and "Their secret site" not in page
    # Filtering by their unit's id is refused like any invalid choice, not answered.
    response = browser.get(PEOPLE, {"service_unit": theirs.pk})
    assert "Their secret unit" not in html(response)


def test_htmx_request_gets_only_the_table(browser, org_a):
    ServiceUnitFactory(organisation=org_a, name="Housing")
    full = browser.get(UNITS)
    fragment = browser.get(UNITS, {"q": "hous"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    part = html(fragment)
    assert "<html" not in part and "<main" not in part
    assert 'name="is_active"' not in part  # the filter panel is not sent again
    assert "<table" in part and "Housing" in part
    for response in (full, fragment):
        assert "HX-Request" in response["Vary"]
    assert_csp_without_inline_script(fragment)


# --- Exports (SECURITY.md rule 14) --------------------------------------------------------


def test_csv_export_neutralises_formulas(browser, org_a):
    ServiceUnitFactory(organisation=org_a, name="=cmd()", code="+SUM(A1)")
    ServiceUnitFactory(organisation=org_a, name="Housing", code="-1")
    response = browser.get(reverse("organisation:serviceunit_export", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="serviceunit-')
    lines = response.content.decode().splitlines()
    assert lines[0].split(",")[:2] == ["Name", "Code"]
    assert "'=cmd()" in lines[1] and "'+SUM(A1)" in lines[1]
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines
                   for cell in line.split(","))


def test_csv_export_follows_the_filters(browser, org_a):
    ServiceUnitFactory(organisation=org_a, name="Housing")
    ServiceUnitFactory(organisation=org_a, name="Finance")
    response = browser.get(reverse("organisation:serviceunit_export", args=["csv"]),
                           {"q": "fin"})
    body = response.content.decode()
    assert "Finance" in body and "Housing" not in body
    bad = browser.get(reverse("organisation:serviceunit_export", args=["csv"]), {"x": "1"})
    assert bad.status_code == 400


def test_xlsx_export_opens_with_the_header_and_neutralised_cells(browser, org_a):
    from openpyxl import load_workbook

    ServiceUnitFactory(organisation=org_a, name="=cmd()", code="@x")
    response = browser.get(reverse("organisation:serviceunit_export", args=["xlsx"]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:2] == ["Name", "Code"]
    assert rows[1][:2] == ["'=cmd()", "'@x"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


# --- Add, edit, delete, history -----------------------------------------------------------


def test_add_page_creates_a_record_and_goes_to_it(browser, admin_a, org_a, org_b):
    form = browser.get(reverse("organisation:serviceunit_add"))
    assert form.status_code == 200
    key = form_values(form)["submission_key"]
    assert len(key) >= 16
    response = browser.post(reverse("organisation:serviceunit_add"), {
        "name": "Planning", "code": "PLN", "head": "", "is_active": "on",
        "submission_key": key, "organisation": org_b.pk,
    })
    unit = ServiceUnit.objects.get(name="Planning")
    assert response.status_code == 302
    assert response["Location"] == reverse("organisation:serviceunit_detail", args=[unit.pk])
    assert unit.organisation == org_a and unit.created_by == admin_a
    assert AuditEvent.objects.for_object(unit).get().action == AuditAction.CREATE
    detail = browser.get(response["Location"])
    assert "Planning" in html(detail)
    assert "saved" in html(detail)


def test_resubmitting_the_same_add_form_creates_one_record(browser, org_a):
    """SECURITY.md rule 26: a refresh or double click does not make a duplicate."""
    data = {"full_name": "Dee Double", "submission_key": "fixed-key-123", "is_active": "on"}
    first = browser.post(reverse("organisation:person_add"), data)
    second = browser.post(reverse("organisation:person_add"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Person.objects.filter(full_name="Dee Double").count() == 1


def test_submission_key_of_another_model_never_reveals_a_foreign_record(browser, org_a, org_b):
    """Regression: a form's submission key first used for a service unit, sent again on
    the add-person form, answered with the Person that had the unit's id, from any
    organisation (its name in the "saved" message)."""
    browser.post(reverse("organisation:serviceunit_add"),
                 {"name": "Parks", "is_active": "on", "submission_key": "shared-key"})
    unit = ServiceUnit.objects.get(name="Parks")
    PersonFactory(id=unit.pk, organisation=org_b, full_name="Secret B person")
    # An explicit id leaves PostgreSQL's sequence behind; the next person must not collide.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Person]):
            cursor.execute(sql)
    response = browser.post(reverse("organisation:person_add"),
                            {"full_name": "Our person", "submission_key": "shared-key"},
                            follow=True)
    assert "Secret B person" not in html(response)
    ours = Person.objects.get(full_name="Our person")
    assert ours.organisation == org_a
    assert response.redirect_chain[0][0] == reverse("organisation:person_detail", args=[ours.pk])


def test_add_form_offers_only_this_organisations_related_records(browser, org_a, org_b):
    ServiceUnitFactory(organisation=org_a, name="Our unit")
    theirs = ServiceUnitFactory(organisation=org_b, name="Their unit")
    page = html(browser.get(reverse("organisation:person_add")))
    assert "Our unit" in page and "Their unit" not in page
    response = browser.post(reverse("organisation:person_add"), {
        "full_name": "Crossing Over", "service_unit": theirs.pk, "submission_key": "k-cross",
    })
    assert response.status_code == 400
    assert "Select a valid choice" in html(response)
    assert not Person.objects.filter(full_name="Crossing Over").exists()


def test_edit_validation_error_shows_the_error_summary(browser, org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    response = browser.post(reverse("organisation:serviceunit_edit", args=[unit.pk]),
                            {"name": "", "code": "HSG", "version": 1})
    assert response.status_code == 400
    page = html(response)
    assert "govuk-error-summary" in page
    assert "There is a problem" in page
    assert "This field is required" in page
    assert "<title>Error:" in page
    unit.refresh_from_db()
    assert unit.name == "Housing" and unit.code == ""


def test_edit_saves_and_history_shows_who_changed_what(browser, org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    values = form_values(browser.get(reverse("organisation:serviceunit_edit", args=[unit.pk])))
    assert values["version"] == "1"
    assert values["name"] == "Housing"
    response = browser.post(reverse("organisation:serviceunit_edit", args=[unit.pk]),
                            {"name": "Homes", "code": "", "is_active": "on", "version": "1"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Homes" and unit.version == 2

    history = html(browser.get(reverse("organisation:serviceunit_history", args=[unit.pk])))
    assert "Ada Admin" in history
    assert re.search(r"<dt>name</dt>\s*<dd>Housing → Homes</dd>", history)
    assert "(version 2)" in history


def test_edit_with_a_stale_version_shows_the_conflict_and_keeps_the_typing(
    browser, org_a, member
):
    """SECURITY.md rule 24: no silent overwrite; the other change is shown."""
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    other = member(roles.ICT_MANAGER, username="mo")
    other.first_name, other.last_name = "Mo", "Manager"
    other.save()
    other.active_organisation_id = org_a.pk
    loaded = form_values(browser.get(reverse("organisation:serviceunit_edit", args=[unit.pk])))
    services.update_record(unit, actor=other, data={"code": "HSG"}, expected_version=1)

    response = browser.post(reverse("organisation:serviceunit_edit", args=[unit.pk]), {
        "name": "My new name", "code": "", "is_active": "on",
        "version": loaded["version"], "submission_key": loaded["submission_key"],
    })
    assert response.status_code == 400
    page = html(response)
    assert "Someone else saved this record" in page
    assert "Mo Manager" in page
    assert re.search(r">code</td>\s*<td[^>]*>(\(empty\))?</td>\s*<td[^>]*>HSG</td>", page)
    assert form_values(response)["name"] == "My new name"
    unit.refresh_from_db()
    assert (unit.name, unit.code, unit.version) == ("Housing", "HSG", 2)


def test_edit_without_a_version_is_refused(browser, org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    response = browser.post(reverse("organisation:serviceunit_edit", args=[unit.pk]),
                            {"name": "Homes", "is_active": "on"})
    assert response.status_code == 400
    assert "reload" in html(response).lower()
    unit.refresh_from_db()
    assert unit.name == "Housing"


def test_delete_confirms_then_deletes_and_records_it(browser, admin_a, org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    url = reverse("organisation:serviceunit_delete", args=[unit.pk])
    confirm = browser.get(url)
    assert confirm.status_code == 200
    assert re.search(r"Delete service unit .Housing.\?", html(confirm))
    assert re.search(r'<form[^>]*method="post"', html(confirm))
    assert ServiceUnit.objects.filter(pk=unit.pk).exists()

    response = browser.post(url, {"version": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == UNITS
    assert "deleted" in html(response)
    assert not ServiceUnit.objects.filter(pk=unit.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.DELETE, object_id=unit.pk)
    assert event.actor == admin_a
    assert event.changes["name"] == ["Housing", None]


def test_delete_with_a_stale_version_is_refused(browser, org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Housing", version=3)
    response = browser.post(reverse("organisation:serviceunit_delete", args=[unit.pk]),
                            {"version": "1"})
    assert response.status_code == 400
    assert "govuk-error-summary" in html(response)
    assert ServiceUnit.objects.filter(pk=unit.pk).exists()


def test_a_version_python_calls_a_digit_but_int_refuses_is_not_a_500(browser, org_a):
    """"²".isdigit() is True and int("²") a ValueError: read as no version, like "abc"."""
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    response = browser.post(reverse("organisation:serviceunit_delete", args=[unit.pk]),
                            {"version": "²"})
    assert response.status_code == 302
    assert not ServiceUnit.objects.filter(pk=unit.pk).exists()


# --- Detail, comments and attachments -----------------------------------------------------


@pytest.fixture
def person(org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Finance")
    site = SiteFactory(organisation=org_a, name="Town Hall")
    return PersonFactory(organisation=org_a, full_name="Pat Person", service_unit=unit, site=site)


def upload_url(person):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Person)
    return reverse("core:attachment_add", args=[ct.pk, person.pk])


def comment_url(person):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Person)
    return reverse("core:comment_add", args=[ct.pk, person.pk])


def test_person_detail_shows_fields_comments_and_attachments(browser, person):
    response = browser.get(reverse("organisation:person_detail", args=[person.pk]))
    assert response.status_code == 200
    page = html(response)
    assert "Pat Person" in page and "Finance" in page and "Town Hall" in page
    assert 'id="comments"' in page and 'id="attachments"' in page
    assert comment_url(person) in page and upload_url(person) in page
    assert_csp_without_inline_script(response)


def test_posting_a_comment_shows_it_and_records_it(browser, person):
    response = browser.post(comment_url(person), {"body": "Moved to <b>Finance</b>"},
                            follow=True)
    assert response.status_code == 200
    page = html(response)
    assert "Comment added." in page
    assert "Moved to &lt;b&gt;Finance&lt;/b&gt;" in page
    assert Comment.objects.get().body == "Moved to <b>Finance</b>"
    assert AuditEvent.objects.for_object(person).filter(action=AuditAction.COMMENT).exists()


def test_an_empty_comment_is_refused_with_a_message(browser, person):
    response = browser.post(comment_url(person), {"body": "   "}, follow=True)
    assert "Enter a comment." in html(response)
    assert not Comment.objects.exists()


def test_upload_then_download_as_an_attachment(browser, person, settings, tmp_path):
    settings.ATTACHMENTS_ROOT = tmp_path / "files"
    upload = SimpleUploadedFile("notes.txt", b"Desk moved to floor 2.\n", "text/plain")
    response = browser.post(upload_url(person), {"file": upload}, follow=True)
    assert "“notes.txt” attached." in html(response)
    attachment = Attachment.objects.get()
    assert attachment.media_type == "text/plain"
    assert attachment.stored_name != "notes.txt"
    assert "notes.txt" in html(response)  # listed on the detail page

    download = browser.get(reverse("core:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"Desk moved to floor 2.\n"
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="notes.txt"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"].startswith("text/plain")


def test_an_executable_is_refused_and_nothing_is_stored(browser, person, settings, tmp_path):
    root = tmp_path / "files"
    settings.ATTACHMENTS_ROOT = root
    payload = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    response = browser.post(upload_url(person),
                            {"file": SimpleUploadedFile("x.exe", payload, "text/plain")},
                            follow=True)
    assert "is not a type of file Borough accepts" in html(response)
    assert not Attachment.objects.exists()
    assert not root.exists() or list(root.iterdir()) == []


def test_a_file_disguised_by_its_name_is_still_refused(browser, person, settings, tmp_path):
    settings.ATTACHMENTS_ROOT = tmp_path / "files"
    payload = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    response = browser.post(upload_url(person),
                            {"file": SimpleUploadedFile("report.pdf", payload)}, follow=True)
    assert "is not a type of file Borough accepts" in html(response)
    assert not Attachment.objects.exists()


def test_a_file_over_the_size_limit_is_refused(browser, person, settings, tmp_path):
    root = tmp_path / "files"
    settings.ATTACHMENTS_ROOT = root
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.txt", b"a" * (1024 * 1024 + 1), "text/plain")
    response = browser.post(upload_url(person), {"file": big}, follow=True)
    assert "files must be at most 1 MB" in html(response)
    assert not Attachment.objects.exists()
    assert not root.exists() or list(root.iterdir()) == []


def test_auditor_cannot_comment_or_upload(client, member, person, settings, tmp_path):
    settings.ATTACHMENTS_ROOT = tmp_path / "files"
    client.force_login(member(roles.AUDITOR))
    assert client.get(reverse("organisation:person_detail", args=[person.pk])).status_code == 200
    assert client.post(comment_url(person), {"body": "hi"}).status_code == 403
    upload = SimpleUploadedFile("a.txt", b"x", "text/plain")
    assert client.post(upload_url(person), {"file": upload}).status_code == 403
    assert not Comment.objects.exists() and not Attachment.objects.exists()


# --- Query counts (no N+1) ------------------------------------------------------------------


def test_person_detail_query_count_is_pinned(
    browser, person, django_assert_max_num_queries, settings, tmp_path
):
    settings.ATTACHMENTS_ROOT = tmp_path / "files"
    for n in range(5):
        browser.post(comment_url(person), {"body": f"Comment {n}"})
        browser.post(upload_url(person),
                     {"file": SimpleUploadedFile(f"f{n}.txt", b"x", "text/plain")})
    url = reverse("organisation:person_detail", args=[person.pk])
    browser.get(url)
    with django_assert_max_num_queries(12):
        response = browser.get(url)
    assert html(response).count("Comment ") >= 5


def test_a_second_one_per_council_record_is_a_400_not_a_500(browser, org_a):
    """Regression (found by tests/declared): adding service desk settings where the council
    already had them raised a ValueError, a 500, because the service's error named the
    organisation, a field the form does not show (SECURITY.md rule 29)."""
    from borough.servicedesk.models import DeskSettings
    from tests.factories import DeskSettingsFactory

    DeskSettingsFactory(organisation=org_a)
    response = browser.post(reverse("servicedesk:desksettings_add"), {
        "reopen_days": "5", "auto_close_days": "5", "warning_percent": "75",
        "submission_key": "second"})
    assert response.status_code == 400
    assert "Service desk settings with this Organisation already exists." in html(response)
    assert DeskSettings.objects.filter(organisation=org_a).count() == 1


def _list_page_names(resolver=None, namespace="") -> list[str]:
    """Every `<app>:<model>_list` page of the URL configuration that takes no argument."""
    from django.urls import URLResolver, get_resolver

    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += _list_page_names(pattern, inner)
        elif (pattern.name or "").endswith("_list") and not pattern.pattern.regex.groups:
            names.append(f"{namespace}{pattern.name}")
    return names


def test_a_platform_administrator_sees_every_list_without_links_to_missing_pages(
        signed_in, org_a):
    """Issue 16 item 7.1: a superuser holds every permission, so /mail/sent/ offered an
    "add" link to a page the read-only log does not have, and failed to render (500)."""
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = signed_in(root, organisation=org_a)
    names = _list_page_names()
    assert "mail:outboundemail_list" in names and "organisation:serviceunit_list" in names
    for name in names:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    sent = html(client.get(reverse("mail:outboundemail_list")))
    assert "Add " not in sent and "/mail/sent/add/" not in sent
    # A model that has an add page still offers it.
    assert f'href="{reverse("organisation:serviceunit_add")}"' in html(client.get(UNITS))
