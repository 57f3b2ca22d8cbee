"""Validation of framework files: plain Python, no database. Every problem names its line."""

from __future__ import annotations

import textwrap

import pytest

from borough.standards.framework.loader import FrameworkFileError, Problem, parse
from borough.standards.models import Level

from .conftest import SMALL


def problems(text: str, rules=None) -> list[str]:
    with pytest.raises(FrameworkFileError) as caught:
        parse(textwrap.dedent(text), rules=rules if rules is not None else {})
    return [str(p) for p in caught.value.problems]


VALID = """\
code: tiny
name: Tiny
themes:
  - code: one
    name: One
standards:
  - code: only
    theme: one
    name: Only
    criteria:
      minimum:
        - code: a
          text: A.
      progressing:
        - code: b
          text: B.
      excellent:
        - code: c
          text: C.
"""


def test_a_valid_file_gives_its_themes_standards_and_criteria():
    spec = parse(VALID, rules={})
    assert (spec.code, spec.name, spec.version) == ("tiny", "Tiny", None)
    assert [t.code for t in spec.themes] == ["one"]
    assert [(c.code, c.level) for c in spec.standards[0].criteria] == [
        ("a", Level.MINIMUM), ("b", Level.PROGRESSING), ("c", Level.EXCELLENT)]
    assert spec.standards[0].line == 7
    assert spec.standards[0].criteria[0].line == 12


def test_the_small_framework_parses(test_rules):
    spec = parse(SMALL.read_text())
    assert [t.code for t in spec.themes] == ["people", "service"]
    assert [s.code for s in spec.standards] == ["skills", "desk", "continuity"]
    desk = spec.standards[1]
    assert desk.criteria[0].rule == "tests.counts-tickets"
    assert desk.criteria[0].params == {"min_tickets": 5}
    assert spec.standards[0].criteria[1].added is True
    assert desk.criteria[1].source == "Section 2"


def test_bad_yaml_syntax_names_the_line():
    found = problems("code: x\nname: X\nthemes:\n  - code: a\n    name: [unclosed\nstandards: []\n")
    assert len(found) == 1
    assert found[0].startswith("line 6: not valid YAML")


def test_a_tab_indent_names_the_line():
    found = problems("code: x\nname: X\nthemes:\n\t- code: a\n")
    assert found[0].startswith("line 4: not valid YAML")


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("# only a comment\n", "the file is empty"),
    ("- a\n- b\n", "line 1: the framework must be a mapping of keys to values, not a list"),
])
def test_an_empty_or_shapeless_file(text, message):
    assert problems(text) == [message]


def test_unknown_theme_names_the_line_and_suggests_the_right_one():
    text = VALID.replace("theme: one", "theme: onee")
    assert problems(text) == [
        "line 8: standard 'only' names theme 'onee', which is not defined; did you mean 'one'?",
        "line 4: theme 'one' has no standards",
    ] or problems(text) == [
        "line 4: theme 'one' has no standards",
        "line 8: standard 'only' names theme 'onee', which is not defined; did you mean 'one'?",
    ]


def test_problems_are_all_collected_and_in_line_order():
    text = """\
    code: Not A Slug
    name: Bad
    colour: blue
    themes:
      - code: one
        name: One
      - code: one
        name: Again
    standards:
      - code: only
        theme: one
        name: Only
        criteria:
          minimum: []
          progresing:
            - code: a
              text: A.
          excellent:
            - code: c
              text: C.
            - code: c
              text: Twice.
            - code: d
              text: D.
              rule: nowhere.rule
            - code: e
              text: E.
              params: {x: 1}
            - text: No code.
    """
    found = problems(text)
    assert found == [
        "line 1: the framework's code 'Not A Slug' must be lowercase letters and digits joined "
        "by hyphens, like 'not-a-slug'",
        "line 3: unknown key 'colour' in the framework (allowed: code, name, themes, standards, "
        "version, description, source)",
        "line 7: theme 'one' is defined twice (first on line 5)",
        "line 14: standard 'only' has no criteria at the minimum level",
        "line 14: standard 'only' has no criteria at the progressing level",
        "line 15: standard 'only' has criteria at unknown level 'progresing' (levels: minimum, "
        "progressing, excellent)",
        "line 21: standard 'only' has criterion 'c' twice (first on line 19)",
        "line 25: criterion 'd' of standard 'only' names evidence rule 'nowhere.rule', which is "
        "not registered (no rules are registered)",
        "line 28: criterion 'e' of standard 'only' gives params but no rule",
        "line 29: a criterion of standard 'only' has no 'code'",
    ]


def test_missing_required_keys_and_wrong_types():
    text = """\
    code: x
    version: 0
    themes: {a: b}
    standards:
      - code: s
        name: 12
        theme: t
        criteria: [minimum]
    """
    assert problems(text) == [
        "line 1: the framework has no 'name'",
        "line 2: version must be a whole number of 1 or more",
        "line 3: themes must be a list (each item starting with '- '), not a mapping",
        "line 6: the name of standard 's' must be text, not a number; put it in quotes",
        "line 7: standard 's' names theme 't', which is not defined",
        "line 8: the criteria of standard 's' must be a mapping of levels (minimum, progressing, "
        "excellent) to lists of criteria",
    ]


def test_a_key_given_twice_is_a_problem():
    text = VALID.replace("name: Tiny\n", "name: Tiny\nname: Tiny again\n")
    assert problems(text) == ["line 3: the framework gives 'name' twice"]


def test_aliases_are_refused():
    text = VALID.replace("name: One", "name: &n One").replace("name: Only", "name: *n")
    assert problems(text) == [
        "line 9: aliases (*n) are not supported; write the value out in full"]


def test_python_tags_are_refused_not_run():
    text = VALID.replace("text: A.", "text: !!python/name:os.system")
    found = problems(text)
    assert len(found) == 1
    assert found[0].startswith("line 13: cannot read this value: could not determine a "
                               "constructor for the tag")


RULES_FILE = """\
code: tiny
name: Tiny
themes:
  - code: one
    name: One
standards:
  - code: only
    theme: one
    name: Only
    criteria:
      minimum:
        - code: a
          text: A.
          rule: tests.counts-tickt
        - code: a2
          text: A2.
          rule: tests.counts-tickets
          params: [1, 2]
        - code: a3
          text: A3.
          rule: tests.counts-tickets
          params:
            min_tickets: many
            max_tickets: 3
            period_days: 30
        - code: a4
          text: A4.
          rule: tests.counts-tickets
          params:
            period_days: 2024-01-01
        - code: a5
          text: A5.
          rule: tests.counts-tickets
          params:
            period_days: 30
      progressing:
        - code: b
          text: B.
      excellent:
        - code: c
          text: C.
"""


def test_rule_checks(test_rules):
    found = [str(p) for p in _raise(RULES_FILE, test_rules)]
    assert found == [
        "line 14: criterion 'a' of standard 'only' names evidence rule 'tests.counts-tickt', "
        "which is not registered; did you mean 'tests.counts-tickets'?",
        "line 18: the params of criterion 'a2' of standard 'only' must be a mapping of names to "
        "values, not a list",
        "line 23: parameter 'min_tickets' of criterion 'a3' of standard 'only': min_tickets "
        "must be a whole number (it is 'many').",
        "line 24: evidence rule 'tests.counts-tickets' has no parameter 'max_tickets' (it takes: "
        "min_tickets, period_days)",
        "line 30: the params of criterion 'a4' of standard 'only' must be plain values (text, "
        "numbers, true/false and lists of them)",
    ]


def test_a_criterion_with_a_rule_is_an_evidence_criterion(test_rules):
    text = VALID.replace("          text: A.\n", "          text: A.\n"
                         "          rule: tests.counts-tickets\n"
                         "          params: {min_tickets: 3}\n")
    criterion = parse(text).standards[0].criteria[0]
    assert (criterion.rule, criterion.params) == ("tests.counts-tickets", {"min_tickets": 3})


def _raise(text, rules):
    with pytest.raises(FrameworkFileError) as caught:
        parse(text, rules=rules)
    return caught.value.problems


def test_the_error_message_lists_every_problem():
    error = FrameworkFileError([Problem(3, "first"), Problem(None, "second")], "x.yaml")
    assert str(error) == "x.yaml cannot be loaded (2 problems):\nline 3: first\nsecond"
