"""The subject access PDF, read back with pypdf: the Polish name intact, every section under its
heading, long lists carried over to further pages with their headings, notes for managers only."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader

from incubator.exports.pdf.subject_access import subject_access_pdf
from incubator.services import audit, subject_access
from tests.helpers import NOW
from tests.integration.test_subject_access import NAME, build_person_with_everything

HEADINGS = (
    "Account",
    "Information about data processing",
    "Participant data",
    "Funded projects",
    "Consultations",
    "Founding groups",
    "Trainings and information meetings",
    "Waiting list",
    "Messages sent",
    "Phone calls to make",
    "Calendar feeds",
    "Audit trail",
)


def pages_of(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


def test_the_pdf_holds_the_name_and_every_section(db) -> None:
    w = build_person_with_everything(db)
    doc = subject_access.export(db.session, viewer=w["manager"], person_id=w["person"].id, now=NOW)
    text = "\n".join(pages_of(subject_access_pdf(doc, locale="en")))
    assert NAME in text  # Zażółć Gęśląjaźń, diacritics and all
    for heading in HEADINGS:
        assert heading in text, heading
    assert "90051712345" in text and "Long-term unemployed" in text
    assert "Statut spółdzielni" in text and "Spółdzielnia „Łąka”" in text
    assert "ABCD-1234" in text and "Prywatna notatka" in text and "Social cooperative" in text
    assert "Expert profile" not in text  # a client has none


def test_a_clients_own_pdf_says_notes_are_left_out(db) -> None:
    w = build_person_with_everything(db)
    doc = subject_access.export(db.session, viewer=w["person"], person_id=w["person"].id, now=NOW)
    text = " ".join(" ".join(pages_of(subject_access_pdf(doc, locale="en"))).split())
    assert "Prywatna notatka" not in text and "Expert's notes" not in text
    assert "You can ask the incubator for them." in text


def test_a_long_trail_flows_onto_pages_that_keep_a_header(db) -> None:
    w = build_person_with_everything(db)
    for n in range(120):
        audit.record(db.session, actor=w["manager"], action=f"participant.viewed.{n:03d}",
                     target=w["person"], now=NOW + timedelta(minutes=n))  # fmt: skip
    db.session.commit()
    doc = subject_access.export(db.session, viewer=w["manager"], person_id=w["person"].id, now=NOW)
    pages = pages_of(subject_access_pdf(doc, locale="en"))
    assert len(pages) >= 3
    for number, page in enumerate(pages[1:], start=2):
        assert f"{NAME} (No. {w['person'].id}): personal data, continued" in page
        assert f"Page {number} of {len(pages)}" in page
    last = pages[-1]
    assert "participant.viewed.119" in last and "IP address" in last  # the headings repeat
    assert all(f"participant.viewed.{n:03d}" in "".join(pages) for n in range(120))


def test_the_pdf_speaks_polish_by_default(db) -> None:
    w = build_person_with_everything(db)
    doc = subject_access.export(db.session, viewer=w["manager"], person_id=w["person"].id, now=NOW)
    text = "\n".join(pages_of(subject_access_pdf(doc, locale="pl")))
    assert NAME in text and "Strona 1 z" in text  # an existing translation: the footer
