"""personal data duties (RODO): an append-only audit trail, erasure, retention, information

* `audit_events` gains `subject_id`, the person whose data an entry is about (filled for the
  entries already there: the user they target, or the client of the consultation they target).
  The entries outlive the records they name, so `actor_id` loses its foreign key (a deleted or
  merged account leaves its id in the trail, never a NULL written over it).
* The trail is append-only at the database: UPDATE, DELETE (and TRUNCATE on PostgreSQL) are
  refused by triggers, whatever connects.
* `users.erased_at_dt` marks an anonymised person; `users.informed_via` says how the person was
  given the information clause (`page` or `phone`; `consent_dt` already holds when).
* `projects.retention_until`: the last day the grant agreement requires the project's
  documentation, and so its participants' identity, to be kept.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

REFUSE = "audit_events is append-only"


INFORMED_VIA = "informed_via IS NULL OR informed_via IN ('page', 'phone')"


def _columns() -> None:
    """New columns by plain ALTER TABLE: on SQLite a batch (copy and swap) would drop the
    triggers `users` carries (migration 0005), so only `audit_events`, which has none yet, is
    rebuilt to lose its foreign key."""
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint(op.f("fk_audit_events_actor_id_users"), type_="foreignkey")
        batch.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch.create_index("ix_audit_events_subject_id", ["subject_id"])
    op.add_column("users", sa.Column("erased_at_dt", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "ALTER TABLE users ADD COLUMN informed_via VARCHAR(8) "
        f"CONSTRAINT ck_users_informed_via CHECK ({INFORMED_VIA})"
    )
    op.add_column("projects", sa.Column("retention_until", sa.Date(), nullable=True))


def _backfill() -> None:
    op.execute("UPDATE audit_events SET subject_id = target_id WHERE target_type = 'user'")
    op.execute(
        "UPDATE audit_events SET subject_id = (SELECT c.client_id FROM consultations c "
        "WHERE c.id = audit_events.target_id) WHERE target_type = 'consultation'"
    )
    # Clients staff entered had the clause read out on the phone; the others ticked it.
    op.execute(
        "UPDATE users SET informed_via = CASE WHEN created_by_id IS NOT NULL "
        "AND created_by_id <> id THEN 'phone' ELSE 'page' END "
        "WHERE consent_dt IS NOT NULL AND role = 'client'"
    )


def _append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{REFUSE}' USING ERRCODE = 'insufficient_privilege'; END $$"
        )
        op.execute(
            "CREATE TRIGGER trg_audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER trg_audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER trg_audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END"
        )


def upgrade():
    _columns()
    _backfill()
    _append_only()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS trg_audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS trg_audit_events_no_delete")
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): no table rebuild, so no trigger is lost.
    for table, column in (
        ("projects", "retention_until"),
        ("users", "informed_via"),
        ("users", "erased_at_dt"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_index("ix_audit_events_subject_id")
        batch.drop_column("subject_id")
        batch.create_foreign_key(
            op.f("fk_audit_events_actor_id_users"), "users", ["actor_id"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip
