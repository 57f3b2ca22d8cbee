"""Which known errors and articles a ticket suggests when its words match many (the
ranked set is bounded, core.textsearch.CANDIDATES), and that a realistic ticket, whose
words match fewer, gets the full ranking's suggestions. On both databases."""

from __future__ import annotations

import pytest

from borough.core import textsearch
from borough.knowledge import queries as knowledge
from borough.problems import queries as problems
from tests.factories import ConfigurationItemFactory
from tests.knowledge.factories import ArticleFactory
from tests.problems.factories import KnownErrorFactory

pytestmark = pytest.mark.django_db

KNOWN_ERRORS = [
    ("Printer jams on floor two", "Paper jams in tray two of the Ricoh printers.",
     "Use tray one."),
    ("Printer driver update breaks duplex", "Pages print single sided after update.",
     "Roll the printer driver back."),
    ("VPN drops on hotel wifi", "The VPN disconnects every few minutes on guest wifi.",
     "Tether to a phone."),
    ("Outlook asks for the password again", "Outlook prompts for credentials hourly.",
     "Clear the credential manager."),
    ("Payroll portal slow at month end", "The payroll portal times out on the 25th.",
     "Submit before the 20th."),
    ("Smartcard reader not found", "Laptops on the new build do not see the reader.",
     "Reinstall the reader driver."),
    ("Teams headset silent", "Calls connect but the headset plays nothing.",
     "Choose the headset in Teams' device settings."),
    ("Council tax scanner offline", "The revenues scanner shows offline.",
     "Restart the scanner's service."),
]
TICKETS = ["The printer on floor two keeps jamming", "VPN keeps dropping at the hotel",
           "outlook password prompt again and again", "my headset is silent in teams",
           "payroll portal slow", "scanner offline in revenues", "smartcard reader missing",
           "printing is single sided since the driver update"]


def test_when_words_match_many_the_most_used_are_ranked_and_the_near_kept(desk, monkeypatch):
    monkeypatch.setattr(textsearch, "CANDIDATES", 2)
    ci = ConfigurationItemFactory(organisation=desk.org)
    for title, used in (("Printer jams", 0), ("Printer offline", 5), ("Printer slow", 2),
                        ("Printer toner", 9)):
        KnownErrorFactory(organisation=desk.org, title=title, fixed_count=used)
    KnownErrorFactory(organisation=desk.org, title="Wifi drops", ci=ci)
    found = problems.known_error_suggestions(desk.agent, ci_id=ci.pk, text="printer",
                                             limit=10)
    # The item's own first; then of the four printers only the two used most were ranked.
    assert [k.title for k in found] == ["Wifi drops", "Printer toner", "Printer offline"]
    for title, helpful in (("Printer setup", 1), ("Printer queue", 7), ("Printer scan", 3)):
        ArticleFactory(organisation=desk.org, title=title, helpful=helpful)
    assert {a.title for a in knowledge.staff_suggestions(desk.agent, "printer", limit=5)} \
        == {"Printer queue", "Printer scan"}


def test_a_realistic_ticket_gets_the_full_rankings_suggestions(desk, monkeypatch):
    for n, (title, symptoms, workaround) in enumerate(KNOWN_ERRORS):
        KnownErrorFactory(organisation=desk.org, title=title, symptoms=symptoms,
                          workaround=workaround, fixed_count=n % 3)
        ArticleFactory(organisation=desk.org, title=title, summary=symptoms, body=workaround,
                       helpful=n % 4)

    def answers():
        return {text: ([k.reference for k in problems.known_error_suggestions(
                    desk.agent, text=text)],
                       [a.reference for a in knowledge.staff_suggestions(desk.agent, text)])
                for text in TICKETS}

    bounded = answers()
    # The bound as small as the most rows a ticket's words match (the printers: two
    # known errors and two articles) changes nothing; the full ranking, unbounded.
    monkeypatch.setattr(textsearch, "CANDIDATES", 2)
    assert answers() == bounded
    monkeypatch.setattr(textsearch, "CANDIDATES", 10**6)
    assert answers() == bounded
    assert all(errors and articles for errors, articles in bounded.values())
