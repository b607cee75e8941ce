"""The printed documents of trainings and information meetings (issue #14): attendance lists and
certificates of completion, and the public check of a certificate code.

Read back with pypdf: Polish names intact and in Polish alphabetical order, one row per
registered person (and blank rows for walk-ins at a meeting), the column headings again on an
overflow page, the certificate's code and its address from PUBLIC_URL; who may print what; the
refusal below CERTIFICATE_MIN_SHARE; the public page shows initials, never the name.

Labels are compared through the app's own gettext in Polish (`pl`), so these tests hold before
and after the new words are translated; names, titles, dates and codes are compared as written.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext, ngettext
from pypdf import PdfReader
from sqlalchemy import select

from incubator.domain.events import initials
from incubator.models import AuditEvent, EventCertificate, EventKind
from incubator.services.event_printouts import ATTENDANCE_PRINTED, CERTIFICATE_PRINTED
from tests.conftest import IsolatedClient, login
from tests.event_factories import create_event, record_attendance
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_expert,
    create_manager,
)
from tests.helpers import local
from tests.web.test_rate_limits import assert_refused, run

DAY = date(2025, 3, 4)  # a Tuesday: "wtorek, 4 marca 2025"; weekly sessions after it
TITLE = "Spółdzielnia socjalna krok po kroku"
NAMES = ["Łucja Wiśniewska", "Anna Żółkiewska", "Ewa Łoś", "Jan Lis", "Świętosław Ńemiec-Óżański"]
# By surname, in the Polish alphabet: L < Ł < N < W < Ż (code points would put Ł and Ż last).
IN_ORDER = [
    "Jan Lis",
    "Ewa Łoś",
    "Świętosław Ńemiec-Óżański",
    "Łucja Wiśniewska",
    "Anna Żółkiewska",
]
NO_SUCH_CODE = "There is no certificate with this code. Check that it is typed as printed."
CODE = re.compile(r"\b[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}\b")


def pl(app, msgid: str, **params) -> str:
    """A label as the Polish pages print it (the English msgid while it is untranslated)."""
    with app.test_request_context(), force_locale("pl"):
        return gettext(msgid, **params)


def pdf_text(response) -> tuple[str, list[str]]:
    """The whole text (whitespace folded) and each page's own text."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages]
    return re.sub(r"\s+", " ", " ".join(pages)), pages


@pytest.fixture()
def world(db):
    parent = create_branch(code="nowy-sacz", name="Nowy Sącz")
    branch = create_branch(
        code="piwniczna", name="Piwniczna-Zdrój", address="ul. Zdrojowa 5, 33-350 Piwniczna-Zdrój",
        parent_id=parent.id,
    )  # fmt: skip
    trainer = create_expert(branches=[branch], full_name="Grzegorz Bąk-Ćwik", title="dr",
                            email="bak@example.org")  # fmt: skip
    create_expert(branches=[branch], email="inny@example.org")
    manager = create_manager(email="kierownik@example.org")
    people = [
        create_client(full_name=n, email=f"osoba{i}@example.org") for i, n in enumerate(NAMES)
    ]
    stranger = create_client(full_name="Obcy Klient", email="obcy@example.org")
    sessions = [(local(DAY + timedelta(weeks=w), 10), local(DAY + timedelta(weeks=w), 14))
                for w in range(5)]  # fmt: skip
    training = create_event(
        actor=manager, sessions=sessions, registered=people, trainers=[trainer],
        branch_id=branch.id, title=TITLE,
    )  # fmt: skip
    lucja, anna = people[0], people[1]
    # Łucja came to 4 of 5 sessions (a certificate at 0.8), Anna to 3 (refused).
    record_attendance(
        training, {0: [lucja, anna], 1: [lucja, anna], 2: [lucja, anna], 3: [lucja]},
        actor=manager,
    )  # fmt: skip
    return {"branch": branch, "trainer": trainer, "manager": manager, "people": people,
            "lucja": lucja, "anna": anna, "stranger": stranger, "training": training}  # fmt: skip


def browser(app):
    """A fresh browser whose requests each run in their own context (see `IsolatedClient`)."""
    app.test_client_class = IsolatedClient
    return app.test_client()


def as_user(app, email: str):
    client = browser(app)
    login(client, email, PASSWORD)
    return client


# --- attendance lists ---------------------------------------------------------------------------


def test_a_sessions_list_names_everyone_registered_in_polish_order(app, world) -> None:
    t = world["training"]
    trainer = as_user(app, "bak@example.org")
    response = trainer.get(f"/wydarzenia/{t.id}/sesje/{t.sessions[0].id}/lista-obecnosci.pdf")
    text, pages = pdf_text(response)
    assert len(pages) == 1
    assert pl(app, "Social Economy Incubator") in text and pl(app, "Attendance list") in text
    assert f"{pl(app, 'Training')}: {TITLE}" in text
    assert "Piwniczna-Zdrój (filia oddziału Nowy Sącz), ul. Zdrojowa 5, 33-350 Piwniczna-Zdrój" in (
        text
    )
    assert "wtorek, 4 marca 2025" in text and "10:00–14:00" in text  # Warsaw time (CET)
    assert "dr Grzegorz Bąk-Ćwik" in text
    positions = [text.index(f"{n}. {name}") for n, name in enumerate(IN_ORDER, start=1)]
    assert positions == sorted(positions)  # numbered 1–5 in that order
    assert "6." not in text.replace("2026", "")  # no blank rows at a training
    assert "Obcy Klient" not in text
    assert pl(app, "Page %(page)s of %(pages)s", page=1, pages=1) in text
    assert response.headers["Content-Disposition"] == (
        f'inline; filename="lista-obecnosci-{t.id}-{t.sessions[0].id}.pdf"'
    )


def test_the_whole_event_is_one_list_per_session(app, world) -> None:
    t = world["training"]
    text, pages = pdf_text(as_user(app, "kierownik@example.org").get(
        f"/wydarzenia/{t.id}/lista-obecnosci.pdf"))  # fmt: skip
    assert len(pages) == 5
    days = ["4 marca", "11 marca", "18 marca", "25 marca", "1 kwietnia"]
    for day, page in zip(days, pages, strict=True):
        assert f"{day} 2025" in page
        assert page.count("Łucja Wiśniewska") == 1 and "Anna Żółkiewska" in page
    assert pl(app, "Page %(page)s of %(pages)s", page=5, pages=5) in text


def test_a_meeting_leaves_blank_rows_for_walk_ins(app, world) -> None:
    w = world
    meeting = create_event(
        actor=w["manager"], kind=EventKind.INFORMATION_MEETING, title="Jak założyć CIS?",
        sessions=[(local(DAY, 17), local(DAY, 19))], registered=w["people"][:3],
        trainers=[w["trainer"]], venue="Gminny Ośrodek Kultury, ul. Rynek 1, 33-350 Piwniczna",
    )  # fmt: skip
    url = f"/wydarzenia/{meeting.id}/sesje/{meeting.sessions[0].id}/lista-obecnosci.pdf"
    text, pages = pdf_text(as_user(app, "bak@example.org").get(url))
    assert len(pages) == 1
    assert f"{pl(app, 'Information meeting')}: Jak założyć CIS?" in text
    assert "Gminny Ośrodek Kultury, ul. Rynek 1, 33-350 Piwniczna" in text
    assert "1. Ewa Łoś 2. Łucja Wiśniewska 3. Anna Żółkiewska" in text
    numbers = re.findall(r"(?<![\d:])(\d+)\.(?!\d)", text)
    assert numbers[:8] == [str(n) for n in range(1, 9)]  # 3 people, 5 blank rows


def test_a_long_list_repeats_its_headings_on_the_next_page(app, world, db) -> None:
    w = world
    crowd = [create_client(full_name=f"Uczestniczka Źdźbło-{n:02d}", email=f"u{n}@example.org")
             for n in range(40)]  # fmt: skip
    big = create_event(
        actor=w["manager"], sessions=[(local(DAY, 16), local(DAY, 18))], capacity=100,
        registered=crowd, trainers=[w["trainer"]], branch_id=w["branch"].id, title="Księgowość",
    )  # fmt: skip
    url = f"/wydarzenia/{big.id}/sesje/{big.sessions[0].id}/lista-obecnosci.pdf"
    text, pages = pdf_text(as_user(app, "bak@example.org").get(url))
    assert len(pages) == 2
    heading = pl(app, "Full name")
    assert all(heading in page for page in pages)  # the column headings on both pages
    continued = pl(app, "%(title)s, %(date)s %(time)s: attendance list (continued)",
                   title="Księgowość", date="wtorek, 4 marca 2025", time="16:00–18:00")  # fmt: skip
    assert continued not in pages[0] and continued in re.sub(r"\s+", " ", pages[1])
    assert sum(page.count("Uczestniczka Źdźbło-") for page in pages) == 40
    assert "40. Uczestniczka Źdźbło-39" in text
    assert pl(app, "Page %(page)s of %(pages)s", page=2, pages=2) in text


def test_who_may_print_a_list(app, world) -> None:
    t = world["training"]
    one = f"/wydarzenia/{t.id}/sesje/{t.sessions[0].id}/lista-obecnosci.pdf"
    whole = f"/wydarzenia/{t.id}/lista-obecnosci.pdf"
    assert browser(app).get(whole).status_code == 302  # log in first
    for path in (one, whole):
        assert as_user(app, "osoba0@example.org").get(path).status_code == 403  # a client
        assert as_user(app, "inny@example.org").get(path).status_code == 404  # not their event
    manager = as_user(app, "kierownik@example.org")
    assert manager.get(f"/wydarzenia/{t.id + 99}/lista-obecnosci.pdf").status_code == 404
    other = create_event(actor=world["manager"], sessions=[(local(DAY, 16), local(DAY, 17))],
                         venue="Sala parafialna")  # fmt: skip
    wrong = f"/wydarzenia/{t.id}/sesje/{other.sessions[0].id}/lista-obecnosci.pdf"
    assert manager.get(wrong).status_code == 404  # a session of another event


def test_printing_a_list_is_audited_with_ids_only(app, world, db) -> None:
    t = world["training"]
    as_user(app, "bak@example.org").get(f"/wydarzenia/{t.id}/lista-obecnosci.pdf")
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == ATTENDANCE_PRINTED))
    assert event.actor_id == world["trainer"].id and event.target_id == t.id
    assert event.details == {"event_id": t.id, "sessions": [s.id for s in t.sessions], "people": 5}


# --- certificates -------------------------------------------------------------------------------


def test_the_certificate_names_the_person_training_dates_and_code(app, world, db) -> None:
    t = world["training"]
    response = as_user(app, "osoba0@example.org").get(f"/wydarzenia/{t.id}/certyfikat.pdf")
    text, pages = pdf_text(response)
    assert len(pages) == 1
    box = PdfReader(io.BytesIO(response.data)).pages[0].mediabox
    assert box.width > box.height  # A4 landscape
    assert "Łucja Wiśniewska" in text and TITLE in text
    assert "4 marca 2025" in text and "1 kwietnia 2025" in text  # first and last session
    with app.test_request_context(), force_locale("pl"):
        attended = ngettext(
            "Attended %(attended)d of %(num)d session held.",
            "Attended %(attended)d of %(num)d sessions held.",
            5,
            attended=4,
        )
    assert attended in text
    (certificate,) = db.session.scalars(select(EventCertificate))
    assert certificate.user_id == world["lucja"].id and CODE.fullmatch(certificate.code)
    assert certificate.code in text
    assert f"https://inkubator.test/certyfikat?kod={certificate.code}" in text.replace(" ", "")
    assert "localhost" not in text
    assert response.headers["Content-Disposition"] == (
        f'inline; filename="certyfikat-{certificate.code}.pdf"'
    )


def test_the_certificate_is_the_same_each_time_and_staff_print_it_with_user(app, world, db) -> None:
    t, lucja = world["training"], world["lucja"]
    first, _ = pdf_text(
        as_user(app, "osoba0@example.org").get(f"/wydarzenia/{t.id}/certyfikat.pdf")
    )
    again, _ = pdf_text(
        as_user(app, "bak@example.org").get(f"/wydarzenia/{t.id}/certyfikat.pdf?user={lucja.id}")
    )
    (certificate,) = db.session.scalars(select(EventCertificate))
    assert certificate.code in first and certificate.code in again
    printed = list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == CERTIFICATE_PRINTED))
    )
    assert [e.actor_id for e in printed] == [lucja.id, world["trainer"].id]
    assert all(e.target_id == lucja.id and "Wiśniewska" not in str(e.details) for e in printed)


def test_below_the_share_the_refusal_is_a_clear_page(app, world) -> None:
    t = world["training"]
    response = as_user(app, "osoba1@example.org").get(f"/wydarzenia/{t.id}/certyfikat.pdf")
    assert response.status_code == 422 and response.mimetype == "text/html"
    with app.test_request_context(), force_locale("pl"):
        message = ngettext(
            "Attended %(attended)d of %(num)d session held; a certificate needs %(needed)d.",
            "Attended %(attended)d of %(num)d sessions held; a certificate needs %(needed)d.",
            5, attended=3, needed=4,
        )  # fmt: skip
    assert message in response.get_data(as_text=True)


def test_the_share_comes_from_the_configuration(app, world, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "CERTIFICATE_MIN_SHARE", 0.6)  # 3 of 5 is enough
    t = world["training"]
    text, _ = pdf_text(as_user(app, "osoba1@example.org").get(f"/wydarzenia/{t.id}/certyfikat.pdf"))
    assert "Anna Żółkiewska" in text


@pytest.mark.parametrize(
    ("email", "query", "status"),
    [
        ("obcy@example.org", "", 409),  # not registered for it
        ("obcy@example.org", "?user={lucja}", 404),  # someone else's: as if it did not exist
        ("inny@example.org", "?user={lucja}", 404),  # an expert who does not train there
        ("kierownik@example.org", "", 422),  # staff name the person
        ("kierownik@example.org", "?user=abc", 422),
        ("kierownik@example.org", "?user={lucja}", 200),
    ],
)
def test_who_may_print_a_certificate(app, world, email, query, status) -> None:
    t = world["training"]
    path = f"/wydarzenia/{t.id}/certyfikat.pdf" + query.format(lucja=world["lucja"].id)
    assert as_user(app, email).get(path).status_code == status


def test_a_meeting_gives_no_certificate(app, world) -> None:
    w = world
    meeting = create_event(
        actor=w["manager"], kind=EventKind.INFORMATION_MEETING, venue="Sala parafialna",
        sessions=[(local(DAY, 17), local(DAY, 19))], registered=[w["lucja"]],
    )  # fmt: skip
    response = as_user(app, "osoba0@example.org").get(f"/wydarzenia/{meeting.id}/certyfikat.pdf")
    assert response.status_code == 422 and response.mimetype == "text/html"


# --- the public check ------------------------------------------------------------------------


def _issue(app, world) -> str:
    t = world["training"]
    as_user(app, "osoba0@example.org").get(f"/wydarzenia/{t.id}/certyfikat.pdf")
    from incubator.extensions import db

    return db.session.scalar(select(EventCertificate.code))


def test_the_public_page_shows_initials_training_and_dates_only(app, world) -> None:
    code = _issue(app, world)
    typed = code.lower().replace("-", " ")  # as someone might type it
    response = browser(app).get("/certyfikat", query_string={"kod": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert initials("Łucja Wiśniewska") == "Ł. W." and "Ł. W." in page
    assert "Wiśniewska" not in page and "Łucja" not in page
    assert TITLE in page and "4 marca 2025" in page and "1 kwietnia 2025" in page
    assert 'lang="pl"' in page  # Polish by default


def test_the_public_page_in_english_and_for_an_unknown_code(app, world) -> None:
    code = _issue(app, world)
    english = browser(app).get(f"/certyfikat?kod={code}&lang=en").get_data(as_text=True)
    assert "4 March 2025" in english and "Ł. W." in english
    for typed in ("AAAA-BBBB", "xyz", "Ł" * 39):
        page = browser(app).get("/certyfikat", query_string={"kod": typed})
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert pl(app, NO_SUCH_CODE) in body
    empty = browser(app).get("/certyfikat").get_data(as_text=True)
    assert 'name="kod"' in empty and pl(app, "There is no certificate") not in empty


def test_checking_codes_is_rate_limited_per_address(tmp_path) -> None:
    path = "/certyfikat?kod=AAAA-BBBB"
    answers = run(
        tmp_path,
        {"CERTIFICATE_CHECK_RATE_LIMIT": "3 per minute"},
        [["get", path, "10.0.0.1"]] * 4
        + [["get", path, "10.0.0.2"], ["get", "/certyfikat", "10.0.0.1"]],
    )
    assert [a["status"] for a in answers[:3]] == [200, 200, 200]
    assert_refused(answers[3])
    assert answers[4]["status"] == 200  # another address
    assert answers[5]["status"] == 200  # the empty form is not counted


# --- the layout, looked at ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["list", "certificate"])
def test_each_document_renders_to_an_image(app, world, tmp_path, kind) -> None:
    """pdftoppm draws the first page (in $EVENT_PDF_PNGS when set, to be looked at)."""
    t = world["training"]
    client = as_user(app, "osoba0@example.org" if kind == "certificate" else "bak@example.org")
    path = f"/wydarzenia/{t.id}/" + (
        "certyfikat.pdf" if kind == "certificate" else "lista-obecnosci.pdf"
    )
    response = client.get(path)
    pdf = tmp_path / f"{kind}.pdf"
    pdf.write_bytes(response.data)
    out = Path(os.environ.get("EVENT_PDF_PNGS", tmp_path)) / kind
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(out)],
                   check=True, timeout=60)  # fmt: skip
    png = next(out.parent.glob(f"{kind}*.png"))
    assert png.stat().st_size > 5000  # something drawn, not a blank page
