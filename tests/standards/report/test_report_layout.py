"""The committee report's layout (issue 16, item 5): a contents list whose links reach
every section, Appendix A, and the demo council's PDF without near-empty pages."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from borough.accounts.models import User
from borough.demo import organisations
from borough.demo import standards as demo
from borough.standards import models as st
from tests.standards.report.test_report import needs_weasyprint, page_text, pdf_text

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_the_contents_list_links_to_every_section(world, manager, signed_in):
    body = signed_in(manager).get(reverse("standards:cycle_report", args=[world["cycle"].pk])
                                  ).content.decode()
    nav = re.search(r'<nav class="borough-contents-list".*?</nav>', body, re.S).group(0)
    targets = re.findall(r'href="#([^"]+)"', nav)
    section_ids = re.findall(r'<h2 class="govuk-heading-l" id="([^"]+)"', body)
    assert targets == section_ids
    assert "appendix-a" in targets


@pytest.mark.django_db
def test_appendix_a_holds_the_strategy_summary(world, manager, signed_in):
    text = page_text(signed_in(manager).get(
        reverse("standards:cycle_report", args=[world["cycle"].pk])))
    appendix_a = text[text.rindex("Appendix A: the strategy summary"):text.rindex("Appendix B")]
    assert "ICT supports the council's priorities." in appendix_a


@needs_weasyprint
@pytest.mark.django_db
def test_the_pdf_has_appendix_a(world, manager, signed_in):
    text = pdf_text(signed_in(manager).get(
        reverse("standards:cycle_report_pdf", args=[world["cycle"].pk])).content)
    appendix_a = text[text.rindex("Appendix A: the strategy summary"):text.rindex("Appendix B")]
    assert "This year we close the skills gap." in appendix_a


@needs_weasyprint
@pytest.mark.django_db
def test_the_demo_pdf_has_no_near_empty_pages(client):
    from pypdf import PdfReader

    with time_machine.travel(NOW, tick=False):
        organisations.load("pw12345678xx")
        demo.load(NOW)
        client.force_login(User.objects.get(username="cbc-ictmanager"))
        cycle = st.AssessmentCycle.objects.filter(organisation__code="cbc").latest("starts_on")
        data = client.get(reverse("standards:cycle_report_pdf", args=[cycle.pk])).content
    pages = PdfReader(io.BytesIO(data)).pages
    # The running title and page number are two lines of every page but the first.
    lines = [len([line for line in (page.extract_text() or "").splitlines() if line.strip()])
             for page in pages]
    # A page of fewer than three lines of its own (the charts' heading left behind by
    # the first chart, say) is a layout fault, except the last.
    assert not [n for n, count in enumerate(lines[:-1], 1) if count < 5], lines
