"""The Polish catalogue is complete, compiled, and uses Polish plural rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from babel.util import pathmatch

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "incubator" / "translations" / "pl" / "LC_MESSAGES"
BABEL_CFG = ROOT / "incubator" / "translations" / "babel.cfg"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
# Every file that can hold a user-visible string: Python code, page and e-mail templates.
SOURCES = (("incubator", "*.py"), ("templates", "*.html"), ("templates", "*.txt"))


def _po():
    with open(CATALOGUE / "messages.po", "rb") as fh:
        return read_po(fh, locale="pl")


def _method_map() -> list[tuple[str, str]]:
    """The extraction map pybabel uses (docs/translations.md), so the test checks the same."""
    with open(BABEL_CFG, encoding="utf-8") as fh:
        method_map, _ = parse_mapping_cfg(fh)
    return method_map


def _source_files() -> list[str]:
    return sorted(
        path.relative_to(ROOT).as_posix()
        for folder, pattern in SOURCES
        for path in (ROOT / folder).rglob(pattern)
        if "__pycache__" not in path.parts
    )


def _extracted() -> set[str]:
    found: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), _method_map(), keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_babel_cfg_extracts_every_template_and_python_file() -> None:
    method_map = _method_map()
    skipped = [
        name
        for name in _source_files()
        if not any(pathmatch(pattern, name) for pattern, method in method_map if method != "ignore")
    ]
    assert len(_source_files()) > 50
    assert not skipped, f"babel.cfg does not extract: {skipped}"


def test_email_text_templates_are_extracted() -> None:
    # The plain-text part of the set-password e-mail once went out half in English.
    assert "To set your password, open this link:" in _extracted()


def test_every_source_string_has_a_polish_translation() -> None:
    catalogue = _po()
    missing = []
    for msgid in sorted(_extracted()):
        entry = catalogue.get(msgid)
        if (
            entry is None
            or entry.fuzzy
            or not all(entry.string if isinstance(entry.string, tuple) else (entry.string,))
        ):
            missing.append(msgid)
    assert not missing, f"untranslated: {missing[:20]}"
    assert len(_extracted()) > 50  # the extraction really found the UI strings


def test_compiled_catalogue_matches_the_po_file() -> None:
    po = _po()
    with open(CATALOGUE / "messages.mo", "rb") as fh:
        mo = read_mo(fh)

    def pairs(catalogue) -> dict:
        # Plural entries come back as lists from read_mo and tuples from read_po.
        def norm(value):
            return tuple(value) if isinstance(value, list | tuple) else value

        return {norm(m.id): norm(m.string) for m in catalogue if m.id and not m.fuzzy}

    po_pairs, mo_pairs = pairs(po), pairs(mo)
    assert len(po_pairs) > 50
    assert po_pairs == mo_pairs, "run: pybabel compile -d incubator/translations"


def test_polish_plural_forms_header() -> None:
    assert _po().plural_forms.startswith("nplurals=3;")


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "1 ekspert"), (2, "2 ekspertów"), (5, "5 ekspertów"), (22, "22 ekspertów")],
)
def test_polish_plurals_expert(app, n: int, expected: str) -> None:
    from flask_babel import force_locale, ngettext

    with app.test_request_context("/"), force_locale("pl"):
        assert ngettext("%(num)d expert", "%(num)d experts", n) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "1 konto"), (2, "2 konta"), (5, "5 kont"), (12, "12 kont"), (22, "22 konta")],
)
def test_polish_plurals_three_forms(app, n: int, expected: str) -> None:
    from flask_babel import force_locale, ngettext

    with app.test_request_context("/"), force_locale("pl"):
        assert ngettext("%(num)d account", "%(num)d accounts", n) == expected
