"""The accessibility statement is public, in the regulations' shape, and linked from the
footer of every page, signed in or not."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from borough.core import roles

pytestmark = pytest.mark.django_db

SECTIONS = ("How accessible Borough is", "Feedback and contact information",
            "Reporting accessibility problems with Borough", "Enforcement procedure",
            "Compliance status", "Non-accessible content",
            "Preparation of this accessibility statement")


def test_anyone_can_read_it_before_signing_in(client):
    response = client.get(reverse("core:accessibility"))
    assert response.status_code == 200
    text = response.content.decode()
    for heading in SECTIONS:
        assert heading in text
    assert "WCAG 2.2" in text or "Web Content Accessibility Guidelines version 2.2" in text
    assert "mailto:" not in text  # no contact set: it sends people to their service desk
    assert reverse("servicedesk:portal_home") in text


@override_settings(ACCESSIBILITY_CONTACT="access@shared-ict.example.gov.uk")
def test_it_names_the_contact_the_installation_sets(client):
    text = client.get(reverse("core:accessibility")).content.decode()
    assert 'href="mailto:access@shared-ict.example.gov.uk"' in text


def test_every_page_links_to_it(client, member):
    link = f'href="{reverse("core:accessibility")}"'
    assert link in client.get(reverse("accounts:login")).content.decode()
    client.force_login(member(roles.AGENT))
    assert link in client.get(reverse("core:home")).content.decode()
