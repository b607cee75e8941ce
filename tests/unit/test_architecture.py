"""Layering rules from docs/architecture.md, checked on the source text."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "incubator"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _modules("domain"), ids=lambda p: p.name)
def test_domain_imports_no_framework(path: Path) -> None:
    forbidden = ("flask", "flask_login", "flask_sqlalchemy", "sqlalchemy", "werkzeug")
    bad = {name for name in _imports(path) if name.split(".")[0] in forbidden}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", _modules("domain"), ids=lambda p: p.name)
def test_domain_never_reads_the_clock(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    for call in ("datetime.now(", "date.today(", "datetime.utcnow(", "time.time("):
        assert call not in source, f"{path.name} calls {call}: take `now` as a parameter"


@pytest.mark.parametrize("path", _modules("services"), ids=lambda p: p.name)
def test_services_read_no_request_state(path: Path) -> None:
    forbidden = {"flask.request", "flask.session", "flask_login.current_user", "flask.g"}
    bad = _imports(path) & forbidden
    assert not bad, f"{path.name} imports {sorted(bad)}: pass user and now in"


@pytest.mark.parametrize("path", _modules("demo"), ids=lambda p: p.name)
def test_demo_reads_no_request_state_and_no_web_layer(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = {
        "." * node.level + (node.module or "")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.level >= 2 and (node.module or "").split(".")[0] == "web")
    }
    bad |= {n for n in _imports(path) if n.split(".")[0] in ("flask", "flask_login")}
    bad |= {n for n in _imports(path) if n.startswith("incubator.web")}
    assert not bad, f"{path.name} imports {sorted(bad)}: the demo package sits below the web layer"


def test_there_are_domain_and_service_modules() -> None:
    # Guards the parametrised tests above against silently testing nothing.
    assert len(_modules("domain")) >= 2
    assert len(_modules("services")) >= 2
    assert len(_modules("demo")) >= 2
