"""The printable PDFs: the advisory record (karta doradztwa) of a consultation or a day, and the
appointment confirmation. Read back with pypdf: Polish names intact, one signature line per
person, one page per record, no private notes, who may print which."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from incubator.models import AuditEvent, ConsultationAttendee, TopicCategory
from incubator.services.printouts import RECORD_PRINTED
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_group,
    create_manager,
    create_project,
)
from tests.helpers import local

DAY = date(2026, 12, 8)  # a Tuesday: "wtorek, 8 grudnia 2026"
NOTES = "Prywatna notatka: klient zdenerwowany"


def pdf_text(response) -> tuple[str, int]:
    """The text of every page (whitespace folded) and the page count."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text), len(reader.pages)


@pytest.fixture()
def world(db):
    parent = create_branch(code="nowy-sacz", name="Nowy Sącz")
    branch = create_branch(
        code="piwniczna",
        name="Piwniczna-Zdrój",
        address="ul. Zdrojowa 5, 33-350 Piwniczna-Zdrój",
        phone="18 446 00 00",
        parent_id=parent.id,
    )
    area = create_domain(code="law", name_pl="Prawo", name_en="Law")
    expert = create_expert(
        domains=[area], branches=[branch], full_name="Grzegorz Bąk-Ćwik", title="mec.",
        email="bak@example.org",
    )  # fmt: skip
    other_expert = create_expert(domains=[area], branches=[branch], email="inny@example.org")
    manager = create_manager(email="kierownik@example.org")
    client = create_client(full_name="Żaneta Łęcka-Źródło", email="zaneta@example.org")
    guest = create_client(full_name="Świętosław Ńemiec-Óżański", email=None, password=None)
    c = create_consultation(
        expert=expert, client=client, branch=branch, area=area, attendees=[guest],
        start_dt=local(DAY, 10), topic="Statut spółdzielni socjalnej", notes=NOTES,
    )  # fmt: skip
    return {
        "branch": branch, "area": area, "expert": expert, "other_expert": other_expert,
        "manager": manager, "client": client, "guest": guest, "c": c,
    }  # fmt: skip


def test_the_record_holds_every_polish_letter_and_a_signature_per_person(client, world) -> None:
    create_project(branches=[world["branch"]], name="Inkubator Ekonomii Społecznej Małopolska")
    login(client, "bak@example.org", PASSWORD)
    text, pages = pdf_text(client.get(f"/personel/konsultacje/{world['c'].id}/karta.pdf"))
    assert pages == 1
    assert "Karta doradztwa" in text
    assert "Inkubator Ekonomii Społecznej Małopolska" in text  # the project by date and office
    assert (
        "Piwniczna-Zdrój (filia oddziału Nowy Sącz), ul. Zdrojowa 5, 33-350 Piwniczna-Zdrój" in text
    )
    assert "wtorek, 8 grudnia 2026" in text
    assert "10:00–11:00" in text
    assert "mec. Grzegorz Bąk-Ćwik" in text and "Prawo" in text
    assert "Statut spółdzielni socjalnej" in text
    # each attendee in the list (not yet recorded) and under a signature line
    assert text.count("Żaneta Łęcka-Źródło") == 2
    assert text.count("Świętosław Ńemiec-Óżański") == 2
    assert text.count("Nie odnotowano") == 2
    assert text.count("Podpis eksperta") == 1
    assert text.count("Podpis uczestnika") == 2  # one per attendee
    assert "Miejscowość i data" in text
    assert "Strona 1 z 1" in text
    assert NOTES not in text and "Prywatna" not in text


def test_the_record_shows_the_outcome_once_recorded(client, world, db) -> None:
    c = world["c"]
    category = TopicCategory(code="statute", name_pl="Dokumenty założycielskie", name_en="Statute")
    db.session.add(category)
    c.status, c.duration_min, c.topic_category = "attended", 75, category
    came, absent = sorted(c.attendees, key=lambda a: a.user_id != c.client_id)
    came.attended, absent.attended = True, False
    db.session.commit()
    login(client, "kierownik@example.org", PASSWORD)
    text, _ = pdf_text(client.get(f"/personel/konsultacje/{c.id}/karta.pdf"))
    assert "Dokumenty założycielskie" in text and "75 min" in text
    assert "Żaneta Łęcka-Źródło Przyszedł/przyszła" in text
    assert "Świętosław Ńemiec-Óżański Nie przyszedł/nie przyszła" in text
    assert NOTES not in text


def test_the_record_of_a_group_names_the_group(client, world) -> None:
    group = create_group(name="Spółdzielnia Socjalna „Zdrojowianka”", members=[world["client"]])
    world["c"].founding_group_id = group.id
    from incubator.extensions import db

    db.session.commit()
    login(client, "bak@example.org", PASSWORD)
    text, _ = pdf_text(client.get(f"/personel/konsultacje/{world['c'].id}/karta.pdf"))
    assert "Grupa inicjatywna Spółdzielnia Socjalna „Zdrojowianka”" in text


def test_the_record_is_in_english_for_an_english_speaking_manager(client, world, db) -> None:
    world["manager"].preferred_language = "en"
    db.session.commit()
    login(client, "kierownik@example.org", PASSWORD)
    text, _ = pdf_text(client.get(f"/personel/konsultacje/{world['c'].id}/karta.pdf"))
    assert "Advisory record" in text and "Karta doradztwa" not in text
    assert "Tuesday 8 December 2026" in text
    assert "Expert's signature" in text and text.count("Attendee's signature") == 2
    assert "Page 1 of 1" in text
    assert "Żaneta Łęcka-Źródło" in text


def test_printing_a_record_is_audited_with_ids_only(client, world, db) -> None:
    login(client, "bak@example.org", PASSWORD)
    assert client.get(f"/personel/konsultacje/{world['c'].id}/karta.pdf").status_code == 200
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == RECORD_PRINTED))
    (event,) = list(events)
    assert event.actor_id == world["expert"].id and event.target_id == world["c"].id
    assert "Łęcka" not in str(event.details) and "Bąk" not in str(event.details)


def test_who_may_print_a_record(client, world, app) -> None:
    url = f"/personel/konsultacje/{world['c'].id}/karta.pdf"
    login(client, "zaneta@example.org", PASSWORD)
    assert client.get(url).status_code == 403  # a client: never
    other = app.test_client()
    login(other, "inny@example.org", PASSWORD)
    assert other.get(url).status_code == 404  # another expert: as if it did not exist


def _day_world(world):
    """Two more at the office that day (one of them cancelled), one the day after."""
    w = world
    kw = {"client": w["client"], "branch": w["branch"], "area": w["area"]}
    create_consultation(expert=w["other_expert"], start_dt=local(DAY, 12), **kw)
    create_consultation(expert=w["expert"], start_dt=local(DAY, 13), status="cancelled", **kw)
    create_consultation(expert=w["expert"], start_dt=local(DAY + timedelta(days=1), 9), **kw)


def test_a_day_document_has_a_page_per_active_consultation(client, world) -> None:
    _day_world(world)
    login(client, "kierownik@example.org", PASSWORD)
    url = f"/personel/dzien/{DAY.isoformat()}/karty.pdf?branch={world['branch'].id}"
    response = client.get(url)
    text, pages = pdf_text(response)
    assert pages == 2  # 10:00 and 12:00; the cancelled one and the next day's left out
    assert text.count("Karta doradztwa") == 2 and "13:00–14:00" not in text
    assert "Strona 2 z 2" in text
    assert response.headers["Content-Disposition"] == (
        'inline; filename="karty-doradztwa-2026-12-08.pdf"'
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    expert_only = client.get(url + f"&expert={world['expert'].id}")
    assert pdf_text(expert_only)[1] == 1


def test_an_expert_prints_only_their_own_day(client, world) -> None:
    _day_world(world)
    login(client, "bak@example.org", PASSWORD)
    response = client.get(f"/personel/dzien/{DAY.isoformat()}/karty.pdf")
    text, pages = pdf_text(response)
    assert pages == 1 and "10:00–11:00" in text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("2026-13-01", 422),
        ("2026-2-1", 422),
        ("jutro", 422),
        ("9999-01-01", 422),
        ("2026-12-09", 404),  # nothing that day
    ],
)
def test_a_bad_or_empty_day_is_a_clear_error_page(client, world, path, status) -> None:
    login(client, "kierownik@example.org", PASSWORD)
    response = client.get(f"/personel/dzien/{path}/karty.pdf?branch={world['branch'].id}")
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "RRRR-MM-DD" in page or "Nie ma konsultacji do wydrukowania" in page


def test_a_manager_names_the_office_or_the_expert(client, world) -> None:
    login(client, "kierownik@example.org", PASSWORD)
    assert client.get(f"/personel/dzien/{DAY.isoformat()}/karty.pdf").status_code == 422
    bad = client.get(f"/personel/dzien/{DAY.isoformat()}/karty.pdf?branch=abc")
    assert bad.status_code == 422


# --- the confirmation -------------------------------------------------------------------------


def test_the_confirmation_in_large_type_says_when_where_and_how_to_cancel(client, world) -> None:
    login(client, "zaneta@example.org", PASSWORD)
    response = client.get(f"/moje-konsultacje/{world['c'].id}/potwierdzenie.pdf")
    text, pages = pdf_text(response)
    assert pages == 1
    assert "Potwierdzenie rezerwacji konsultacji" in text
    assert "wtorek, 8 grudnia 2026" in text and "10:00–11:00" in text
    assert "ul. Zdrojowa 5, 33-350 Piwniczna-Zdrój" in text and "18 446 00 00" in text
    assert "mec. Grzegorz Bąk-Ćwik" in text and "Prawo" in text
    assert "Żaneta Łęcka-Źródło, Świętosław Ńemiec-Óżański" in text
    assert f"Numer rezerwacji: {world['c'].id}" in text
    assert "https://inkubator.test/moje-konsultacje" in text.replace(" ", "")
    assert NOTES not in text
    assert response.headers["Content-Disposition"] == (
        f'inline; filename="potwierdzenie-{world["c"].id}.pdf"'
    )
    reader = PdfReader(io.BytesIO(response.data))
    sizes: dict[str, float] = {}
    reader.pages[0].extract_text(
        visitor_text=lambda t, cm, tm, font, size: sizes.update({t.strip(): size})
    )
    assert sizes["Prawo"] >= 16 and sizes[f"Numer rezerwacji: {world['c'].id}"] >= 16
    assert sizes["wtorek, 8 grudnia 2026"] > 16
    small = {t for t, size in sizes.items() if t and size < 16}
    assert small == {"Inkubator Ekonomii Społecznej", "Strona 1 z 1"}  # 14 and 8 pt


def test_a_large_group_stays_on_one_page(client, world, db, app) -> None:
    c = world["c"]
    for n in range(12):
        person = create_client(full_name=f"Uczestnik Źdźbło {n}", email=None, password=None)
        c.attendees.append(ConsultationAttendee(user_id=person.id))
    db.session.commit()
    login(client, "zaneta@example.org", PASSWORD)
    text, pages = pdf_text(client.get(f"/moje-konsultacje/{c.id}/potwierdzenie.pdf"))
    assert pages == 1
    assert "Żaneta Łęcka-Źródło i 13 innych osób" in text
    manager = app.test_client()
    login(manager, "kierownik@example.org", PASSWORD)
    text, pages = pdf_text(manager.get(f"/personel/konsultacje/{c.id}/karta.pdf"))
    assert pages == 2  # the signatures flow on
    assert text.count("Podpis uczestnika") == 14 and "Uczestnik Źdźbło 11" in text


def test_a_phone_client_is_told_to_phone(client, world, db) -> None:
    world["client"].preferred_language = "en"
    db.session.commit()
    guest_booking = create_consultation(
        expert=world["expert"], client=world["guest"], branch=world["branch"],
        area=world["area"], start_dt=local(DAY, 14),
    )  # fmt: skip
    login(client, "kierownik@example.org", PASSWORD)
    text, _ = pdf_text(client.get(f"/personel/konsultacje/{guest_booking.id}/potwierdzenie.pdf"))
    assert "zadzwoń do biura: 18 446 00 00" in text
    assert "moje-konsultacje" not in text.replace(" ", "")


def test_the_confirmation_is_in_the_clients_language(client, world, db) -> None:
    world["client"].preferred_language = "en"
    db.session.commit()
    login(client, "kierownik@example.org", PASSWORD)  # a Polish-speaking manager prints it
    text, _ = pdf_text(client.get(f"/personel/konsultacje/{world['c'].id}/potwierdzenie.pdf"))
    assert "Confirmation of your consultation" in text
    assert "Tuesday 8 December 2026" in text
    assert "Żaneta Łęcka-Źródło" in text


def test_who_may_print_a_confirmation(client, world, app) -> None:
    c = world["c"]
    stranger = create_client(full_name="Obcy Klient", email="obcy@example.org")
    assert stranger.id
    login(client, "obcy@example.org", PASSWORD)
    assert client.get(f"/moje-konsultacje/{c.id}/potwierdzenie.pdf").status_code == 404
    expert_y = app.test_client()
    login(expert_y, "inny@example.org", PASSWORD)
    assert expert_y.get(f"/personel/konsultacje/{c.id}/potwierdzenie.pdf").status_code == 404
    staff = app.test_client()
    login(staff, "bak@example.org", PASSWORD)
    response = staff.get(f"/moje-konsultacje/{c.id}/potwierdzenie.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/personel/konsultacje/{c.id}/potwierdzenie.pdf")
