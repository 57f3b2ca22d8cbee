"""core.charts: escaped, accessible SVG and a table of the same numbers (no database)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string

from borough.core.charts import BAR, HBAR, LINE, STACKED, Chart, Series, format_number

SVG = "{http://www.w3.org/2000/svg}"


def weekly(kind=BAR, **extra):
    return Chart(
        title="Tickets per week", description="Opened and resolved each week.",
        x_labels=["6 Jan 2025", "13 Jan 2025", "20 Jan 2025"],
        series=[Series("Opened", [12, 1500, 0]), Series("Resolved", [10, 7, None])],
        unit="tickets", kind=kind, x_title="Week beginning", **extra,
    )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own output, not untrusted input


@pytest.mark.parametrize("kind", [BAR, STACKED, LINE, HBAR])
def test_every_kind_is_well_formed_accessible_svg(kind):
    root = parse(weekly(kind).svg())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Tickets per week"
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert root.find(f"{SVG}desc").text == "Opened and resolved each week."
    assert "style" not in str(weekly(kind).svg())  # the CSP allows no inline styles


def test_labels_titles_and_names_are_escaped():
    chart = Chart(
        title='<script>alert("t")</script>', description="<img src=x onerror=alert(1)>",
        x_labels=["<script>alert(1)</script>", "A & B"],
        series=[Series('"><script>s</script>', [3, 4])], unit="<b>u</b>",
    )
    for kind in (BAR, LINE, HBAR, STACKED):
        svg = str(Chart(**{**chart.__dict__, "kind": kind}).svg())
        assert "<script" not in svg and "<img" not in svg and "<b>" not in svg
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
        assert "A &amp; B" in svg
        parse(svg)  # still well-formed XML
    html = render_to_string("borough/includes/chart.html", {"chart": chart})
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_table_has_the_same_numbers_as_the_chart():
    chart = weekly()
    html = render_to_string("borough/includes/chart.html", {"chart": chart})
    table = html[html.index("<table"):html.index("</table>")]
    assert 'class="govuk-table borough-chart__table"' in table
    assert "<caption" in table and "Tickets per week" in table
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table)
    assert headers == ["Week beginning", "Opened (tickets)", "Resolved (tickets)"]
    rows = re.findall(r"<tr class=\"govuk-table__row\">\s*<th scope=\"row\"[^>]*>([^<]*)</th>"
                      r"(.*?)</tr>", table, re.S)
    cells = [(label, re.findall(r"<td[^>]*>(.*?)</td>", rest, re.S)) for label, rest in rows]
    assert [label for label, _ in cells] == ["6 Jan 2025", "13 Jan 2025", "20 Jan 2025"]
    assert [c[0] for _, c in cells] == ["12", "1,500", "0"]
    assert [c[1] for _, c in cells][:2] == ["10", "7"]
    assert "no value" in cells[2][1][1]  # None is a dash, read out as "no value"
    # The drawing carries the same values: one bar per value above zero, with its number.
    svg = str(chart.svg())
    assert svg.count("<rect") - 2 == 4  # 12, 1500, 10, 7 (+ two legend swatches)
    assert "13 Jan 2025, Opened: 1,500 tickets" in svg
    assert chart.table_values() == [
        ["Week beginning", "Opened (tickets)", "Resolved (tickets)"],
        ["6 Jan 2025", 12, 10], ["13 Jan 2025", 1500, 7], ["20 Jan 2025", 0, None],
    ]


def test_bar_heights_are_proportional_to_the_values():
    chart = Chart("Backlog", "Open tickets by age", ["a", "b"], [Series("Open", [5, 10])])
    heights = [float(rect.get("height")) for rect in parse(chart.svg()).iter(f"{SVG}rect")]
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.2)


def test_empty_data_shows_a_message_instead_of_a_chart():
    empty = Chart("Nothing", "No tickets.", [], [], empty_text="No tickets in this period.")
    assert str(empty.svg()) == ""
    html = render_to_string("borough/includes/chart.html", {"chart": empty})
    assert "No tickets in this period." in html
    assert "<svg" not in html and "<table" not in html

    zeros = Chart("Backlog", "Open tickets.", ["Under 1 day", "Over 30 days"],
                  [Series("Open", [0, 0])], empty_text="There are no open tickets.")
    html = render_to_string("borough/includes/chart.html", {"chart": zeros})
    assert "There are no open tickets." in html and "<svg" not in html
    assert "<table" in html  # the zeros are still numbers worth showing

    gaps = Chart("SLA", "None measured.", ["Jan"], [Series("P1", [None])], unit="%")
    assert not gaps.has_data and str(gaps.svg()) == ""


def test_table_only_series_are_in_the_table_but_not_drawn():
    chart = Chart("Teams", "By team", ["Desk", "Network"],
                  [Series("Opened", [4, 2]),
                   Series("Within SLA", [50.0, None], unit="%", in_chart=False)],
                  unit="tickets")
    svg = str(chart.svg())
    assert "Within SLA" not in svg
    assert chart.headings == ["", "Opened (tickets)", "Within SLA (%)"]
    assert chart.rows[0]["cells"] == ["4", "50.0"]
    assert chart.rows[1]["cells"] == ["2", None]


def test_line_breaks_at_missing_values_and_percent_axis_stops_at_100():
    chart = Chart("SLA", "Met", ["Jan", "Feb", "Mar", "Apr"],
                  [Series("P1", [80.0, None, 90.0, 95.5])], unit="%", kind=LINE, y_max=100)
    root = parse(chart.svg())
    paths = list(root.iter(f"{SVG}path"))
    assert len(paths) == 1  # Jan stands alone; Mar–Apr are joined
    assert len(list(root.iter(f"{SVG}circle"))) == 3
    ticks = [t.text for t in root.iter(f"{SVG}text") if "borough-chart__tick" in t.get("class")]
    assert ticks[-1] == "100"


def test_long_and_many_labels_are_shortened_but_the_table_keeps_them_whole():
    label = "Hardware › Multi-function printers and scanners in the Civic Centre"
    chart = Chart("Top categories", "Most tickets", [label, "Email"],
                  [Series("Opened", [9, 3])], kind=HBAR)
    svg = str(chart.svg())
    drawn = re.sub(r"<title[^>]*>.*?</title>", "", svg)  # tooltips keep the whole label
    assert label not in drawn and "Hardware › Multi-function pri…" in drawn
    html = render_to_string("borough/includes/chart.html", {"chart": chart})
    assert label in html


def test_series_must_match_the_labels():
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        Chart("t", "d", ["a", "b", "c"], [Series("s", [1, 2])])
    with pytest.raises(ValueError, match="kind"):
        Chart("t", "d", ["a"], [Series("s", [1])], kind="pie")


def test_ids_are_distinct_per_chart():
    assert weekly(key="weekly").dom_id == "chart-weekly"
    assert weekly().dom_id == "chart-tickets-per-week"


def test_format_number():
    assert format_number(1234) == "1,234"
    assert format_number(33.333) == "33.3"
    assert format_number(66.66, 0) == "67"
    assert format_number(None) is None


def test_crowded_labels_wrap_onto_two_lines_or_slant():
    labels = ["1 – Very dissatisfied", "<i>2</i> – Dissatisfied", "3 – Neither", "4 – Satisfied",
              "5 – Very satisfied"]
    root = parse(Chart("Ratings", "By score", labels, [Series("Ratings", [1, 2, 3, 4, 5])]).svg())
    label_texts = [t for t in root.iter(f"{SVG}text") if "borough-chart__label" in t.get("class")]
    assert ["".join(t.itertext()) for t in label_texts][0] == "1 – Verydissatisfied"
    assert [s.text for s in label_texts[1]] == ["<i>2</i> –", "Dissatisfied"]  # escaped text
    assert all(t.get("transform") is None for t in label_texts)
    many = Chart("Weeks", "Per week", [f"Week number {i}" for i in range(60)],
                 [Series("Opened", list(range(60)))], kind=LINE)
    slanted = [t for t in parse(many.svg()).iter(f"{SVG}text")
               if "borough-chart__label" in t.get("class")]
    assert slanted and all("rotate(-45" in t.get("transform") for t in slanted)
    assert len(slanted) < 60  # every other label or fewer, so they do not overlap


def test_slanted_labels_stay_inside_the_chart():
    # The committee report's 13 themes (issue 16): the first slanted label used to run
    # past the left edge, which a PDF cuts off.
    from borough.core.charts import CHAR_WIDTH

    themes = [f"Information Management theme {i}" for i in range(13)]
    chart = Chart("Levels", "By theme", themes, [Series("Minimum", [1] * 13)], kind=STACKED,
                  unit="standards")
    slanted = [t for t in parse(chart.svg()).iter(f"{SVG}text")
               if "borough-chart__label" in t.get("class")]
    assert slanted and "rotate(-45" in slanted[0].get("transform")
    first = slanted[0]
    assert float(first.get("x")) - len(first.text) * CHAR_WIDTH * 0.72 >= 0


def test_a_series_can_keep_its_colour_whatever_its_position():
    from borough.core.charts import PALETTE, STACKED, Chart, Series

    chart = Chart(title="Levels", description="d", x_labels=["A"], kind=STACKED, unit="standards",
                  x_title="Theme", key="levels",
                  series=[Series("Below Minimum", [2], palette=1), Series("Excellent", [1], palette=0)])
    svg = str(chart.svg())
    assert svg.index(f'fill="{PALETTE[1]}"') < svg.index(f'fill="{PALETTE[0]}"')
    assert "borough-chart__series-2" in svg and "borough-chart__series-1" in svg
