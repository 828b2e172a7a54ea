"""The pure core's messages can be extracted and translated: each is a literal marked with N_ (or
lazy_ngettext), with %(name)s placeholders only, and is given exactly the parameters it names;
no English is built with f-strings, and the core never asks Flask for a language."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parents[2] / "portal"
CORE = sorted(
    [
        PORTAL / "text.py",
        *(PORTAL / "imports").rglob("*.py"),
        *(PORTAL / "reporting").rglob("*.py"),
        *(PORTAL / "matching").rglob("*.py"),
        *(PORTAL / "taxonomy").rglob("*.py"),
    ]
)
WITH_MESSAGES = sorted(
    [
        *(PORTAL / "imports").rglob("*.py"),
        *(PORTAL / "reporting").rglob("*.py"),
        PORTAL / "services" / "statistics_export.py",
    ]
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TEXT_TAKERS = {"Message": 1, "TableProblem": None, "ValueProblem": None}
"""Calls whose first n positional arguments (None: all) are text for people: marked with N_ or
already a Message, never a bare literal (not extracted) nor built with an f-string or +."""


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _calls(path: Path) -> Iterator[ast.Call]:
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call):
            yield node


def _called(call: ast.AST) -> str | None:
    if not isinstance(call, ast.Call):
        return None
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(PORTAL.parent)}:{getattr(node, 'lineno', '?')}"


def _template(node: ast.AST) -> str | None:
    """The msgid of N_("...") (or of a literal), else None."""
    if isinstance(node, ast.Call) and _called(node) == "N_" and len(node.args) == 1:
        node = node.args[0]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _names(template: str) -> set[str]:
    return set(PLACEHOLDER.findall(template))


@pytest.mark.parametrize("path", CORE, ids=lambda path: str(path.relative_to(PORTAL)))
def test_the_core_never_imports_flask(path: Path) -> None:
    imported = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"flask", "flask_babel", "flask_login", "flask_wtf"}


def test_every_marked_message_is_a_literal_with_named_placeholders_only() -> None:
    found, wrong = 0, []
    for path in WITH_MESSAGES:
        for call in _calls(path):
            called = _called(call)
            if called == "N_":
                texts = call.args[:1] if len(call.args) == 1 else []
            elif called == "lazy_ngettext":
                texts = call.args[:2]
            else:
                continue
            for text in texts or [call]:
                template = _template(text)
                found += 1
                if template is None or "%" in PLACEHOLDER.sub("", template):
                    wrong.append(f"{_where(path, call)}: {ast.unparse(text)[:80]}")
    assert found > 100  # the core's messages were found, so the check checked something
    assert wrong == []


def test_each_message_is_given_exactly_the_parameters_it_names() -> None:
    checked, wrong = 0, []
    for path in WITH_MESSAGES:
        for call in _calls(path):
            if _called(call) == "lazy_ngettext":
                singular, plural = (_template(arg) or "" for arg in call.args[:2])
                named = _names(singular) | _names(plural) | {"num"}  # num: given, maybe unshown
                given = {keyword.arg for keyword in call.keywords} | {"num"}
            elif call.args and _called(call.args[0]) == "N_":  # Message(N_(...), {...}) and kin
                named = _names(_template(call.args[0]) or "")
                rest = call.args[1:]
                if rest and isinstance(rest[0], ast.Dict):
                    keys = rest[0].keys
                    if not all(isinstance(key, ast.Constant) for key in keys):
                        continue
                    given = {key.value for key in keys if isinstance(key, ast.Constant)}
                elif not rest and all(keyword.arg for keyword in call.keywords):
                    given = {str(keyword.arg) for keyword in call.keywords}
                else:
                    continue  # parameters built elsewhere: not checked here
            else:
                continue
            checked += 1
            if named != given:
                wrong.append(f"{_where(path, call)}: names {sorted(named)}, given {sorted(given)}")
    assert checked > 40
    assert wrong == []


def test_a_marked_constant_names_no_parameters_since_it_is_shown_without_any() -> None:
    """N_ outside a call's first argument (DEFINITIONS, the words of tables) has none to get."""
    wrong = []
    for path in WITH_MESSAGES:
        tree = _tree(path)
        firsts = {
            id(node.args[0]) for node in ast.walk(tree) if isinstance(node, ast.Call) and node.args
        }
        for node in ast.walk(tree):
            marked = _called(node) == "N_" and id(node) not in firsts
            if marked and _names(_template(node) or ""):
                wrong.append(_where(path, node))
    assert wrong == []


def test_no_text_for_people_is_built_with_an_f_string_or_left_unmarked() -> None:
    wrong = []
    for path in WITH_MESSAGES:
        for call in _calls(path):
            taken = TEXT_TAKERS.get(_called(call) or "", 0)
            for argument in call.args if taken is None else call.args[:taken]:
                unmarked = isinstance(argument, ast.Constant) and isinstance(argument.value, str)
                if isinstance(argument, ast.JoinedStr | ast.BinOp) or unmarked:
                    wrong.append(f"{_where(path, call)}: {ast.unparse(argument)[:80]}")
    assert wrong == []
