"""Migrations problems 0002 and changes 0003: a problem's change reference typed as text
becomes the link to the change it names in the same council (Change.problems); text that
names none is kept on the problem (`change_note`), never lost; and back."""

from __future__ import annotations

import pytest

from tests.migrating import database_at, made, migrate, organisation

# Before problems 0002 and changes 0003: both apps, neither migration.
BEFORE = (("problems", "0001_initial"), ("changes", "0002_template_announce"))
AFTER = ("changes", "0003_fixes_problems")


@pytest.mark.django_db(transaction=True)
def test_typed_change_references_become_links_and_the_rest_is_kept():
    with database_at(*BEFORE) as old:
        ours, theirs = organisation(old), organisation(old, "Allerdale", "abc")
        change = made(old, "changes.Change", organisation_id=ours, reference="CHG-000001",
                      title="Replace the SAN controller")
        made(old, "changes.Change", organisation_id=theirs, reference="CHG-000001", title="A")
        # CHG-000002 is theirs: Copeland has none.
        other = made(old, "changes.Change", organisation_id=theirs, reference="CHG-000002",
                     title="B")
        typed = {" chg-000001 ": "matched", "RFC 2231 (old system)": "unmatched",
                 "CHG-000002": "elsewhere", "": "blank"}
        problem = {what: made(old, "problems.Problem", organisation_id=ours,
                              reference=f"PRB-{n:06d}", title=what, change_reference=text)
                   for n, (text, what) in enumerate(typed.items(), start=1)}

        then = migrate(AFTER)
        Change = then.get_model("changes", "Change")  # noqa: N806
        assert list(Change.objects.get(pk=change).problems.values_list("pk", flat=True)) == [
            problem["matched"]]
        assert not Change.objects.get(pk=other).problems.exists()  # another council's
        notes = dict(then.get_model("problems", "Problem").objects
                     .values_list("title", "change_note"))
        assert notes == {"matched": "", "unmatched": "RFC 2231 (old system)",
                         "elsewhere": "CHG-000002", "blank": ""}

        back = migrate(*BEFORE).get_model("problems", "Problem")
        assert dict(back.objects.values_list("title", "change_reference")) == {
            "matched": "CHG-000001", "unmatched": "RFC 2231 (old system)",
            "elsewhere": "CHG-000002", "blank": ""}
