"""Account services against the real database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from incubator.domain.accounts import (
    AccountInactive,
    AuthError,
    CannotDeactivateSelf,
    ConsentRequired,
    DuplicateEmail,
    InvalidCredentials,
    InvalidEmail,
    TokenExpired,
    TokenInvalid,
    TokenUsed,
    WeakPassword,
    WrongPassword,
)
from incubator.domain.errors import InvalidInput, NotAllowed
from incubator.domain.passwords import load_common_passwords
from incubator.models import AuditEvent, ClientProfile, ExpertProfile, Role, User
from incubator.services import accounts, authentication, password_tokens, user_search
from tests.factories import (
    NOW,
    PASSWORD,
    create_branch,
    create_client,
    create_domain,
    create_expert,
    create_manager,
)

POLICY = accounts.PasswordPolicy(
    min_length=10, hash_method="pbkdf2:sha256:1000", common=load_common_passwords()
)
SECRET = "integration-secret"
GOOD = "lipowa aleja 42 w maju"


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actions(db) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def register(db, **kw) -> User:
    kw.setdefault("full_name", "Anna Nowak")
    kw.setdefault("email", "anna@example.org")
    kw.setdefault("password", GOOD)
    kw.setdefault("consent", True)
    return accounts.register_client(db.session, policy=POLICY, now=NOW, **kw)


# --- registration ---------------------------------------------------------------------------


def test_register_client_writes_user_profile_and_audit(db) -> None:
    user = register(db, email="  Anna.Nowak@Example.ORG ", phone=" 600  100 200 ", ip="10.0.0.1")
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.email == "anna.nowak@example.org"
    assert stored.role == Role.CLIENT and stored.active
    assert stored.phone == "600 100 200"
    assert stored.consent_dt == NOW and stored.created_at_dt == NOW
    assert stored.password_hash.startswith("pbkdf2:sha256:1000$")
    assert stored.check_password(GOOD)
    assert stored.client_profile is not None
    (event,) = db.session.scalars(select(AuditEvent)).all()
    assert (event.action, event.actor_id, event.target_type, event.target_id) == (
        "user.registered",
        user.id,
        "user",
        user.id,
    )
    assert event.ip == "10.0.0.1" and event.at_dt == NOW


@pytest.mark.parametrize("variant", ["anna@example.org", "ANNA@example.org", " Anna@EXAMPLE.org"])
def test_duplicate_email_is_refused_case_insensitively(db, variant: str) -> None:
    register(db)
    with pytest.raises(DuplicateEmail) as info:
        register(db, email=variant, full_name="Inna Anna")
    assert info.value.code == "duplicate_email"
    assert count(db, User) == 1 and count(db, ClientProfile) == 1 and count(db, AuditEvent) == 1


def test_duplicate_lost_race_is_rolled_back_whole(db, monkeypatch) -> None:
    """Two registrations at once: the pre-check passes for both, the unique index decides."""
    register(db)
    monkeypatch.setattr(accounts, "ensure_email_free", lambda session, email: None)
    with pytest.raises(DuplicateEmail):
        register(db, full_name="Druga Anna")
    assert count(db, User) == 1
    assert count(db, ClientProfile) == 1
    assert actions(db) == ["user.registered"]
    # The session is usable afterwards.
    register(db, email="ktos@example.org", full_name="Ktoś Inny")
    assert count(db, User) == 2


@pytest.mark.parametrize(
    "bad", ["", "   ", "anna", "anna@", "@example.org", "anna@@example.org", "anna@localhost"]
)
def test_malformed_email_is_refused(db, bad: str) -> None:
    with pytest.raises(InvalidEmail):
        register(db, email=bad)
    assert count(db, User) == 0


def test_weak_password_is_refused_with_codes(db) -> None:
    with pytest.raises(WeakPassword) as info:
        register(db, password="zaq12wsx")
    assert info.value.problems == ["too_short", "too_common"]
    with pytest.raises(WeakPassword) as info:
        register(db, password="anna.nowak.2024", email="anna.nowak@example.org")
    assert "contains_email" in info.value.problems
    assert count(db, User) == 0 and count(db, AuditEvent) == 0


def test_registration_needs_consent(db) -> None:
    with pytest.raises(ConsentRequired):
        register(db, consent=False)
    assert count(db, User) == 0


def test_unknown_language_is_refused(db) -> None:
    with pytest.raises(InvalidInput):
        register(db, preferred_language="de")


# --- staff accounts -------------------------------------------------------------------------


def test_manager_creates_expert_with_profile(db) -> None:
    manager = create_manager()
    law, marketing = create_domain(code="law"), create_domain(code="marketing")
    klucze = create_branch(name="Klucze")
    expert = accounts.create_staff_account(
        db.session,
        actor=manager,
        role="expert",
        email="Mec.Lis@Example.org",
        full_name="Jan Lis",
        expert=accounts.ExpertDetails(
            title="mec.",
            default_length_min=45,
            domain_ids=[law.id, marketing.id],
            branch_ids=[klucze.id],
        ),
        policy=POLICY,
        now=NOW,
    )
    db.session.expire_all()
    expert = db.session.get(User, expert.id)
    assert expert.email == "mec.lis@example.org" and expert.role == Role.EXPERT
    assert expert.password_hash is None and not expert.can_log_in
    assert expert.created_by_id == manager.id
    profile = expert.expert_profile
    assert profile.title == "mec." and profile.default_length_min == 45
    assert {d.code for d in profile.domains} == {"law", "marketing"}
    assert [b.name for b in profile.branches] == ["Klucze"]
    event = db.session.scalars(select(AuditEvent)).one()
    assert event.action == "user.created" and event.actor_id == manager.id
    assert event.details == {"role": "expert", "with_password": False}


def test_manager_creates_manager_with_password(db) -> None:
    manager = create_manager()
    other = accounts.create_staff_account(
        db.session,
        actor=manager,
        role="manager",
        email="druga@example.org",
        full_name="Maria Druga",
        password=GOOD,
        policy=POLICY,
        now=NOW,
    )
    assert other.is_manager and other.check_password(GOOD)
    assert other.expert_profile is None and count(db, ExpertProfile) == 0


@pytest.mark.parametrize("factory", [create_client, create_expert])
def test_only_managers_create_staff(db, factory) -> None:
    actor = factory()
    with pytest.raises(NotAllowed):
        accounts.create_staff_account(
            db.session,
            actor=actor,
            role="expert",
            email="x@example.org",
            full_name="X Y",
            policy=POLICY,
            now=NOW,
        )
    assert count(db, User) == 1


def test_staff_account_cannot_be_a_client(db) -> None:
    with pytest.raises(InvalidInput):
        accounts.create_staff_account(
            db.session,
            actor=create_manager(),
            role="client",
            email="x@example.org",
            full_name="X Y",
            policy=POLICY,
            now=NOW,
        )


def test_unknown_domain_or_bad_length_is_refused(db) -> None:
    manager = create_manager()
    for details in (
        accounts.ExpertDetails(domain_ids=[9999]),
        accounts.ExpertDetails(default_length_min=5),
    ):
        with pytest.raises(InvalidInput):
            accounts.create_staff_account(
                db.session,
                actor=manager,
                role="expert",
                email="x@example.org",
                full_name="X Y",
                expert=details,
                policy=POLICY,
                now=NOW,
            )
    assert count(db, User) == 1


def test_duplicate_staff_email(db) -> None:
    create_client(email="zajete@example.org")
    with pytest.raises(DuplicateEmail):
        accounts.create_staff_account(
            db.session,
            actor=create_manager(),
            role="manager",
            email="ZAJETE@example.org",
            full_name="X Y",
            policy=POLICY,
            now=NOW,
        )


def test_system_creates_first_manager(db) -> None:
    user = accounts.create_account(
        db.session,
        actor=None,
        role="manager",
        email="szef@example.org",
        full_name="Szef",
        password=GOOD,
        policy=POLICY,
        now=NOW,
    )
    event = db.session.scalars(select(AuditEvent)).one()
    assert user.is_manager and event.actor_id is None and event.target_id == user.id


# --- authentication -------------------------------------------------------------------------


def test_authenticate_records_login(db) -> None:
    user = create_client(email="klient@example.org")
    later = NOW + timedelta(days=1)
    found = authentication.authenticate(
        db.session, " KLIENT@example.org ", PASSWORD, later, ip="1.2.3.4"
    )
    assert found.id == user.id
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_dt == later
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_id, event.ip) == ("user.login", user.id, "1.2.3.4")


def test_wrong_password_and_unknown_email_look_the_same(db) -> None:
    user = create_client(email="klient@example.org")
    with pytest.raises(InvalidCredentials) as wrong:
        authentication.authenticate(
            db.session, "klient@example.org", "nie-to-haslo", NOW, policy=POLICY
        )
    with pytest.raises(InvalidCredentials) as unknown:
        authentication.authenticate(db.session, "nikt@example.org", PASSWORD, NOW, policy=POLICY)
    with pytest.raises(InvalidCredentials):
        authentication.authenticate(db.session, "not an e-mail", PASSWORD, NOW, policy=POLICY)
    assert wrong.value.code == unknown.value.code == "invalid_credentials"
    # One audit event per failure, known address or not: the same work either way.
    assert actions(db) == ["user.login_failed"] * 3
    reasons = db.session.scalars(select(AuditEvent.details).order_by(AuditEvent.id)).all()
    assert [r["reason"] for r in reasons] == ["wrong_password", "unknown", "unknown"]
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_dt is None


def test_inactive_account_is_told_only_with_the_right_password(db) -> None:
    create_client(email="klient@example.org", active=False)
    with pytest.raises(AccountInactive) as info:
        authentication.authenticate(db.session, "klient@example.org", PASSWORD, NOW)
    assert info.value.code == "account_inactive"
    with pytest.raises(InvalidCredentials):
        authentication.authenticate(db.session, "klient@example.org", "nie-to-haslo", NOW)


@pytest.mark.parametrize("active", [True, False])
def test_account_without_password_answers_like_a_wrong_password(db, active: bool) -> None:
    """Never `no_password` (nor `account_inactive`): no password can be right for it."""
    create_client(email="telefon@example.org", password=None, active=active)
    before = authentication.WORK["dummy_hash"]
    with pytest.raises(InvalidCredentials) as info:
        authentication.authenticate(db.session, "telefon@example.org", "x" * 12, NOW, policy=POLICY)
    assert isinstance(info.value, AuthError) and info.value.code == "invalid_credentials"
    assert authentication.WORK["dummy_hash"] == before + 1  # the hash work of a wrong password
    assert actions(db) == ["user.login_failed"]


# --- profile and passwords ------------------------------------------------------------------


def test_update_profile_records_changed_fields_only(db) -> None:
    user = create_client(full_name="Anna Nowak")
    changed = accounts.update_profile(
        db.session,
        user=user,
        full_name="Anna  Nowak-Lis",
        phone="601 000 000",
        preferred_language="en",
        now=NOW,
    )
    assert changed == ["full_name", "phone", "preferred_language"]
    assert user.full_name == "Anna Nowak-Lis"
    event = db.session.scalars(select(AuditEvent)).one()
    assert event.details == {"fields": changed}  # names only, no personal data
    assert (
        accounts.update_profile(
            db.session,
            user=user,
            full_name="Anna Nowak-Lis",
            phone="601 000 000",
            preferred_language="en",
            now=NOW,
        )
        == []
    )
    assert count(db, AuditEvent) == 1


def test_language_chosen_on_a_page_is_remembered_like_a_profile_change(db) -> None:
    user = create_client(preferred_language="pl")
    assert accounts.set_preferred_language(db.session, user=user, language="en", now=NOW)
    db.session.expire_all()
    assert db.session.get(User, user.id).preferred_language == "en"
    event = db.session.scalars(select(AuditEvent)).one()
    assert event.action == "user.profile_updated"
    assert event.details == {"fields": ["preferred_language"]}
    assert not accounts.set_preferred_language(db.session, user=user, language="en", now=NOW)
    assert count(db, AuditEvent) == 1
    with pytest.raises(InvalidInput):
        accounts.set_preferred_language(db.session, user=user, language="de", now=NOW)


def test_change_password(db) -> None:
    user = create_client()
    with pytest.raises(WrongPassword):
        accounts.change_password(
            db.session,
            user=user,
            current_password="zle",
            new_password=GOOD,
            policy=POLICY,
            now=NOW,
        )
    with pytest.raises(WeakPassword) as info:
        accounts.change_password(
            db.session,
            user=user,
            current_password=PASSWORD,
            new_password=PASSWORD,
            policy=POLICY,
            now=NOW,
        )
    assert info.value.problems == ["same_as_current"]
    accounts.change_password(
        db.session,
        user=user,
        current_password=PASSWORD,
        new_password=GOOD,
        policy=POLICY,
        now=NOW,
    )
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(GOOD)
    assert actions(db) == ["user.password_changed"]


# --- activation -----------------------------------------------------------------------------


def test_manager_deactivates_and_reactivates(db) -> None:
    manager, expert = create_manager(), create_expert()
    assert accounts.set_active(db.session, actor=manager, user=expert, active=False, now=NOW)
    assert not expert.active
    assert not accounts.set_active(db.session, actor=manager, user=expert, active=False, now=NOW)
    assert accounts.set_active(db.session, actor=manager, user=expert, active=True, now=NOW)
    assert actions(db) == ["user.deactivated", "user.reactivated"]


def test_manager_cannot_deactivate_self(db) -> None:
    manager = create_manager()
    with pytest.raises(CannotDeactivateSelf) as info:
        accounts.set_active(db.session, actor=manager, user=manager, active=False, now=NOW)
    assert info.value.code == "cannot_deactivate_self"
    db.session.expire_all()
    assert db.session.get(User, manager.id).active and count(db, AuditEvent) == 0


def test_non_manager_cannot_deactivate(db) -> None:
    expert, client = create_expert(), create_client()
    with pytest.raises(NotAllowed):
        accounts.set_active(db.session, actor=expert, user=client, active=False, now=NOW)


# --- reset tokens ---------------------------------------------------------------------------

AGES = {"max_age": timedelta(hours=2), "setup_max_age": timedelta(days=7)}


def verify(db, token: str, now=NOW):
    return password_tokens.verify_password_token(
        db.session, token, secret_key=SECRET, now=now, **AGES
    )


def test_token_round_trip_and_single_use(db) -> None:
    user = create_client()
    token = password_tokens.make_password_token(user, secret_key=SECRET, now=NOW)
    assert verify(db, token, NOW + timedelta(hours=1, minutes=59)).id == user.id
    password_tokens.reset_password(
        db.session,
        token,
        GOOD,
        secret_key=SECRET,
        now=NOW + timedelta(minutes=5),
        policy=POLICY,
        **AGES,
    )
    assert user.check_password(GOOD)
    assert actions(db) == ["user.password_reset"]
    with pytest.raises(TokenUsed) as info:
        verify(db, token, NOW + timedelta(minutes=6))
    assert info.value.code == "token_used" and isinstance(info.value, TokenInvalid)


def test_expired_token_is_told_apart(db) -> None:
    user = create_client()
    token = password_tokens.make_password_token(user, secret_key=SECRET, now=NOW)
    with pytest.raises(TokenExpired) as info:
        verify(db, token, NOW + timedelta(hours=2, seconds=1))
    assert info.value.code == "token_expired"
    assert not isinstance(info.value, TokenInvalid)


def test_setup_token_lives_longer(db) -> None:
    user = create_expert(password=None)
    token = password_tokens.make_password_token(
        user, secret_key=SECRET, now=NOW, purpose=password_tokens.PURPOSE_SETUP
    )
    assert verify(db, token, NOW + timedelta(days=6)).id == user.id
    with pytest.raises(TokenExpired):
        verify(db, token, NOW + timedelta(days=7, seconds=1))
    # Setting the first password uses it up, like a reset.
    password_tokens.reset_password(
        db.session, token, GOOD, secret_key=SECRET, now=NOW, policy=POLICY, **AGES
    )
    with pytest.raises(TokenUsed):
        verify(db, token)


@pytest.mark.parametrize("mangle", ["", "x", "abc.def.ghi", "{token}x", "x{token}", "{other}"])
def test_forged_or_mangled_token_is_invalid(db, mangle: str) -> None:
    user = create_client()
    token = password_tokens.make_password_token(user, secret_key=SECRET, now=NOW)
    other = password_tokens.make_password_token(user, secret_key="another-secret", now=NOW)
    with pytest.raises(TokenInvalid):
        verify(db, mangle.format(token=token, other=other))


def test_token_for_deleted_or_inactive_user(db) -> None:
    gone, asleep = create_client(), create_client()
    gone_token = password_tokens.make_password_token(gone, secret_key=SECRET, now=NOW)
    asleep_token = password_tokens.make_password_token(asleep, secret_key=SECRET, now=NOW)
    db.session.delete(gone)
    asleep.active = False
    db.session.commit()
    with pytest.raises(TokenInvalid):
        verify(db, gone_token)
    with pytest.raises(AccountInactive):
        verify(db, asleep_token)


def test_reset_with_weak_password_keeps_token_usable(db) -> None:
    user = create_client()
    token = password_tokens.make_password_token(user, secret_key=SECRET, now=NOW)
    with pytest.raises(WeakPassword):
        password_tokens.reset_password(
            db.session, token, "haslo123", secret_key=SECRET, now=NOW, policy=POLICY, **AGES
        )
    assert verify(db, token).id == user.id and count(db, AuditEvent) == 0


def test_request_reset_only_for_active_accounts(db) -> None:
    user = create_client(email="jest@example.org")
    create_client(email="spi@example.org", active=False)
    found = password_tokens.request_password_reset(
        db.session, "JEST@example.org", secret_key=SECRET, now=NOW
    )
    assert found is not None and found[0] == user.id
    assert verify(db, found[1]).id == user.id
    for email in ("nie-ma@example.org", "spi@example.org", "zly adres"):
        assert (
            password_tokens.request_password_reset(db.session, email, secret_key=SECRET, now=NOW)
            is None
        )
    # Every request leaves one event (the same work); only the first sent a link.
    assert actions(db) == ["user.password_reset_requested"] * 4
    details = db.session.scalars(select(AuditEvent.details).order_by(AuditEvent.id)).all()
    assert details == [{}, {"sent": False}, {"sent": False}, {"sent": False}]


# --- listing --------------------------------------------------------------------------------


def test_search_users_by_role_text_phone_and_status(db) -> None:
    anna = create_client(full_name="Anna Kowalska", email="anna@example.org", phone="600 100-200")
    jan = create_expert(full_name="Jan Lis", email="lis@kancelaria.pl")
    ewa = create_manager(full_name="Ewa Zając", email="ewa@example.org", active=False)

    def ids(**kw) -> list[int]:
        return [u.id for u in user_search.search_users(db.session, **kw).users]

    assert ids() == [anna.id, ewa.id, jan.id]  # by name
    assert ids(role="expert") == [jan.id]
    assert ids(query="KOWAL") == [anna.id]
    assert ids(query="kancelaria") == [jan.id]
    assert ids(query="600100200") == [anna.id]
    assert ids(query="100-2") == [anna.id]
    assert ids(active=False) == [ewa.id]
    assert ids(active=True, role="manager") == []
    assert ids(query="%") == [] and ids(query="_") == []  # wildcards are literal
    page = user_search.search_users(db.session, per_page=2, page=2)
    assert page.total == 3 and page.pages == 2 and [u.id for u in page.users] == [jan.id]


def test_search_folds_polish_capitals_on_every_engine(db) -> None:
    from tests.factories import create_client

    create_client(full_name="Łukasz Żółć", email="lz@example.org")
    found = user_search.search_users(db.session, query="łukasz żółć")
    assert [u.full_name for u in found.users] == ["Łukasz Żółć"]


def test_managers_list_users_with_filters(db) -> None:
    manager = create_manager(full_name="Ewa Zając", email="ewa@example.org")
    anna = create_client(full_name="Anna Kowalska", email="anna@example.org")
    expert = create_expert(full_name="Jan Lis", email="lis@example.org")
    found = user_search.list_users(
        db.session, manager, user_search.UserFilters(role="client", active=True)
    )
    assert [u.id for u in found.users] == [anna.id]
    assert user_search.get_user(db.session, expert.id) is expert
    assert user_search.get_user(db.session, 10_000) is None
    with pytest.raises(NotAllowed):
        user_search.list_users(db.session, expert, user_search.UserFilters())


def test_all_users_for_the_command_line(db) -> None:
    create_manager(full_name="Zofia Szefowa", email="szef@example.org")
    create_client(full_name="anna Kowalska", email="anna@example.org")
    create_client(full_name="Bartek Nowak", email="bartek@example.org")
    names = [u.full_name for u in user_search.all_users(db.session)]
    assert names == ["anna Kowalska", "Bartek Nowak", "Zofia Szefowa"]  # by role, then name
    assert len(user_search.all_users(db.session, role="client")) == 2
