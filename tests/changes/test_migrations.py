"""Migrations problems 0002 and changes 0003: a problem's change reference typed as text
becomes the link to the change it names in the same council (Change.problems); text that
names none is kept on the problem (`change_note`), never lost; and back."""

from __future__ import annotations

import pytest

from borough.changes.models import Change
from borough.problems.models import Problem
from tests.changes.factories import ChangeFactory
from tests.migrating import migrate, migrate_to_latest
from tests.problems.factories import ProblemFactory

BEFORE = ("problems", "0001_initial")
AFTER = ("changes", "0003_fixes_problems")


@pytest.fixture
def back_to_latest():
    yield
    migrate_to_latest()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_typed_change_references_become_links_and_the_rest_is_kept(org_a, org_b):
    change = ChangeFactory(organisation=org_a)
    ChangeFactory(organisation=org_b)
    theirs = ChangeFactory(organisation=org_b)  # CHG-000002: Copeland has none
    matched, unmatched, elsewhere, blank = (ProblemFactory(organisation=org_a)
                                            for _ in range(4))
    old = migrate(BEFORE).get_model("problems", "Problem")
    typed = {matched: f" {change.reference.lower()} ", unmatched: "RFC 2231 (old system)",
             elsewhere: theirs.reference, blank: ""}
    for problem, text in typed.items():
        old.objects.filter(pk=problem.pk).update(change_reference=text)

    migrate(AFTER)
    migrate_to_latest()
    assert list(Change.objects.get(pk=change.pk).problems.all()) == [
        Problem.objects.get(pk=matched.pk)]
    assert not Change.objects.get(pk=theirs.pk).problems.exists()  # another council's
    notes = dict(Problem.objects.values_list("pk", "change_note"))
    assert notes == {matched.pk: "", unmatched.pk: "RFC 2231 (old system)",
                     elsewhere.pk: theirs.reference, blank.pk: ""}

    old = migrate(BEFORE).get_model("problems", "Problem")
    back = dict(old.objects.values_list("pk", "change_reference"))
    assert back == {matched.pk: change.reference, unmatched.pk: "RFC 2231 (old system)",
                    elsewhere.pk: theirs.reference, blank.pk: ""}
