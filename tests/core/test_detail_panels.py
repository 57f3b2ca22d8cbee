"""Detail panels: another app's section on a record's page, shown only when it has
something for the person reading."""

import pytest
from django.urls import reverse

from borough.core.registry import DetailPanel, Registry, registry
from borough.organisation.models import Site
from tests.factories import SiteFactory


def test_panels_come_in_order_and_only_when_they_have_something():
    local = Registry()
    local.add_detail_panel(Site, DetailPanel("later", "x.html", lambda r, u: {"n": 2}, order=20))
    local.add_detail_panel(Site, DetailPanel("never", "y.html", lambda r, u: None, order=5))
    local.add_detail_panel(Site, DetailPanel("first", "z.html", lambda r, u: {"n": 1}, order=10))
    shown = local.panels_for(Site(name="Moresby"), None)
    assert [(p.name, c) for p, c in shown] == [("first", {"n": 1}), ("later", {"n": 2})]
    with pytest.raises(ValueError, match="twice"):
        local.add_detail_panel(Site, DetailPanel("first", "z.html", lambda r, u: {}))


@pytest.mark.django_db
def test_a_panel_shows_on_the_record_page(admin_a, org_a, signed_in, monkeypatch, tmp_path,
                                          settings):
    user = admin_a
    site = SiteFactory(organisation=org_a, name="Whitehaven")
    (tmp_path / "panel_probe.html").write_text(
        '<h2 class="govuk-heading-m">Probe</h2><p id="probe">{{ panel.word }}</p>')
    # Assigned, not changed in place, so Django rebuilds its template engines.
    settings.TEMPLATES = [{**settings.TEMPLATES[0],
                           "DIRS": [*settings.TEMPLATES[0]["DIRS"], str(tmp_path)]}]
    seen = []

    def context(record, reader):
        seen.append((record, reader))
        return {"word": f"about {record.name}"}

    monkeypatch.setitem(registry.detail_panels, Site,
                        [DetailPanel("probe", "panel_probe.html", context)])
    page = signed_in(user).get(reverse("organisation:site_detail", args=[site.pk]))
    assert page.status_code == 200
    assert '<p id="probe">about Whitehaven</p>' in page.content.decode()
    assert [(r.pk, u.pk) for r, u in seen] == [(site.pk, user.pk)]
