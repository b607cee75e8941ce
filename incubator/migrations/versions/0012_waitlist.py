"""waitlist: entries per person, area and office, and the slots held for them

Two new tables. Partial unique indexes (both engines): one live entry per person, area and
office; one open offer per expert and start, and per entry. An open offer takes its expert's
time out of everyone else's listings, so its changes raise the expert's calendar version like a
consultation's do (triggers as in 0005).

Revision ID: 0012
Revises: 0011
"""

import importlib

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

LIVE = sa.text("status IN ('waiting', 'offered')")
OPEN = sa.text("status = 'open'")
WATCHED = ("expert_id", "start_dt", "end_dt", "buffer_min", "status", "expires_at_dt")


def _fk(name: str, column: str, target: str, ondelete: str | None = None):
    return sa.ForeignKeyConstraint([column], [target], name=op.f(name), ondelete=ondelete)


def _create_tables() -> None:
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=True),
        sa.Column("to_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at_dt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('waiting', 'offered', 'booked', 'left', 'lapsed')",
            name=op.f("ck_waitlist_entries_status"),
        ),
        sa.CheckConstraint(
            "from_date IS NULL OR to_date IS NULL OR from_date <= to_date",
            name=op.f("ck_waitlist_entries_date_range"),
        ),
        _fk("fk_waitlist_entries_client_id_users", "client_id", "users.id", "CASCADE"),
        _fk("fk_waitlist_entries_area_id_domains", "area_id", "domains.id"),
        _fk("fk_waitlist_entries_branch_id_branches", "branch_id", "branches.id"),
        _fk("fk_waitlist_entries_created_by_id_users", "created_by_id", "users.id", "SET NULL"),
        _fk(
            "fk_waitlist_entries_consultation_id_consultations",
            "consultation_id",
            "consultations.id",
            "SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
    )
    op.create_index("ix_waitlist_entries_client_id", "waitlist_entries", ["client_id"])
    op.create_index(
        "ix_waitlist_entries_queue",
        "waitlist_entries",
        ["area_id", "branch_id", "status", "created_at_dt"],
    )
    op.create_index(
        "uq_waitlist_entries_live",
        "waitlist_entries",
        ["client_id", "area_id", "branch_id"],
        unique=True,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )
    op.create_table(
        "slot_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("start_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("buffer_min", sa.Integer(), nullable=False),
        sa.Column("offered_at_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at_dt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("answered_at_dt", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')",
            name=op.f("ck_slot_offers_status"),
        ),
        sa.CheckConstraint("end_dt > start_dt", name=op.f("ck_slot_offers_times")),
        _fk(
            "fk_slot_offers_entry_id_waitlist_entries", "entry_id", "waitlist_entries.id", "CASCADE"
        ),
        _fk("fk_slot_offers_expert_id_users", "expert_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot_offers")),
    )
    op.create_index("ix_slot_offers_entry_id", "slot_offers", ["entry_id"])
    op.create_index("ix_slot_offers_expert_id", "slot_offers", ["expert_id"])
    op.create_index(
        "uq_slot_offers_open_slot",
        "slot_offers",
        ["expert_id", "start_dt"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index(
        "uq_slot_offers_open_entry",
        "slot_offers",
        ["entry_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def _changed() -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in WATCHED)


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION calendar_slot_offers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'DELETE' THEN PERFORM bump_calendar(NEW.expert_id); END IF;
                IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.expert_id <> NEW.expert_id)
                THEN PERFORM bump_calendar(OLD.expert_id); END IF;
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER trg_slot_offers_calendar_write AFTER INSERT OR DELETE ON slot_offers "
            "FOR EACH ROW EXECUTE FUNCTION calendar_slot_offers_changed()"
        )
        op.execute(
            "CREATE TRIGGER trg_slot_offers_calendar_update AFTER UPDATE ON slot_offers "
            f"FOR EACH ROW WHEN ({_changed()}) EXECUTE FUNCTION calendar_slot_offers_changed()"
        )
        op.execute(
            "CREATE TRIGGER trg_slot_offers_calendar_truncate AFTER TRUNCATE ON slot_offers "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_calendar()"
        )
        return
    calendar = importlib.import_module("incubator.migrations.versions.0005_calendar_versions")
    bump = calendar._sqlite_bump
    op.execute(
        "CREATE TRIGGER trg_slot_offers_calendar_insert AFTER INSERT ON slot_offers "
        f"BEGIN {bump('NEW.expert_id')} END"
    )
    op.execute(
        "CREATE TRIGGER trg_slot_offers_calendar_delete AFTER DELETE ON slot_offers "
        f"BEGIN {bump('OLD.expert_id')} END"
    )
    op.execute(
        "CREATE TRIGGER trg_slot_offers_calendar_update AFTER UPDATE ON slot_offers "
        f"WHEN {_changed()} BEGIN {bump('NEW.expert_id')} "
        f"{bump('(CASE WHEN OLD.expert_id IS NOT NEW.expert_id THEN OLD.expert_id END)')} END"
    )


def upgrade():
    _create_tables()
    _create_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE slot_offers")
        op.execute("DROP FUNCTION IF EXISTS calendar_slot_offers_changed()")
    else:
        op.drop_table("slot_offers")
    op.drop_table("waitlist_entries")
