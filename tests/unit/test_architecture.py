"""The layer rules of docs/architecture.md, checked on the source text of every module.

Every import is read — absolute, relative (resolved against the module's package, so
``from ..models import X`` inside ``domain/`` is seen as ``incubator.models``) and those inside
functions or ``TYPE_CHECKING`` blocks. A new violation fails here.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "incubator"
STDLIB = set(sys.stdlib_module_names) | {"__future__"}
BLUEPRINTS = sorted(p.name for p in (PACKAGE / "web").iterdir() if (p / "__init__.py").exists())


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _package_of(path: Path) -> str:
    name = _module_name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def imports_of(path: Path) -> set[str]:
    """Every module or name the file imports, as absolute dotted names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _package_of(path)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def _top(name: str) -> str:
    return name.split(".")[0]


def _under(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _ids(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


# --- the resolver itself ----------------------------------------------------------------------


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    fake = PACKAGE / "domain" / "slots.py"
    names = imports_of(fake)
    assert "incubator.domain.calendar" in names  # `from .calendar import ...`
    sample = ROOT / "incubator" / "domain" / "_sample_for_test.py"
    try:
        sample.write_text("from ..models import User\nfrom . import errors\n", encoding="utf-8")
        found = imports_of(sample)
    finally:
        sample.unlink()
    assert {"incubator.models", "incubator.models.User", "incubator.domain.errors"} <= found


def test_there_are_modules_in_every_layer() -> None:
    # Guards the parametrised tests below against silently testing nothing.
    for folder in ("domain", "models", "services", "web", "exports", "demo"):
        assert len(_modules(folder)) >= 2, folder
    assert {"api", "auth", "booking", "common", "staff"} <= set(BLUEPRINTS)


# --- domain: plain Python ---------------------------------------------------------------------


@pytest.mark.parametrize("path", _modules("domain"), ids=_ids)
def test_domain_imports_only_the_standard_library_and_itself(path: Path) -> None:
    bad = {
        name
        for name in imports_of(path)
        if _top(name) not in STDLIB and not _under(name, "incubator.domain")
    }
    assert not bad, f"{_ids(path)} imports {sorted(bad)}"


@pytest.mark.parametrize("path", _modules("domain") + _modules("services"), ids=_ids)
def test_domain_and_services_never_read_the_clock(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    for call in ("datetime.now(", "date.today(", "datetime.utcnow(", "time.time("):
        assert call not in source, f"{_ids(path)} calls {call}: take `now` as a parameter"


# --- models: tables over domain states ----------------------------------------------------------

# Flask-Login's user protocol and Werkzeug's password hashing are what a User row is.
MODEL_EXCEPTIONS = ("flask_login.UserMixin", "werkzeug.security")


@pytest.mark.parametrize("path", _modules("models"), ids=_ids)
def test_models_import_only_domain_extensions_and_column_types(path: Path) -> None:
    bad = {
        name
        for name in imports_of(path)
        if _top(name) not in STDLIB
        and not _under(name, *MODEL_EXCEPTIONS)
        and name != "flask_login"
        and not _under(
            name, "sqlalchemy", "incubator.domain", "incubator.extensions", "incubator.models"
        )
    }
    assert not bad, f"{_ids(path)} imports {sorted(bad)}"


# --- services and exports: no request ---------------------------------------------------------

REQUEST_STATE = ("flask.request", "flask.session", "flask.g", "flask.current_app", "flask_login")


@pytest.mark.parametrize("path", _modules("services"), ids=_ids)
def test_services_read_no_request_state_and_know_no_pages(path: Path) -> None:
    bad = {name for name in imports_of(path) if _under(name, *REQUEST_STATE, "incubator.web")}
    assert not bad, f"{_ids(path)} imports {sorted(bad)}: pass user, now and settings in"


@pytest.mark.parametrize("path", _modules("exports") + _modules("demo"), ids=_ids)
def test_exports_and_demo_data_need_no_request(path: Path) -> None:
    bad = {name for name in imports_of(path) if _under(name, *REQUEST_STATE, "incubator.web")}
    assert not bad, f"{_ids(path)} imports {sorted(bad)}"


# --- web: thin views, blueprints that stand alone -----------------------------------------------


@pytest.mark.parametrize("path", _modules("web"), ids=_ids)
def test_blueprints_import_no_other_blueprint(path: Path) -> None:
    own = path.relative_to(PACKAGE / "web").parts[0]
    if own == "__init__.py":
        return  # the one module that registers every blueprint
    others = [f"incubator.web.{bp}" for bp in BLUEPRINTS if bp not in (own, "common")]
    if own == "common":  # what blueprints share depends on no blueprint
        others = [f"incubator.web.{bp}" for bp in BLUEPRINTS if bp != "common"]
    bad = {name for name in imports_of(path) if _under(name, *others)}
    assert not bad, f"{_ids(path)} imports {sorted(bad)}: share it through web/common"


@pytest.mark.parametrize("path", _modules("web"), ids=_ids)
def test_web_neither_queries_nor_commits(path: Path) -> None:
    """Views pass the session to services; they never build queries or call its methods."""
    queries = {
        name
        for name in imports_of(path)
        if _under(name, "sqlalchemy") and name not in ("sqlalchemy.orm", "sqlalchemy.orm.Session")
    }
    assert not queries, f"{_ids(path)} imports {sorted(queries)}"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "session"
        and isinstance(node.func.value.value, ast.Name)
        and node.func.value.value.id == "db"
    ]
    assert not calls, f"{_ids(path)} calls db.session methods on lines {calls}"


@pytest.mark.parametrize("path", _modules("web"), ids=_ids)
def test_no_hard_coded_api_paths(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    literals = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and node.value.startswith("/api/")
    ]
    allowed = {"/api/v1"} if path.name == "__init__.py" and path.parent.name == "web" else set()
    assert set(literals) <= allowed, f"{_ids(path)}: {literals}; use url_for"


@pytest.mark.parametrize(
    "path", sorted(p.parent / "__init__.py" for p in (PACKAGE / "web").glob("*/views.py")), ids=_ids
)
def test_blueprint_packages_only_re_export_bp(path: Path) -> None:
    """`bp` is defined where the views are; no import at the bottom of a package (a cycle)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    statements = [
        n
        for n in tree.body
        if not isinstance(n, ast.Expr)  # the docstring
        and not (isinstance(n, ast.Assign) and [ast.unparse(t) for t in n.targets] == ["__all__"])
    ]
    assert all(isinstance(n, ast.ImportFrom | ast.Import) for n in statements), _ids(path)
    assert "noqa: E402" not in path.read_text(encoding="utf-8")


# --- sizes that fit on a screen -----------------------------------------------------------------

# The OpenAPI document is one long literal by nature; migrations are generated history.
SIZE_EXEMPT = ("web/api/openapi.py", "migrations/")
SOURCES = [p for p in PACKAGE.rglob("*.py") if not any(x in _ids(p) for x in SIZE_EXEMPT)]


@pytest.mark.parametrize("path", SOURCES, ids=_ids)
def test_modules_and_functions_fit_on_a_screen(path: Path) -> None:
    """A module past 500 lines or a function past 60 usually holds two jobs: split by job."""
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 500, f"{_ids(path)} has {len(source.splitlines())} lines"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > 60
    ]
    assert not long, f"{_ids(path)}: {long}"
