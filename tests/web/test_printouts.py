"""Printed confirmations: whole sentences for a client with or without the Internet, and the
organisation's name on paper (the site header is not printed)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_manager,
)
from tests.web.pages import page

ORG_ON_PAPER = '<p class="print-only org">Inkubator Ekonomii Społecznej</p>'


def text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", page(response))


@pytest.fixture()
def world(db):
    branch = create_branch(
        code="klucze", name="Klucze", address="ul. Rynek 1", phone="32 642 00 00"
    )
    area = create_domain(code="law", name_pl="Prawo", name_en="Law")
    expert = create_expert(domains=[area], branches=[branch], full_name="Anna Nowak")
    manager = create_manager(email="kierownik@example.org", preferred_language="pl")
    return {"branch": branch, "area": area, "expert": expert, "manager": manager}


def _consultation(world, client, **params):
    return create_consultation(
        expert=world["expert"], client=client, branch=world["branch"], area=world["area"], **params
    )


def test_printout_for_a_phone_client_says_whole_sentences(client, world) -> None:
    phone_client = create_client(full_name="Zofia Nowa", email=None, password=None)
    c = _consultation(world, phone_client, created_by_id=world["manager"].id)
    login(client, "kierownik@example.org", PASSWORD)
    html = text(client.get(f"/personel/konsultacje/{c.id}/wydruk"))
    assert ORG_ON_PAPER in html
    assert (
        "<h2>Jeśli nie możesz przyjść</h2> <p> Aby odwołać konsultację lub zmienić jej termin, "
        "zadzwoń do biura: 32 642 00 00. Daj nam znać jak najwcześniej, żeby ktoś inny mógł "
        "skorzystać z tego terminu. </p>"
    ) in html
    assert "Po tym czasie" not in html  # "after that time" with nothing before it
    assert "Moje konsultacje”" not in html  # no account to look under


def test_printout_for_a_client_with_an_account_keeps_both_sentences(client, world) -> None:
    online = create_client(full_name="Maria Wiśniewska", email="maria@example.org")
    c = _consultation(world, online)
    login(client, "kierownik@example.org", PASSWORD)
    html = text(client.get(f"/personel/konsultacje/{c.id}/wydruk"))
    assert "w zakładce „Moje konsultacje” najpóźniej 24 godziny przed jej rozpoczęciem." in html
    assert "Po tym czasie albo jeśli nie masz dostępu do internetu, zadzwoń do biura:" in html


def test_clients_own_printout_names_the_organisation(client, world) -> None:
    online = create_client(email="maria@example.org", preferred_language="pl")
    c = _consultation(world, online)
    login(client, "maria@example.org", PASSWORD)
    html = text(client.get(f"/rezerwacja/{c.id}/gotowe"))
    assert ORG_ON_PAPER in html
    assert "Twoja konsultacja jest zarezerwowana" in html
