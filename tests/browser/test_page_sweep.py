"""Every page at 390 × 844 (a phone) and 1280 × 800 (a laptop), for a platform
administrator of a council with a record of every registered model: axe-core finds
nothing, and nothing makes the page scroll sideways (issue 16: "every page usable at
390 px").

The pages come from the registry (each registered model's list and one record's page,
and the menu's other links), so a new module is swept without touching this file, plus
the pages that are not a model's list: home, search, jobs, statistics, the standards
pages, the action plan's groupings, the committee report, the accessibility statement
and the API documentation. One browser page, signed in once; each page is loaded once
and checked at both widths."""

from __future__ import annotations

import pytest
from django.urls import reverse

from borough.core import roles
from borough.core.registry import registry
from tests.browser.signing_in import sign_in
from tests.conftest import make_member
from tests.declared.cases import World, case_for, make_record
from tests.servicedesk.conftest import desk  # noqa: F401 - fixtures
from tests.standards.report.conftest import desk_rule, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = ({"width": 390, "height": 844}, {"width": 1280, "height": 800})

# The elements that stick out past the right edge while their parent does not: where
# a page that scrolls sideways should be fixed.
STICKING_OUT = """() => {
  const out = e => e.getBoundingClientRect().right > innerWidth + 1;
  const scrolls = e => ["auto", "scroll"].includes(getComputedStyle(e).overflowX);
  const inBox = e => { for (let p = e.parentElement; p; p = p.parentElement)
    if (scrolls(p)) return true; return false; };
  return [...document.body.querySelectorAll("*")]
    .filter(e => out(e) && !out(e.parentElement) && !inBox(e)).slice(0, 3)
    .map(e => `<${e.tagName.toLowerCase()} class="${e.getAttribute("class") || ""}">`
      + ` ${(e.textContent || "").trim().slice(0, 40)}`);
}"""


def registered_pages(council, user) -> list[tuple[str, str]]:
    """(name, path) of each registered model's list, and of one of its records' pages,
    a record being made for each model (as the registry-driven suite makes them)."""
    people = World(council, {roles.ADMINISTRATOR: user})
    pages = []
    for entry in registry.all():
        if (prepare := case_for(entry).prepare) is not None:
            prepare(people)
        record = make_record(entry, people, roles.ADMINISTRATOR)
        pages.append((f"{entry.verbose_name_plural} list", reverse(entry.url_name("list"))))
        pages.append((f"a {entry.verbose_name}", reverse(entry.url_name("detail"),
                                                         args=[record.pk])))
    return pages


def other_pages(world) -> list[tuple[str, str]]:  # noqa: F811
    cycle = world["cycle"]
    rating = cycle.ratings.filter(standard=world["standards"]["desk"]).get()
    pages = [(f"menu: {link.label}", reverse(link.url_name)) for link in registry.nav_links]
    return pages + [
        ("home", "/"),
        ("search", reverse("core:search") + "?q=service"),
        ("background jobs", reverse("core:jobs")),
        ("notifications", reverse("core:notifications")),
        ("accessibility statement", reverse("core:accessibility")),
        ("your profile", reverse("accounts:profile")),
        ("service desk home", reverse("servicedesk:home")),
        ("service desk statistics", reverse("servicedesk:statistics")),
        ("outages per service", reverse("status:figures")),
        ("mail home", reverse("mail:home")),
        ("mail preferences", reverse("mail:preferences")),
        ("standards home", reverse("standards:home")),
        ("a framework", reverse("standards:framework_detail", args=[world["framework"].pk])),
        ("compare cycles", reverse("standards:assessmentcycle_compare", args=[cycle.pk])),
        ("a rating", reverse("standards:rating_detail", args=[rating.pk])),
        ("action plan by theme", reverse("standards:action_list") + "?group=theme"),
        ("action plan by owner", reverse("standards:action_list") + "?group=owner"),
        ("action plan by due date", reverse("standards:action_list") + "?group=due"),
        ("committee report", reverse("standards:cycle_report", args=[cycle.pk])),
        ("API documentation", reverse("api-docs")),
    ]


def test_every_page_reads_at_390_and_1280_pixels(page, axe, screenshot, desk, world):  # noqa: F811
    council = desk.org
    admin = make_member(council, roles.ADMINISTRATOR, "admin")
    admin.is_superuser = True  # the background jobs page is for platform administrators
    admin.save()
    pages = registered_pages(council, admin) + other_pages(world)

    sign_in(page, "admin")
    problems = []
    for name, path in pages:
        page.set_viewport_size(WIDTHS[0])
        response = page.goto(path)
        if response is None or response.status != 200:
            problems.append(f"{name} ({path}): answered {response and response.status}")
            continue
        if path.startswith("/api/docs/"):
            page.locator(".opblock-tag").first.wait_for()
        for size in WIDTHS:
            page.set_viewport_size(size)
            width = size["width"]
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                problems.append(f"{name} ({path}) at {width}: the page is {scroll} px wide, "
                                f"from {page.evaluate(STICKING_OUT)}")
                screenshot(f"{path.strip('/').replace('/', '-') or 'home'}-{width}")
            try:
                axe(page, f"{name} ({path}) at {width}")
            except AssertionError as error:
                problems.append(str(error))
    assert not problems, "\n".join(problems)
