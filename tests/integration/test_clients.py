"""Client search and phone-only clients entered by staff (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from incubator.domain.accounts import ConsentRequired, DuplicateEmail, InvalidEmail
from incubator.domain.errors import InvalidInput, NotAllowed
from incubator.models import AuditEvent, FoundingGroup, FoundingGroupMember, Role, User
from incubator.services import clients
from tests.factories import create_branch, create_client, create_expert, create_manager
from tests.helpers import NOW


@pytest.fixture()
def people(db):
    maria = create_client(
        full_name="Maria Wiśniewska", phone="600 100 200", email="maria@example.org"
    )
    jan = create_client(full_name="Jan Kowalski", phone="+48 601-222-333", email=None)
    gone = create_client(full_name="Maria Nieaktywna", phone="600 100 999", active=False)
    expert = create_expert(full_name="Maria Ekspert", phone="600 100 201")
    manager = create_manager(full_name="Kinga Kierownik")
    return {"maria": maria, "jan": jan, "gone": gone, "expert": expert, "manager": manager}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Wiśniewska", ["Maria Wiśniewska"]),
        ("maria", ["Maria Wiśniewska"]),  # not the inactive one, not the expert
        ("kowal", ["Jan Kowalski"]),
        ("600 100 200", ["Maria Wiśniewska"]),
        ("600100200", ["Maria Wiśniewska"]),
        ("600-100-200", ["Maria Wiśniewska"]),
        ("601222333", ["Jan Kowalski"]),
        ("MARIA@example.org", ["Maria Wiśniewska"]),
        ("nobody", []),
        ("   ", []),
    ],
)
def test_search_clients_by_name_phone_and_email(db, people, query, expected) -> None:
    found = clients.search_clients(db.session, query)
    assert [u.full_name for u in found] == expected


def test_create_phone_client_records_consent_creator_and_audit(db, people) -> None:
    expert = people["expert"]
    client = clients.create_phone_client(
        db.session,
        actor=expert,
        full_name="  Zofia   Nowa ",
        phone="602 333 444",
        rodo_clause_read=True,
        now=NOW,
        ip="127.0.0.1",
    )
    db.session.expire_all()
    stored = db.session.get(User, client.id)
    assert stored.full_name == "Zofia Nowa"
    assert stored.phone == "602 333 444"
    assert stored.email is None
    assert stored.password_hash is None
    assert stored.role == Role.CLIENT
    assert stored.consent_dt == NOW
    assert stored.created_by_id == expert.id
    assert stored.client_profile is not None
    assert not stored.can_log_in
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "client.created_by_staff")
    )
    assert event.actor_id == expert.id
    assert event.target_id == client.id
    assert event.details == {"rodo_clause_read_out": True, "with_email": False}
    assert "Zofia" not in str(event.details)  # no personal data in the audit trail


def test_create_phone_client_with_optional_email_normalises_it(db, people) -> None:
    client = clients.create_phone_client(
        db.session,
        actor=people["manager"],
        full_name="Ewa Mail",
        phone="603 000 111",
        email="  Ewa.Mail@Example.ORG ",
        rodo_clause_read=True,
        now=NOW,
    )
    assert client.email == "ewa.mail@example.org"


def test_create_phone_client_refuses_a_taken_email(db, people) -> None:
    with pytest.raises(DuplicateEmail):
        clients.create_phone_client(
            db.session,
            actor=people["manager"],
            full_name="Druga Maria",
            phone="603 000 112",
            email="maria@example.org",
            rodo_clause_read=True,
            now=NOW,
        )


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"rodo_clause_read": False}, ConsentRequired),
        ({"phone": ""}, InvalidInput),
        ({"phone": "12"}, InvalidInput),
        ({"full_name": "   "}, InvalidInput),
        ({"email": "not-an-address"}, InvalidEmail),
    ],
)
def test_create_phone_client_refusals_write_nothing(db, people, kwargs, error) -> None:
    params = {"full_name": "Piotr Test", "phone": "604 555 666", "rodo_clause_read": True}
    params.update(kwargs)
    before = db.session.scalar(select(User.id).order_by(User.id.desc()).limit(1))
    with pytest.raises(error):
        clients.create_phone_client(db.session, actor=people["manager"], now=NOW, **params)
    db.session.rollback()
    assert db.session.scalar(select(User.id).order_by(User.id.desc()).limit(1)) == before


def test_only_staff_enter_clients(db, people) -> None:
    with pytest.raises(NotAllowed):
        clients.create_phone_client(
            db.session,
            actor=people["maria"],
            full_name="Ktoś",
            phone="605 000 000",
            rodo_clause_read=True,
            now=NOW,
        )


@pytest.mark.parametrize("phone", ["600100200", "+48 600 100 200", "600-100-200", "48600100200"])
def test_clients_with_phone_ignores_formatting(db, people, phone) -> None:
    assert [u.full_name for u in clients.clients_with_phone(db.session, phone)] == [
        "Maria Wiśniewska"
    ]


def test_clients_with_phone_needs_enough_digits(db, people) -> None:
    assert clients.clients_with_phone(db.session, "600") == []


def test_get_client_only_returns_active_clients(db, people) -> None:
    assert clients.get_client(db.session, people["maria"].id) == people["maria"]
    assert clients.get_client(db.session, people["gone"].id) is None
    assert clients.get_client(db.session, people["expert"].id) is None
    assert clients.get_client(db.session, 999_999) is None


def test_group_companions_are_current_members_of_the_clients_groups(db, people) -> None:
    branch = create_branch(code="klucze", name="Klucze")
    maria, jan = people["maria"], people["jan"]
    left = create_client(full_name="Adam Odszedł")
    stranger = create_client(full_name="Obca Osoba")
    other_group_member = create_client(full_name="Inna Grupa")
    opoka = FoundingGroup(
        name="Spółdzielnia Socjalna „Opoka”",
        legal_form="social_cooperative",
        branch_id=branch.id,
        created_at_dt=NOW,
    )
    opoka.members = [
        FoundingGroupMember(user_id=maria.id),
        FoundingGroupMember(user_id=jan.id),
        FoundingGroupMember(user_id=left.id, left_date=date(2026, 1, 1)),
        FoundingGroupMember(legal_person_name="Gmina Klucze"),
    ]
    other = FoundingGroup(
        name="Stowarzyszenie „Klucz”",
        legal_form="association",
        branch_id=branch.id,
        created_at_dt=NOW,
    )
    other.members = [FoundingGroupMember(user_id=other_group_member.id)]
    db.session.add_all([opoka, other])
    db.session.commit()

    assert clients.group_companions(db.session, maria) == [jan]
    assert clients.group_companions(db.session, jan) == [maria]
    assert clients.group_companions(db.session, stranger) == []
