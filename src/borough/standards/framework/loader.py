"""Framework files: read, validate and load them.

A framework file (YAML, format in docs/standards.md "Framework") is checked in
full before anything is written: every problem is collected and reported with
the line it is on. Loading is one transaction. The same file loaded again
changes nothing (by SHA-256); a changed file becomes a new version, and rows of
earlier versions are never updated or deleted, so past assessments keep the
criteria they were made against.

    parse(text) -> FrameworkSpec                      plain Python, no database
    load_text(text, loaded_by=...) -> LoadResult      parse, then write in one transaction
    load_file(path), load_named("nesds-ict"), load_shipped_frameworks()

Errors are raised as FrameworkFileError, whose `problems` each name a line.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from borough.core.evidence import BadParameter
from borough.standards.models import Level

DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_BYTES = 2_000_000

LEVELS = {"minimum": Level.MINIMUM, "progressing": Level.PROGRESSING, "excellent": Level.EXCELLENT}
CODE_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CODE_MAX = 50
NAME_MAX = 200
SOURCE_NOTE_MAX = 300
RULE_MAX = 100

FRAMEWORK_KEYS = (("code", "name", "themes", "standards"), ("version", "description", "source"))
THEME_KEYS = (("code", "name"), ("description",))
STANDARD_KEYS = (("code", "name", "theme", "criteria"), ("description",))
CRITERION_KEYS = (("code", "text"), ("rule", "params", "added", "source"))


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class FrameworkFileError(Exception):
    """The file cannot be loaded; `problems` says where and why, one per line."""

    def __init__(self, problems: list[Problem], name: str = ""):
        self.problems = list(problems)
        self.name = name
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        where = f"{self.name} " if self.name else "The framework file "
        head = f"{where}cannot be loaded ({count} problem{'s' if count != 1 else ''}):"
        return "\n".join([head, *(str(p) for p in self.problems)])


@dataclass
class CriterionSpec:
    code: str
    text: str
    level: int
    rule: str = ""
    params: dict = field(default_factory=dict)
    added: bool = False
    source: str = ""
    line: int = 0


@dataclass
class ThemeSpec:
    code: str
    name: str
    description: str = ""
    line: int = 0


@dataclass
class StandardSpec:
    code: str
    name: str
    theme: str
    description: str = ""
    criteria: list[CriterionSpec] = field(default_factory=list)
    line: int = 0


@dataclass
class FrameworkSpec:
    code: str
    name: str
    version: int | None = None
    description: str = ""
    source: str = ""
    themes: list[ThemeSpec] = field(default_factory=list)
    standards: list[StandardSpec] = field(default_factory=list)
    version_line: int = 0


@dataclass(frozen=True)
class LoadResult:
    framework: object  # standards.models.Framework
    created: bool
    message: str


# --- Reading the node tree ----------------------------------------------------------------


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _describe(value) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


_UNREADABLE = object()  # a value the safe constructors refused (already reported)


class _Reader:
    """Walks the composed YAML nodes, so every problem can name its line."""

    def __init__(self, rules: dict):
        self.problems: list[Problem] = []
        self.rules = rules
        self._constructor = SafeConstructor()

    def problem(self, where: Node | int | None, message: str) -> None:
        line = _line(where) if isinstance(where, Node) else where
        self.problems.append(Problem(line, message))

    def value(self, node: Node):
        """The Python value of a node (safe constructors only)."""
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.problem(node, f"cannot read this value: {getattr(exc, 'problem', exc)}")
            return _UNREADABLE

    def mapping(self, node: Node, what: str, keys: tuple[tuple[str, ...], tuple[str, ...]]
                ) -> dict[str, Node] | None:
        required, optional = keys
        if not isinstance(node, MappingNode):
            self.problem(node, f"{what} must be a mapping of keys to values, not "
                               f"{self._kind(node)}")
            return None
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                self.problem(key_node, f"{what} has a key that is not a name")
                continue
            if key in found:
                self.problem(key_node, f"{what} gives '{key}' twice")
                continue
            if key not in required and key not in optional:
                allowed = ", ".join((*required, *optional))
                self.problem(key_node, f"unknown key '{key}' in {what} (allowed: {allowed})")
                continue
            found[key] = value_node
        for key in required:
            if key not in found:
                self.problem(node, f"{what} has no '{key}'")
        return found

    def sequence(self, node: Node, what: str) -> list[Node] | None:
        if not isinstance(node, SequenceNode):
            self.problem(node, f"{what} must be a list (each item starting with '- '), not "
                               f"{self._kind(node)}")
            return None
        return list(node.value)

    def _kind(self, node: Node) -> str:
        if isinstance(node, MappingNode):
            return "a mapping"
        if isinstance(node, SequenceNode):
            return "a list"
        value = self.value(node) if node.value != "" else None
        return "an unreadable value" if value is _UNREADABLE else _describe(value)

    def text(self, node: Node | None, what: str, *, max_length: int | None = None,
             required: bool = True) -> str | None:
        if node is None:
            return "" if not required else None
        if not isinstance(node, ScalarNode):
            self.problem(node, f"{what} must be text, not {self._kind(node)}")
            return None
        value = self.value(node)
        if value is _UNREADABLE:
            return None
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(node, f"{what} is empty")
                return None
            return ""
        if not isinstance(value, str):
            self.problem(node, f"{what} must be text, not {_describe(value)}; put it in quotes")
            return None
        value = value.strip()
        if max_length and len(value) > max_length:
            self.problem(node, f"{what} is {len(value)} characters long; the most is {max_length}")
            return None
        return value

    def code(self, node: Node | None, what: str) -> str | None:
        value = self.text(node, what, max_length=CODE_MAX)
        if value is None:
            return None
        if not CODE_PATTERN.fullmatch(value):
            suggestion = "-".join(re.findall(r"[a-z0-9]+", value.lower())) or "service-desk"
            self.problem(node, f"{what} '{value}' must be lowercase letters and digits joined "
                               f"by hyphens, like '{suggestion}'")
            return None
        return value

    def boolean(self, node: Node, what: str) -> bool | None:
        value = self.value(node) if isinstance(node, ScalarNode) else node
        if value is _UNREADABLE:
            return None
        if not isinstance(value, bool):
            self.problem(node, f"{what} must be true or false")
            return None
        return value

    def positive_int(self, node: Node, what: str) -> int | None:
        value = self.value(node) if isinstance(node, ScalarNode) else None
        if value is _UNREADABLE:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.problem(node, f"{what} must be a whole number of 1 or more")
            return None
        return value


# --- Validation -----------------------------------------------------------------------------


def _find_aliases(text: str) -> list[Problem]:
    """Anchors and aliases are refused: they would let a small file expand enormously."""
    problems = []
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            problems.append(Problem(event.start_mark.line + 1,
                                    f"aliases (*{event.anchor}) are not supported; write the "
                                    f"value out in full"))
    return problems


def _syntax_problem(exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    detail = f"{problem} ({context})" if context else problem
    if mark is None:
        return Problem(None, f"not valid YAML: {detail}")
    return Problem(mark.line + 1, f"not valid YAML at column {mark.column + 1}: {detail}")


def parse(text: str, *, name: str = "", rules: dict | None = None) -> FrameworkSpec:
    """Validate a framework document and return what it defines.

    Raises FrameworkFileError with every problem found, each naming its line. `rules`
    defaults to the evidence rules registered in the core registry."""
    if rules is None:
        from borough.core.registry import registry

        rules = registry.evidence_rules
    try:
        problems = _find_aliases(text)
        if problems:
            raise FrameworkFileError(problems, name)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise FrameworkFileError([_syntax_problem(exc)], name) from None
    if root is None:
        raise FrameworkFileError([Problem(None, "the file is empty")], name)
    reader = _Reader(rules)
    spec = _read_framework(reader, root)
    if reader.problems or spec is None:
        ordered = sorted(reader.problems, key=lambda p: (p.line or 0))
        raise FrameworkFileError(ordered, name)
    return spec


def _read_framework(r: _Reader, root: Node) -> FrameworkSpec | None:
    top = r.mapping(root, "the framework", FRAMEWORK_KEYS)
    if top is None:
        return None
    spec = FrameworkSpec(
        code=r.code(top.get("code"), "the framework's code") if "code" in top else None,
        name=r.text(top.get("name"), "the framework's name", max_length=NAME_MAX)
        if "name" in top else None,
        description=r.text(top.get("description"), "the framework's description",
                           required=False) or "",
        source=r.text(top.get("source"), "the framework's source", required=False) or "",
    )
    if "version" in top:
        spec.version = r.positive_int(top["version"], "version")
        spec.version_line = _line(top["version"])

    theme_lines: dict[str, int] = {}
    if "themes" in top:
        items = r.sequence(top["themes"], "themes")
        if items is not None and not items:
            r.problem(top["themes"], "themes is empty: a framework needs at least one theme")
        for node in items or ():
            theme = _read_theme(r, node)
            if theme is None:
                continue
            if theme.code in theme_lines:
                r.problem(node, f"theme '{theme.code}' is defined twice (first on line "
                                f"{theme_lines[theme.code]})")
                continue
            theme_lines[theme.code] = theme.line
            spec.themes.append(theme)

    standard_lines: dict[str, int] = {}
    used_themes: set[str] = set()
    if "standards" in top:
        items = r.sequence(top["standards"], "standards")
        if items is not None and not items:
            r.problem(top["standards"], "standards is empty: a framework needs at least one "
                                        "standard")
        for node in items or ():
            standard = _read_standard(r, node, theme_lines)
            if standard is None:
                continue
            used_themes.add(standard.theme)
            if standard.code in standard_lines:
                r.problem(node, f"standard '{standard.code}' is defined twice (first on line "
                                f"{standard_lines[standard.code]})")
                continue
            standard_lines[standard.code] = standard.line
            spec.standards.append(standard)
        if items:
            for theme in spec.themes:
                if theme.code not in used_themes:
                    r.problem(theme.line, f"theme '{theme.code}' has no standards")
    if spec.code is None or spec.name is None:
        return None
    # Standards in theme order, keeping the file's order within each theme.
    position = {t.code: i for i, t in enumerate(spec.themes)}
    spec.standards.sort(key=lambda s: position.get(s.theme, len(position)))
    return spec


def _read_named(r: _Reader, keys: dict, kind: str) -> tuple[str | None, str, str | None, str]:
    """A theme's or standard's code, the label problems name it by, its name and description."""
    code = r.code(keys.get("code"), f"a {kind}'s code") if "code" in keys else None
    label = f"{kind} '{code}'" if code else f"a {kind}"
    name = r.text(keys.get("name"), f"the name of {label}", max_length=NAME_MAX) \
        if "name" in keys else None
    description = r.text(keys.get("description"), f"the description of {label}",
                         required=False) or ""
    return code, label, name, description


def _read_theme(r: _Reader, node: Node) -> ThemeSpec | None:
    keys = r.mapping(node, "a theme", THEME_KEYS)
    if keys is None:
        return None
    code, label, name, description = _read_named(r, keys, "theme")
    if code is None or name is None:
        return None
    return ThemeSpec(code=code, name=name, description=description, line=_line(node))


def _read_standard(r: _Reader, node: Node, themes: dict[str, int]) -> StandardSpec | None:
    keys = r.mapping(node, "a standard", STANDARD_KEYS)
    if keys is None:
        return None
    code, label, name, description = _read_named(r, keys, "standard")
    theme = None
    if "theme" in keys:
        theme = r.text(keys["theme"], f"the theme of {label}")
        if theme is not None and theme not in themes:
            r.problem(keys["theme"], f"{label} names theme '{theme}', which is not defined"
                                     f"{_suggest(theme, themes)}")
            theme = None
    criteria: list[CriterionSpec] = []
    if "criteria" in keys:
        criteria = _read_levels(r, keys["criteria"], label)
    if code is None or name is None or theme is None:
        return None
    return StandardSpec(code=code, name=name, theme=theme, description=description,
                        criteria=criteria, line=_line(node))


def _read_levels(r: _Reader, node: Node, label: str) -> list[CriterionSpec]:
    if not isinstance(node, MappingNode):
        r.problem(node, f"the criteria of {label} must be a mapping of levels (minimum, "
                        f"progressing, excellent) to lists of criteria")
        return []
    criteria: list[CriterionSpec] = []
    seen_levels: set[str] = set()
    codes: dict[str, int] = {}
    for key_node, value_node in node.value:
        level_name = key_node.value if isinstance(key_node, ScalarNode) else None
        if level_name not in LEVELS:
            r.problem(key_node, f"{label} has criteria at unknown level '{level_name}' "
                                f"(levels: {', '.join(LEVELS)})")
            continue
        if level_name in seen_levels:
            r.problem(key_node, f"{label} gives the '{level_name}' level twice")
            continue
        seen_levels.add(level_name)
        items = r.sequence(value_node, f"the {level_name} criteria of {label}")
        if items is None:
            continue
        if not items:
            r.problem(value_node, f"{label} has no criteria at the {level_name} level")
            continue
        for item in items:
            criterion = _read_criterion(r, item, LEVELS[level_name], label)
            if criterion is None:
                continue
            if criterion.code in codes:
                r.problem(item, f"{label} has criterion '{criterion.code}' twice (first on "
                                f"line {codes[criterion.code]})")
                continue
            codes[criterion.code] = criterion.line
            criteria.append(criterion)
    for level_name in LEVELS:
        if level_name not in seen_levels:
            r.problem(node, f"{label} has no criteria at the {level_name} level")
    return criteria


def _read_criterion(r: _Reader, node: Node, level: int, label: str) -> CriterionSpec | None:
    keys = r.mapping(node, f"a criterion of {label}", CRITERION_KEYS)
    if keys is None:
        return None
    code = r.code(keys.get("code"), f"the code of a criterion of {label}") \
        if "code" in keys else None
    where = f"criterion '{code}' of {label}" if code else f"a criterion of {label}"
    text = r.text(keys.get("text"), f"the text of {where}") if "text" in keys else None
    source = r.text(keys.get("source"), f"the source of {where}", max_length=SOURCE_NOTE_MAX,
                    required=False) or ""
    added = False
    if "added" in keys:
        added = r.boolean(keys["added"], f"'added' of {where}") or False
    rule, params, ok = "", {}, True
    if "rule" in keys:
        rule = r.text(keys["rule"], f"the rule of {where}", max_length=RULE_MAX)
        if rule is not None:
            if rule not in r.rules:
                hint = _suggest(rule, r.rules) if r.rules else " (no rules are registered)"
                r.problem(keys["rule"], f"{where} names evidence rule '{rule}', which is not "
                                        f"registered{hint}")
                ok = False
        else:
            ok = False
    if "params" in keys:
        if not rule and "rule" not in keys:
            r.problem(keys["params"], f"{where} gives params but no rule")
            ok = False
        else:
            params = _read_params(r, keys["params"], where, r.rules.get(rule or ""))
            ok = ok and params is not None
    if code is None or text is None or not ok:
        return None
    return CriterionSpec(code=code, text=text, level=level, rule=rule or "", params=params or {},
                         added=added, source=source, line=_line(node))


def _read_params(r: _Reader, node: Node, where: str, rule) -> dict | None:
    if not isinstance(node, MappingNode):
        r.problem(node, f"the params of {where} must be a mapping of names to values, not "
                        f"{r._kind(node)}")
        return None
    params = r.value(node)
    if not isinstance(params, dict):
        return None
    try:
        json.dumps(params)
    except (TypeError, ValueError):
        r.problem(node, f"the params of {where} must be plain values (text, numbers, "
                        f"true/false and lists of them)")
        return None
    if rule is None:
        return params
    declared = {p.name: p for p in rule.params}
    ok = True
    for key_node, value_node in node.value:
        key = key_node.value
        if key not in declared:
            takes = ", ".join(declared) or "no parameters"
            r.problem(key_node, f"evidence rule '{rule.name}' has no parameter '{key}' "
                                f"(it takes: {takes})")
            ok = False
            continue
        try:
            declared[key].clean(params.get(key))
        except BadParameter as exc:
            r.problem(value_node, f"parameter '{key}' of {where}: {exc}")
            ok = False
    return params if ok else None


def _suggest(word: str, known) -> str:
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


# --- Loading ----------------------------------------------------------------------------------


def normalise(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def load_text(text: str, *, loaded_by: str = "", name: str = "") -> LoadResult:
    """Validate and load a framework document in one transaction."""
    from django.db import IntegrityError, transaction

    from borough.standards.models import Framework

    text = normalise(text)
    spec = parse(text, name=name)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        with transaction.atomic():
            existing = list(Framework.objects.select_for_update().filter(code=spec.code)
                            .order_by("-version"))
            same = next((f for f in existing if f.sha256 == digest), None)
            if same is not None:
                newer = f" (version {existing[0].version} is newer)" if same is not existing[0] \
                    else ""
                return LoadResult(same, False, f"{spec.code} version {same.version} is already "
                                               f"loaded{newer}; nothing changed.")
            version = _next_version(spec, [f.version for f in existing], name)
            framework = _write(spec, version, text, digest, loaded_by)
    except IntegrityError:
        raise FrameworkFileError([Problem(None, f"another load of '{spec.code}' ran at the same "
                                                f"time; run the command again")], name) from None
    criteria = sum(len(s.criteria) for s in spec.standards)
    return LoadResult(framework, True,
                      f"Loaded {framework.name} ({spec.code} version {version}): "
                      f"{len(spec.themes)} themes, {len(spec.standards)} standards, "
                      f"{criteria} criteria.")


def _next_version(spec: FrameworkSpec, versions: list[int], name: str) -> int:
    latest = max(versions, default=0)
    if spec.version is None:
        return latest + 1
    if spec.version in versions:
        raise FrameworkFileError([Problem(
            spec.version_line,
            f"version {spec.version} of '{spec.code}' is already loaded with different "
            f"content; give the changed file version {latest + 1} (or remove 'version' to "
            f"number it automatically)")], name)
    if spec.version < latest:
        raise FrameworkFileError([Problem(
            spec.version_line,
            f"version {spec.version} is older than version {latest} of '{spec.code}', which "
            f"is already loaded; versions only go up")], name)
    return spec.version


def _write(spec: FrameworkSpec, version: int, text: str, digest: str, loaded_by: str):
    from borough.standards import models as m

    framework = m.Framework.objects.create(
        code=spec.code, version=version, name=spec.name, description=spec.description,
        source=spec.source, document=text, sha256=digest, loaded_by=loaded_by[:200])
    themes = m.Theme.objects.bulk_create([
        m.Theme(framework=framework, code=t.code, name=t.name, description=t.description,
                order=i)
        for i, t in enumerate(spec.themes)
    ])
    theme_for = {t.code: t for t in themes}
    standards = []
    for i, s in enumerate(spec.standards):
        standard = m.Standard(framework=framework, theme=theme_for[s.theme], code=s.code,
                              name=s.name, description=s.description, order=i)
        standard.save()
        standards.append(standard)
    criteria = []
    for standard, s in zip(standards, spec.standards, strict=True):
        order: dict[int, int] = {}
        for c in s.criteria:
            order[c.level] = order.get(c.level, -1) + 1
            criteria.append(m.Criterion(
                standard=standard, level=c.level, code=c.code, text=c.text,
                kind=m.CriterionKind.EVIDENCE if c.rule else m.CriterionKind.STATEMENT,
                rule=c.rule, params=c.params, added=c.added, source_note=c.source,
                order=order[c.level]))
    m.Criterion.objects.bulk_create(criteria)
    return framework


def read_file(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise FrameworkFileError([Problem(None, f"the file is {size:,} bytes; the most is "
                                                    f"{MAX_BYTES:,}")], str(path))
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrameworkFileError([Problem(None, f"the file is not UTF-8 text (byte "
                                                f"{exc.start})")], str(path)) from None
    except OSError as exc:
        raise FrameworkFileError([Problem(None, f"cannot read the file: {exc.strerror}")],
                                 str(path)) from None


def load_file(path: str | Path, *, loaded_by: str = "") -> LoadResult:
    path = Path(path)
    return load_text(read_file(path), loaded_by=loaded_by, name=str(path))


def shipped_frameworks() -> list[str]:
    """The names of the frameworks that come with Borough (framework/data/*.yaml)."""
    return sorted(p.stem for p in DATA_DIR.glob("*.yaml"))


def resolve(name_or_path: str) -> Path:
    """A shipped framework's name (e.g. nesds-ict) or a path to a file."""
    if CODE_PATTERN.fullmatch(name_or_path) and name_or_path in shipped_frameworks():
        return DATA_DIR / f"{name_or_path}.yaml"
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = ", ".join(shipped_frameworks()) or "none"
    raise FrameworkFileError([Problem(None, f"there is no file '{name_or_path}' and no shipped "
                                            f"framework of that name (shipped: {shipped})")])


def load_named(name_or_path: str, *, loaded_by: str = "") -> LoadResult:
    return load_file(resolve(name_or_path), loaded_by=loaded_by)


def load_shipped_frameworks(*, loaded_by: str = "Borough (shipped framework)") -> list[LoadResult]:
    """Load every shipped framework that is not loaded yet. Safe to call repeatedly."""
    return [load_file(DATA_DIR / f"{name}.yaml", loaded_by=loaded_by)
            for name in shipped_frameworks()]
