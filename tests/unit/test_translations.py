"""The Polish catalogue is complete, compiled, and uses Polish plural rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "incubator" / "translations" / "pl" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _po():
    with open(CATALOGUE / "messages.po", "rb") as fh:
        return read_po(fh, locale="pl")


def _extracted() -> set[str]:
    found: set[str] = set()
    for folder, method_map in (
        (ROOT / "incubator", [("**.py", "python")]),
        (ROOT / "templates", [("**.html", "jinja2")]),
    ):
        for _, _, message, _, _ in extract_from_dir(str(folder), method_map, keywords=KEYWORDS):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


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
