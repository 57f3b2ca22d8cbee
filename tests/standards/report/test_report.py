"""The committee report: its content (HTML and PDF text), the DRAFT mark, who may read
it, and what happens when WeasyPrint's system libraries are missing."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.urls import reverse

from borough.core import roles
from borough.standards import models as st
from borough.standards.report import content, pdf, views
from tests.conftest import make_member
from tests.factories import AssessmentCycleFactory

needs_weasyprint = pytest.mark.skipif(not pdf.available(), reason=pdf.UNAVAILABLE_REASON)


def squash(text: str) -> str:
    """Whitespace folded to single spaces, so wrapped lines and table cells compare."""
    return re.sub(r"\s+", " ", text)


def page_text(response) -> str:
    """The visible text of an HTML response, tags dropped."""
    html = response.content.decode()
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return squash(re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'").replace("&amp;", "&")


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return squash(" ".join(page.extract_text() or "" for page in reader.pages))


def report_url(cycle):
    return reverse("standards:cycle_report", args=[cycle.pk])


def pdf_url(cycle):
    return reverse("standards:cycle_report_pdf", args=[cycle.pk])


# --- what the report says (checked the same way in the page and the PDF) -----------------

def assert_report_content(text: str, world, org):
    assert org.name in text
    assert "Annual review 2026/27" in text
    # The strategy summary.
    assert "ICT supports the council's priorities." in text
    assert "This year we close the skills gap." in text
    # Each rated standard with its levels: current, target, what live evidence supports.
    assert re.search(r"Service desk operation Progressing Excellent Minimum 1", text)
    assert re.search(r"Change management Minimum Minimum Minimum 0", text)
    assert re.search(r"Skills and training Below Minimum Progressing Below Minimum 2", text)
    assert re.search(r"Recruitment of ICT staff Not rated Not rated", text)
    # The reasons and figures behind the supported level.
    assert "71 of 100 priority 1 and 2 calls resolved in target" in text
    assert "Compliance percent: 71.0" in text
    assert "Not Progressing" in text
    # Evidence items.
    assert "Service desk procedures manual" in text
    assert "Training needs analysis 2026" in text
    # The gaps, biggest first.
    gaps = text[text.index("The gaps"):]
    assert gaps.index("Skills and training Staff skills Below Minimum Progressing 2") < \
        gaps.index("Service desk operation Service delivery Progressing Excellent 1")
    assert "Change management Service delivery" not in gaps[:gaps.index("Changes since")]
    # Progress since the previous cycle.
    assert "Changes since Annual review 2025/26" in text
    assert re.search(r"Service desk operation Below Minimum Progressing Improved", text)
    # Appendix B: the actions with owner, due date, status, RAG, progress and standards.
    plan = text[text.rindex("Appendix B: the action plan"):]
    training, sla = world["actions"]["training"], world["actions"]["sla"]
    assert re.search(rf"{training.reference} Write a training plan for every member of staff "
                     r"Morag Pennington 30 Sep 2026 .*In progress Amber "
                     r"Plans drafted for 4 of 12 staff .*Skills and training", plan)
    assert re.search(rf"{sla.reference} Report SLA compliance to the management team monthly "
                     r"Morag Pennington 31 Jan 2027 .*Not started Green", plan)
    # Appendix C: the corporate plan and targets.
    appendix_c = text[text.rindex("Appendix C: link to the corporate plan"):]
    assert re.search(rf"CP2 Efficient modern services .*{training.reference} Write a training plan",
                     appendix_c)
    assert re.search(rf"BVPI 157 Electronic service delivery .*{training.reference}", appendix_c)
    assert "LT1 Local call answering target" in appendix_c
    # Charts come with their tables.
    assert "Standards by current level in each theme" in text
    assert "Standards at each level: Annual review 2025/26 and Annual review 2026/27" in text


@pytest.mark.django_db
def test_the_page_holds_the_whole_report(world, manager, signed_in, org_a):
    response = signed_in(manager).get(report_url(world["cycle"]))
    assert response.status_code == 200
    text = page_text(response)
    assert_report_content(text, world, org_a)
    assert "DRAFT" in text
    body = response.content.decode()
    assert f'href="{pdf_url(world["cycle"])}"' in body
    assert 'class="borough-chart"' in body and "<table" in body
    assert "style=" not in body  # strict CSP: no inline styles


@needs_weasyprint
@pytest.mark.django_db
def test_the_pdf_holds_the_whole_report(world, manager, signed_in, org_a):
    response = signed_in(manager).get(pdf_url(world["cycle"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="cbc-annual-review-2026-27-committee-report.pdf"')
    data = response.content
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert_report_content(text, world, org_a)
    assert "DRAFT" in text


@needs_weasyprint
@pytest.mark.django_db
def test_an_approved_cycle_is_not_marked_draft(world, manager, signed_in):
    cycle = world["previous"]  # approved, with no snapshot kept: the report says so
    client = signed_in(manager)
    page = page_text(client.get(report_url(cycle)))
    assert "Approved" in page
    assert "DRAFT" not in page and "Draft" not in page
    text = pdf_text(client.get(pdf_url(cycle)).content)
    assert "Annual review 2025/26" in text
    assert "DRAFT" not in text
    assert "Approved" in text


@pytest.mark.django_db
def test_the_draft_mark_follows_the_status(world, manager, signed_in):
    cycle = world["cycle"]
    client = signed_in(manager)
    for status in (st.CycleStatus.IN_PROGRESS, st.CycleStatus.IN_REVIEW):
        st.AssessmentCycle.objects.filter(pk=cycle.pk).update(status=status)
        assert "DRAFT" in page_text(client.get(report_url(cycle)))
    st.AssessmentCycle.objects.filter(pk=cycle.pk).update(status=st.CycleStatus.APPROVED)
    assert "DRAFT" not in page_text(client.get(report_url(cycle)))


# --- who may read it ------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.AUDITOR, roles.AGENT, roles.ADMINISTRATOR])
def test_anyone_who_may_view_the_cycle_may_read_the_report(world, signed_in, org_a, role):
    user = make_member(org_a, role, f"reader-{role.lower().replace(' ', '-')}")
    assert signed_in(user).get(report_url(world["cycle"])).status_code == 200


@pytest.mark.django_db
def test_another_organisation_gets_404_and_learns_nothing(world, signed_in, admin_b):
    client = signed_in(admin_b)
    for url in (report_url(world["cycle"]), pdf_url(world["cycle"])):
        response = client.get(url)
        assert response.status_code == 404
        body = response.content.decode()
        assert "Annual review 2026/27" not in body
        assert "Copeland Borough Council" not in body


@pytest.mark.django_db
def test_a_requester_is_refused(world, signed_in, org_a):
    requester = make_member(org_a, roles.REQUESTER, "cbc-requester")
    client = signed_in(requester)
    for url in (report_url(world["cycle"]), pdf_url(world["cycle"])):
        response = client.get(url)
        assert response.status_code == 403
        assert "Annual review 2026/27" not in response.content.decode()


@pytest.mark.django_db
def test_anonymous_callers_are_sent_to_sign_in(world, client):
    for url in (report_url(world["cycle"]), pdf_url(world["cycle"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_a_missing_cycle_is_404(manager, signed_in, world):
    client = signed_in(manager)
    assert client.get(reverse("standards:cycle_report", args=[999999])).status_code == 404
    assert client.get(reverse("standards:cycle_report_pdf", args=[999999])).status_code == 404


# --- without WeasyPrint's system libraries ---------------------------------------------------

@pytest.mark.django_db
def test_without_the_libraries_the_page_says_what_to_install(world, manager, signed_in,
                                                            monkeypatch, org_a):
    monkeypatch.setattr(pdf, "available", lambda: False)
    response = signed_in(manager).get(report_url(world["cycle"]))
    assert response.status_code == 200
    text = page_text(response)
    assert_report_content(text, world, org_a)  # the HTML report still works
    assert "The PDF cannot be produced on this server" in text
    assert "libpango-1.0-0" in text
    assert f'href="{pdf_url(world["cycle"])}"' not in response.content.decode()


@pytest.mark.django_db
def test_without_the_libraries_the_pdf_address_answers_503(world, manager, signed_in,
                                                            monkeypatch):
    monkeypatch.setattr(pdf, "available", lambda: False)
    response = signed_in(manager).get(pdf_url(world["cycle"]))
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    text = page_text(response)
    assert "cannot be produced on this server" in text
    assert "libpango-1.0-0" in text
    assert report_url(world["cycle"]) in response.content.decode()


def test_a_failed_import_is_caught_and_reported(monkeypatch):
    """Importing the module where Pango is missing (OSError from WeasyPrint's import)
    leaves it importable, unavailable, with the reason."""
    import builtins
    import importlib
    import sys

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'libpango-1.0-0': No such file")
        return real_import(name, *args, **kwargs)

    spec = importlib.util.find_spec("borough.standards.report.pdf")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setattr(builtins, "__import__", no_pango)
    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    spec.loader.exec_module(module)
    monkeypatch.setattr(builtins, "__import__", real_import)
    assert module.available() is False
    assert "libpango" in module.UNAVAILABLE_REASON
    with pytest.raises(module.PdfUnavailable):
        module.render("<p>x</p>", base_url="http://testserver/")


# --- nothing is fetched over the network -------------------------------------------------------

@needs_weasyprint
@pytest.mark.django_db
def test_the_fetcher_serves_only_local_static_files():
    fetcher = pdf.LocalStaticFetcher("http://testserver/")
    response = fetcher.fetch("http://testserver/static/standards/report-print.css")
    assert b"@page" in response.read()
    response.close()
    for url in ("https://example.com/x.png", "http://testserver/admin/",
                "http://169.254.169.254/static/standards/report-print.css",
                "file:///etc/passwd", "http://testserver/static/../../etc/passwd",
                "http://testserver/static/standards/missing.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 6


@needs_weasyprint
def test_rendering_fetches_nothing_outside(monkeypatch):
    asked = []
    real_fetch = pdf.LocalStaticFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(pdf.LocalStaticFetcher, "fetch", spy)
    data = pdf.render('<p>Text</p><img src="https://example.com/track.png" alt="">'
                      '<link rel="stylesheet" href="http://evil.example/x.css">'
                      '<img src="/static/borough/images/favicon.svg" alt="">',
                      base_url="http://testserver/")
    assert data.startswith(b"%PDF-")
    assert "https://example.com/track.png" in asked  # asked, and refused (no network)
    assert "Text" in pdf_text(data)


# --- the pieces ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_report_filename_is_slugified(org_a):
    cycle = AssessmentCycleFactory(organisation=org_a, name="Annual Review 2026/27 (draft!)")
    assert views.report_filename(cycle) == "cbc-annual-review-2026-27-draft-committee-report.pdf"


@pytest.mark.django_db
def test_build_report_reads_only_what_the_user_may_see(world, admin_b, org_b):
    """Building the report directly (bypassing the view) is refused to another
    organisation's user too."""
    from django.core.exceptions import PermissionDenied

    admin_b.active_organisation_id = org_b.pk
    with pytest.raises(PermissionDenied):
        content.build_report(world["cycle"], user=admin_b)


@pytest.mark.django_db
def test_the_plan_leaves_out_actions_of_later_cycles_and_old_finished_ones(world, manager, org_a):
    from tests.factories import ActionFactory

    later = AssessmentCycleFactory(organisation=org_a, framework=world["framework"],
                                   name="Annual review 2027/28", starts_on=date(2027, 4, 1),
                                   ends_on=date(2028, 3, 31))
    raised_later = ActionFactory(organisation=org_a, cycle=later, title="Raised next year")
    raised_later.standards.set([world["standards"]["desk"]])
    old_done = ActionFactory(organisation=org_a, title="Finished long ago",
                             status=st.ActionStatus.DONE)
    st.Action.objects.filter(pk=old_done.pk).update(completed_on=date(2024, 5, 1))
    old_done.standards.set([world["standards"]["desk"]])
    still_open = ActionFactory(organisation=org_a, title="Carried over and still open")
    still_open.standards.set([world["standards"]["change"]])
    manager.active_organisation_id = org_a.pk
    titles = {line.title for line in content.build_report(world["cycle"], user=manager).actions}
    assert "Carried over and still open" in titles
    assert "Raised next year" not in titles
    assert "Finished long ago" not in titles
    assert "Write a training plan for every member of staff" in titles


def test_the_html_report_asks_for_the_pdf_without_loading_weasyprint(monkeypatch):
    """Before the PDF is drawn in a process, whether it can be comes from the package and
    the libraries being there; once pdf.py is loaded, from its import."""
    import sys

    from borough.standards.report import availability

    availability._installed.cache_clear()
    monkeypatch.delitem(sys.modules, "borough.standards.report.pdf")
    assert availability.pdf_available() is pdf.available()
    availability._installed.cache_clear()
    monkeypatch.setattr(availability.ctypes.util, "find_library",
                        lambda name: None if name == "pango-1.0" else f"lib{name}.so")
    assert availability.pdf_available() is False
    availability._installed.cache_clear()
    monkeypatch.setitem(sys.modules, "borough.standards.report.pdf", pdf)
    assert availability.pdf_available() is pdf.available()
