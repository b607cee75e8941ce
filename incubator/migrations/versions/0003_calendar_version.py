"""calendar version: a counter raised by triggers on every change that affects free slots

Slot listings are cached per process and keyed by this counter (services/slot_cache.py). Triggers
rather than application code keep it current, so no write path can forget to invalidate.

Note for future migrations: on SQLite, `batch_alter_table` recreates a table and drops its
triggers; re-create them (see TRIGGERED below) after any batch operation on those tables.
tests/integration/test_slot_cache.py fails if a trigger is missing.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BUMP = "UPDATE calendar_state SET version = version + 1 WHERE id = 1"
# table -> the UPDATE clause the trigger watches ("" = any column)
TRIGGERED = {
    "consultations": "",
    "consultation_attendees": "",
    "availability_rules": "",
    "availability_exceptions": "",
    "expert_profiles": "",
    "expert_domains": "",
    "expert_branches": "",
    "branches": "",
    "domains": "",
    "users": " OF active, role",
}


def upgrade():
    op.create_table(
        "calendar_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_calendar_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_state")),
    )
    op.execute("INSERT INTO calendar_state (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_calendar_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table, columns in TRIGGERED.items():
            op.execute(
                f"CREATE TRIGGER trg_{table}_calendar AFTER INSERT OR DELETE OR TRUNCATE "
                f"OR UPDATE{columns} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_calendar_version()"
            )
    else:
        for table, columns in TRIGGERED.items():
            for event in ("INSERT", "DELETE", f"UPDATE{columns}"):
                name = f"trg_{table}_{event.split()[0].lower()}_calendar"
                op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {BUMP}; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TRIGGERED:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_calendar ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_calendar_version()")
    else:
        for table in TRIGGERED:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_{event}_calendar")
    op.drop_table("calendar_state")
