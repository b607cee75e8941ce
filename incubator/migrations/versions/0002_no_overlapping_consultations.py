"""no overlapping consultations of one expert (PostgreSQL exclusion constraint)

The partial unique index of 0001 stops two active consultations of one expert at the same start
on both engines. Consultations of different lengths can still overlap without sharing a start; on
PostgreSQL an exclusion constraint over the time range makes that impossible too. SQLite has no
exclusion constraints: there, bookings run under BEGIN IMMEDIATE, so the service's overlap check
and its insert cannot interleave with another writer.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CONSTRAINT = "ex_consultations_expert_overlap"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(
        f"ALTER TABLE consultations ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(expert_id WITH =, tstzrange(start_dt, end_dt, '[)') WITH &&) "
        "WHERE (status <> 'cancelled')"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE consultations DROP CONSTRAINT IF EXISTS {CONSTRAINT}")
