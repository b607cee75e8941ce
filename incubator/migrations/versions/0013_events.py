# ruff: noqa: E501  (SQL and table definitions read best one per line)
"""events: trainings and information meetings, registrations, attendance, certificates, and one
table of every expert's busy time

* `events` keeps `seats_taken` next to `capacity` with CHECK (seats_taken <= capacity): a seat is
  taken by a conditional UPDATE, so the database itself refuses an overbooking.
* `expert_busy_times` holds every stretch of an expert's time that is taken: one row per active
  consultation (kept by triggers on `consultations`, so every code path is covered) and one per
  trainer and session. Rows of one expert cannot overlap: an exclusion constraint on
  PostgreSQL, BEFORE triggers on SQLite. Existing consultations are copied in.
* Session rows raise their expert's calendar version (listings never show a slot under a
  session); consultation rows need not, their own triggers (0005) do it.

Revision ID: 0013
Revises: 0012
"""

import importlib

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

LIVE = sa.text("status IN ('registered', 'waitlisted')")
OVERLAP = (
    "SELECT 1 FROM expert_busy_times b WHERE b.expert_id = NEW.expert_id "
    "AND b.start_dt < NEW.end_dt AND b.end_dt > NEW.start_dt"
)


def _fk(name: str, column: str, target: str, ondelete: str | None = None):
    return sa.ForeignKeyConstraint([column], [target], name=op.f(name), ondelete=ondelete)


def _dt(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _events() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(300), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("venue", sa.String(300), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _dt("created_at_dt"),
        _dt("cancelled_at_dt", True),
        sa.CheckConstraint("kind IN ('training', 'information_meeting')", name=op.f("ck_events_kind")),
        sa.CheckConstraint("capacity BETWEEN 1 AND 10000", name=op.f("ck_events_capacity")),
        sa.CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name=op.f("ck_events_seats")),
        sa.CheckConstraint("branch_id IS NOT NULL OR venue <> ''", name=op.f("ck_events_place")),
        _fk("fk_events_area_id_domains", "area_id", "domains.id", "RESTRICT"),
        _fk("fk_events_branch_id_branches", "branch_id", "branches.id", "RESTRICT"),
        _fk("fk_events_created_by_id_users", "created_by_id", "users.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )  # fmt: skip
    op.create_index("ix_events_branch_id", "events", ["branch_id"])
    op.create_table(
        "event_trainers",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        _fk("fk_event_trainers_event_id_events", "event_id", "events.id", "CASCADE"),
        _fk("fk_event_trainers_expert_id_users", "expert_id", "users.id", "RESTRICT"),
        sa.PrimaryKeyConstraint("event_id", "expert_id", name=op.f("pk_event_trainers")),
    )
    op.create_table(
        "event_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        _dt("start_dt"),
        _dt("end_dt"),
        sa.Column("anonymous_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("end_dt > start_dt", name=op.f("ck_event_sessions_time_order")),
        sa.CheckConstraint("anonymous_count >= 0", name=op.f("ck_event_sessions_anonymous_count")),
        _fk("fk_event_sessions_event_id_events", "event_id", "events.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_sessions")),
    )  # fmt: skip
    op.create_index("ix_event_sessions_event_id", "event_sessions", ["event_id"])
    op.create_index("ix_event_sessions_start", "event_sessions", ["start_dt"])


def _people() -> None:
    op.create_table(
        "event_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        _dt("created_at_dt"),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        _dt("seat_since_dt", True),
        _dt("cancelled_at_dt", True),
        sa.CheckConstraint("status IN ('registered', 'waitlisted', 'cancelled')", name=op.f("ck_event_registrations_status")),
        _fk("fk_event_registrations_event_id_events", "event_id", "events.id", "CASCADE"),
        _fk("fk_event_registrations_user_id_users", "user_id", "users.id", "RESTRICT"),
        _fk("fk_event_registrations_registered_by_id_users", "registered_by_id", "users.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_registrations")),
    )  # fmt: skip
    op.create_index("ix_event_registrations_user_id", "event_registrations", ["user_id"])
    op.create_index(
        "ix_event_registrations_queue",
        "event_registrations",
        ["event_id", "status", "created_at_dt"],
    )
    op.create_index(
        "uq_event_registrations_live", "event_registrations", ["event_id", "user_id"],
        unique=True, sqlite_where=LIVE, postgresql_where=LIVE,
    )  # fmt: skip
    op.create_table(
        "session_attendance",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        _dt("recorded_at_dt"),
        _fk("fk_session_attendance_session_id_event_sessions", "session_id", "event_sessions.id", "CASCADE"),
        _fk("fk_session_attendance_user_id_users", "user_id", "users.id", "RESTRICT"),
        _fk("fk_session_attendance_recorded_by_id_users", "recorded_by_id", "users.id", "SET NULL"),
        sa.PrimaryKeyConstraint("session_id", "user_id", name=op.f("pk_session_attendance")),
    )  # fmt: skip
    op.create_index("ix_session_attendance_user_id", "session_attendance", ["user_id"])
    op.create_table(
        "event_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        _dt("issued_at_dt"),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("sessions_attended", sa.Integer(), nullable=False),
        sa.Column("sessions_held", sa.Integer(), nullable=False),
        _fk("fk_event_certificates_event_id_events", "event_id", "events.id", "RESTRICT"),
        _fk("fk_event_certificates_user_id_users", "user_id", "users.id", "RESTRICT"),
        _fk("fk_event_certificates_issued_by_id_users", "issued_by_id", "users.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_event_certificates_code")),
        sa.UniqueConstraint("event_id", "user_id", name="uq_event_certificates_person"),
    )  # fmt: skip
    op.create_index("ix_event_certificates_user_id", "event_certificates", ["user_id"])


def _busy_table() -> None:
    op.create_table(
        "expert_busy_times",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        _dt("start_dt"),
        _dt("end_dt"),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("end_dt > start_dt", name=op.f("ck_expert_busy_times_time_order")),
        sa.CheckConstraint("(consultation_id IS NULL) <> (session_id IS NULL)", name=op.f("ck_expert_busy_times_one_source")),
        _fk("fk_expert_busy_times_expert_id_users", "expert_id", "users.id", "RESTRICT"),
        _fk("fk_expert_busy_times_consultation_id_consultations", "consultation_id", "consultations.id", "CASCADE"),
        _fk("fk_expert_busy_times_session_id_event_sessions", "session_id", "event_sessions.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_busy_times")),
        sa.UniqueConstraint("consultation_id", name=op.f("uq_expert_busy_times_consultation_id")),
        sa.UniqueConstraint("expert_id", "session_id", name="uq_expert_busy_times_session"),
    )  # fmt: skip
    op.create_index(
        "ix_expert_busy_times_expert_start", "expert_busy_times", ["expert_id", "start_dt"]
    )
    op.create_index("ix_expert_busy_times_session_id", "expert_busy_times", ["session_id"])
    op.execute(
        "INSERT INTO expert_busy_times (expert_id, start_dt, end_dt, consultation_id) "
        "SELECT expert_id, start_dt, end_dt, id FROM consultations WHERE status <> 'cancelled'"
    )


def _postgresql_rules() -> None:
    op.execute(
        "ALTER TABLE expert_busy_times ADD CONSTRAINT ex_expert_busy_times_overlap "
        "EXCLUDE USING gist (expert_id WITH =, tstzrange(start_dt, end_dt, '[)') WITH &&)"
    )
    op.execute(
        """
        CREATE FUNCTION consultation_busy_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                IF OLD.expert_id = NEW.expert_id AND OLD.start_dt = NEW.start_dt
                   AND OLD.end_dt = NEW.end_dt
                   AND (OLD.status = 'cancelled') = (NEW.status = 'cancelled') THEN
                    RETURN NULL;
                END IF;
                DELETE FROM expert_busy_times WHERE consultation_id = NEW.id;
            END IF;
            IF NEW.status <> 'cancelled' THEN
                INSERT INTO expert_busy_times (expert_id, start_dt, end_dt, consultation_id)
                VALUES (NEW.expert_id, NEW.start_dt, NEW.end_dt, NEW.id);
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER trg_consultations_busy AFTER INSERT OR UPDATE ON consultations "
        "FOR EACH ROW EXECUTE FUNCTION consultation_busy_sync()"
    )
    op.execute(
        """
        CREATE FUNCTION calendar_session_busy_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'DELETE' AND NEW.session_id IS NOT NULL THEN
                PERFORM bump_calendar(NEW.expert_id);
            END IF;
            IF TG_OP <> 'INSERT' AND OLD.session_id IS NOT NULL THEN
                PERFORM bump_calendar(OLD.expert_id);
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER trg_expert_busy_times_calendar_all AFTER INSERT OR UPDATE OR DELETE "
        "ON expert_busy_times FOR EACH ROW EXECUTE FUNCTION calendar_session_busy_changed()"
    )


def _sqlite_rules() -> None:
    bump = importlib.import_module(
        "incubator.migrations.versions.0005_calendar_versions"
    )._sqlite_bump
    refuse = "BEGIN SELECT RAISE(ABORT, 'expert_busy_overlap'); END"
    op.execute(
        f"CREATE TRIGGER trg_expert_busy_times_no_overlap BEFORE INSERT ON expert_busy_times WHEN EXISTS ({OVERLAP}) {refuse}"
    )
    op.execute(
        f"CREATE TRIGGER trg_expert_busy_times_no_overlap_update BEFORE UPDATE ON expert_busy_times WHEN EXISTS ({OVERLAP} AND b.id <> NEW.id) {refuse}"
    )
    row = "NEW.expert_id, NEW.start_dt, NEW.end_dt, NEW.id"
    columns = "(expert_id, start_dt, end_dt, consultation_id)"
    op.execute(
        f"CREATE TRIGGER trg_consultations_busy_insert AFTER INSERT ON consultations WHEN NEW.status <> 'cancelled' BEGIN INSERT INTO expert_busy_times {columns} VALUES ({row}); END"
    )
    op.execute(
        "CREATE TRIGGER trg_consultations_busy_update AFTER UPDATE OF expert_id, start_dt, end_dt, status ON consultations "
        "BEGIN DELETE FROM expert_busy_times WHERE consultation_id = NEW.id; "
        f"INSERT INTO expert_busy_times {columns} SELECT {row} WHERE NEW.status <> 'cancelled'; END"
    )
    op.execute(
        "CREATE TRIGGER trg_consultations_busy_delete AFTER DELETE ON consultations BEGIN DELETE FROM expert_busy_times WHERE consultation_id = OLD.id; END"
    )
    op.execute(
        f"CREATE TRIGGER trg_expert_busy_times_calendar_insert AFTER INSERT ON expert_busy_times WHEN NEW.session_id IS NOT NULL BEGIN {bump('NEW.expert_id')} END"
    )
    op.execute(
        f"CREATE TRIGGER trg_expert_busy_times_calendar_delete AFTER DELETE ON expert_busy_times WHEN OLD.session_id IS NOT NULL BEGIN {bump('OLD.expert_id')} END"
    )
    # fmt: skip


def upgrade():
    _events()
    _people()
    _busy_table()
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_rules()
    else:
        _sqlite_rules()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_consultations_busy ON consultations")
        op.execute("DROP FUNCTION IF EXISTS consultation_busy_sync()")
    else:
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_consultations_busy_{name}")
    for table in (
        "expert_busy_times",
        "event_certificates",
        "session_attendance",
        "event_registrations",
        "event_sessions",
        "event_trainers",
        "events",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS calendar_session_busy_changed()")
