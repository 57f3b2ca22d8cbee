"""Loading frameworks: one transaction, versions, the shipped NeSDS ICT framework."""

from __future__ import annotations

import pytest
from django.db import DatabaseError

from borough.standards import models as m
from borough.standards.framework import loader
from borough.standards.framework.loader import FrameworkFileError, load_text

from .conftest import DOCUMENTED_RULES, SMALL


def row_counts() -> tuple[int, int, int, int]:
    return (m.Framework.objects.count(), m.Theme.objects.count(), m.Standard.objects.count(),
            m.Criterion.objects.count())


def snapshot(framework) -> list[tuple]:
    """Every row of one framework version, as stored."""
    rows = [tuple(m.Framework.objects.filter(pk=framework.pk).values_list())]
    for model, lookup in ((m.Theme, "framework"), (m.Standard, "framework"),
                          (m.Criterion, "standard__framework")):
        rows.append(tuple(model.objects.filter(**{lookup: framework}).order_by("pk")
                          .values_list()))
    return rows


@pytest.mark.django_db
def test_the_small_framework_loads(small_text):
    result = load_text(small_text, loaded_by="tester")
    framework = result.framework
    assert result.created
    assert result.message == ("Loaded Digital basics (digital-basics version 1): 2 themes, "
                              "3 standards, 9 criteria.")
    assert (framework.code, framework.version, framework.loaded_by) == ("digital-basics", 1,
                                                                       "tester")
    assert framework.document == small_text
    assert list(framework.themes.values_list("code", "order")) == [("people", 0), ("service", 1)]
    assert list(m.Standard.objects.filter(framework=framework)
                .values_list("code", "theme__code")) == [
        ("skills", "people"), ("desk", "service"), ("continuity", "service")]
    desk_used = m.Criterion.objects.get(standard__framework=framework, code="desk-used")
    assert (desk_used.kind, desk_used.rule, desk_used.params, desk_used.level) == (
        m.CriterionKind.EVIDENCE, "tests.counts-tickets", {"min_tickets": 5}, m.Level.MINIMUM)
    followed = m.Criterion.objects.get(code="plan-followed")
    assert (followed.kind, followed.added, followed.level) == (
        m.CriterionKind.STATEMENT, True, m.Level.PROGRESSING)
    assert m.Criterion.objects.get(code="desk-measured").source_note == "Section 2"


@pytest.mark.django_db
def test_the_same_file_twice_changes_nothing(small_text):
    first = load_text(small_text)
    before = row_counts()
    again = load_text(small_text)
    assert not again.created
    assert again.framework.pk == first.framework.pk
    assert again.message == "digital-basics version 1 is already loaded; nothing changed."
    assert row_counts() == before


@pytest.mark.django_db
def test_a_changed_file_is_a_new_version_and_the_old_one_is_untouched(small_text):
    first = load_text(small_text).framework
    old_rows = snapshot(first)
    changed = small_text.replace("Backups are taken.", "Backups are taken every night.")
    second = load_text(changed)
    assert second.created
    assert second.framework.version == 2
    assert snapshot(first) == old_rows
    assert m.Criterion.objects.get(standard__framework=first, code="backups").text == \
        "Backups are taken."
    assert m.Criterion.objects.get(standard__framework=second.framework, code="backups").text \
        == "Backups are taken every night."
    assert row_counts() == (2, 4, 6, 18)
    # Loading the first file again finds it; nothing is rewritten.
    back = load_text(small_text)
    assert not back.created and back.framework.pk == first.pk
    assert "(version 2 is newer)" in back.message


@pytest.mark.django_db
def test_a_stated_version_is_used_and_never_goes_backwards_or_is_reused(small_text):
    v3 = small_text.replace("code: digital-basics\n", "code: digital-basics\nversion: 3\n")
    assert load_text(v3).framework.version == 3

    reused = v3.replace("Users love the desk.", "Users like the desk.")
    with pytest.raises(FrameworkFileError) as caught:
        load_text(reused)
    assert [str(p) for p in caught.value.problems] == [
        "line 5: version 3 of 'digital-basics' is already loaded with different content; give "
        "the changed file version 4 (or remove 'version' to number it automatically)"]

    older = reused.replace("version: 3", "version: 2")
    with pytest.raises(FrameworkFileError) as caught:
        load_text(older)
    assert str(caught.value.problems[0]) == (
        "line 5: version 2 is older than version 3 of 'digital-basics', which is already "
        "loaded; versions only go up")

    # Without a version the next number is taken.
    unnumbered = small_text.replace("Users love the desk.", "Users like the desk.")
    assert load_text(unnumbered).framework.version == 4
    assert row_counts()[0] == 2


@pytest.mark.django_db
def test_nothing_is_loaded_when_the_last_standard_is_wrong(small_text):
    broken = small_text.replace("code: plan-exercised", "code: plan-exercised\n          rule: x")
    with pytest.raises(FrameworkFileError) as caught:
        load_text(broken)
    assert str(caught.value.problems[0]).startswith("line 59: criterion 'plan-exercised' of "
                                                    "standard 'continuity' names evidence rule")
    assert row_counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_a_database_failure_while_writing_the_last_standard_rolls_everything_back(
        small_text, monkeypatch):
    """Validation passed, then the write failed part-way: the transaction leaves nothing."""
    real_save = m.Standard.save

    def failing_save(self, *args, **kwargs):
        if self.code == "continuity":
            raise DatabaseError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(m.Standard, "save", failing_save)
    with pytest.raises(DatabaseError):
        load_text(small_text)
    assert row_counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_files_and_names(small_text, tmp_path):
    path = tmp_path / "basics.yaml"
    path.write_text(small_text.replace("\n", "\r\n"))
    result = loader.load_file(path)
    assert result.created
    # Line endings are normalised, so the same content in either form is the same file.
    assert not load_text(small_text).created
    assert loader.resolve(str(SMALL)) == SMALL
    assert loader.resolve("nesds-ict") == loader.DATA_DIR / "nesds-ict.yaml"
    with pytest.raises(FrameworkFileError, match="no shipped framework of that name"):
        loader.resolve("no-such-framework")
    (tmp_path / "latin1.yaml").write_bytes("name: caf\xe9".encode("latin-1"))
    with pytest.raises(FrameworkFileError, match="not UTF-8"):
        loader.load_file(tmp_path / "latin1.yaml")


# --- The shipped NeSDS ICT framework ---------------------------------------------------------

THEMES = [
    "Staff Skills and Training", "ICT Skills and Training", "ICT Architecture Management",
    "Configuration, Development and Integration", "Information Management",
    "Information Security", "Performance Management",
    "Strategic Sourcing and Supplier Management", "Programme and Project Management",
    "Service Delivery", "Service Support", "Corporate Governance", "Business Engagement",
]


@pytest.mark.django_db
def test_the_shipped_framework_loads_with_13_themes_and_19_standards(documented_rules):
    results = loader.load_shipped_frameworks()
    assert [r.framework.code for r in results] == ["nesds-ict"]
    framework = results[0].framework
    assert list(framework.themes.order_by("order").values_list("name", flat=True)) == THEMES
    standards = m.Standard.objects.filter(framework=framework)
    assert standards.count() == 19
    for standard in standards:
        levels = set(standard.criteria.values_list("level", flat=True))
        assert levels == {m.Level.MINIMUM, m.Level.PROGRESSING, m.Level.EXCELLENT}, standard.code
    criteria = m.Criterion.objects.filter(standard__framework=framework)
    rules = set(criteria.exclude(rule="").values_list("rule", flat=True))
    assert rules == set(DOCUMENTED_RULES)
    assert criteria.filter(kind=m.CriterionKind.EVIDENCE).count() == criteria.exclude(rule="")\
        .count()
    # Every criterion says where it comes from, or that it was added.
    assert not criteria.filter(added=False, source_note="").exists()
    assert criteria.filter(added=True).exists()
    # Each theme's standards, by code.
    by_theme = {}
    for standard in standards.order_by("theme__order", "order"):
        by_theme.setdefault(standard.theme.code, []).append(standard.code)
    assert by_theme["service-delivery"] == ["service-level-management",
                                            "ict-financial-management",
                                            "capacity-availability-continuity"]
    assert by_theme["service-support"] == ["service-desk-incident", "problem-management",
                                           "configuration-change-release"]
    assert by_theme["sourcing-supplier-management"] == ["strategic-sourcing",
                                                        "supplier-management"]
    assert by_theme["business-engagement"] == ["stakeholder-relationships", "business-change"]


@pytest.mark.django_db
def test_loading_the_shipped_frameworks_again_changes_nothing(documented_rules):
    loader.load_shipped_frameworks()
    before = row_counts()
    again = loader.load_shipped_frameworks()
    assert [r.created for r in again] == [False]
    assert row_counts() == before


def test_the_shipped_framework_uses_only_registered_rules():
    """With the rules the app really registers (not stand-ins): a rule renamed or a
    parameter dropped in a module makes this fail."""
    spec = loader.parse(loader.normalise((loader.DATA_DIR / "nesds-ict.yaml").read_text()))
    assert len(spec.themes) == 13 and len(spec.standards) == 19
