"""Shared framework pages are reached from the menu by those who may read them."""

import pytest
from django.urls import reverse

from borough.core import roles
from tests.conftest import make_member


@pytest.mark.django_db
@pytest.mark.parametrize("role, shown", [(roles.ICT_MANAGER, True), (roles.AUDITOR, True),
                                         (roles.REQUESTER, False)])
def test_frameworks_link_in_the_standards_section(client, org_a, role, shown):
    client.force_login(make_member(org_a, role, "someone"))
    response = client.get(reverse("standards:framework_list") if shown else reverse("core:home"))
    links = [item["url"] for item in response.context["nav_subsections"] or []]
    sections = [item["label"] for item in response.context["nav_sections"] or []]
    assert (reverse("standards:framework_list") in links) is shown
    assert ("Standards" in sections) is shown


@pytest.mark.django_db
def test_home_page_lists_the_same_pages_as_the_menu(client, org_a):
    client.force_login(make_member(org_a, roles.ICT_MANAGER, "manager"))
    response = client.get(reverse("core:home"))
    sections = response.context["sections"]
    assert {"label": "Frameworks", "url": reverse("standards:framework_list")} in sections["Standards"]
    assert f'href="{reverse("standards:framework_list")}"' in response.content.decode()


@pytest.mark.django_db
def test_the_menu_follows_the_role_held_now(client, org_a):
    """Menus are shared between users with the same permissions, within a process: a
    role changed between two requests changes the menu on the next one, and a user
    with another role never gets the first one's menu."""
    from django.contrib.auth.models import Group

    from borough.accounts.models import Membership

    def standards_shown(user):
        client.force_login(user)
        sections = client.get(reverse("core:home")).context["nav_sections"] or []
        return "Standards" in [item["label"] for item in sections]

    manager = make_member(org_a, roles.ICT_MANAGER, "manager")
    requester = make_member(org_a, roles.REQUESTER, "requester")
    assert standards_shown(manager)
    assert not standards_shown(requester)
    assert standards_shown(manager)
    Membership.objects.filter(user=manager).update(role=Group.objects.get(name=roles.REQUESTER))
    assert not standards_shown(manager)
