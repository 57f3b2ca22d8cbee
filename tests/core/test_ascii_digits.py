"""Patterns that read numbers, references and dates out of what people type take ASCII
digits only: `\\d` alone also matches other scripts' digits ("١٢" is two digits to it),
and Python's int() reads those as 12, so "INC-١٢" or a company number in Arabic-Indic
digits went through as if typed in ASCII."""

from __future__ import annotations

import pytest

from borough.availability.api import MONTH
from borough.capacity.importers import _VALUE
from borough.changes.approval_mail import REFERENCE as CHANGE_IN_SUBJECT
from borough.commercial.models import COMPANY_NUMBER
from borough.core.suggestions import LEADING_REFERENCE
from borough.finance.importers import _MONEY
from borough.finance.years import _LABEL
from borough.mail.threads import MADE_UP
from borough.problems.forms import _REFERENCE as PROBLEM_REFERENCE
from borough.procurement.models import FINANCIAL_YEAR
from borough.servicedesk.forms import _PICKED
from borough.servicedesk.inbound import REFERENCE as TICKET_IN_SUBJECT
from borough.standards.assessments.queries import REFERENCE as ACTION_REFERENCE

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

CASES = [
    (MONTH.fullmatch, "2026-04"), (_VALUE.fullmatch, "85.5"),
    (CHANGE_IN_SUBJECT.search, "Re: [CHG-000012] Approve"), (COMPANY_NUMBER.fullmatch, "01234567"),
    (LEADING_REFERENCE.match, "INC-000123 Printer"), (_MONEY.fullmatch, "1250.00"),
    (_LABEL.fullmatch, "2026/27"), (MADE_UP.fullmatch, "<ticket-12.34@borough.example>"),
    (PROBLEM_REFERENCE.search, "PRB-000001"), (FINANCIAL_YEAR.fullmatch, "2026/27"),
    (_PICKED.search, "Carol Caller (#123)"), (TICKET_IN_SUBJECT.search, "Re: [INC-000123] Printer"),
    (LEADING_REFERENCE.match, "CI-000001 Payroll"), (ACTION_REFERENCE.fullmatch, "ACT-0001"),
]


@pytest.mark.parametrize(("find", "text"), CASES, ids=[text for _, text in CASES])
def test_ascii_digits_are_read_and_other_scripts_digits_are_not(find, text):
    assert find(text)
    assert not find(text.translate(ARABIC_INDIC))


def test_a_subject_names_tickets_in_ascii_digits_only():
    assert TICKET_IN_SUBJECT.findall("[INC-000123] and [INC-٠٠٠١٢٤]") == ["INC-000123"]
