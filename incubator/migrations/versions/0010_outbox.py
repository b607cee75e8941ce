"""outbox: e-mails written in the same transaction as the change, sent after commit; the list
of people to call (issue #13)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade():
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(400), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("message", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at_dt", stamp, nullable=False),
        sa.Column("claimed_until_dt", stamp, nullable=True),
        sa.Column("last_error", sa.String(500), nullable=False),
        sa.Column("created_at_dt", stamp, nullable=False),
        sa.Column("sent_at_dt", stamp, nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'sent', 'failed')", name=op.f("ck_outbox_messages_status")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_messages_attempts")),
        _fk("outbox_messages", "consultation_id", "consultations", "SET NULL"),
        _fk("outbox_messages", "recipient_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_messages_key")),
    )
    op.create_index(
        "ix_outbox_messages_consultation_id", "outbox_messages", ["consultation_id"]
    )
    op.create_index("ix_outbox_messages_recipient_id", "outbox_messages", ["recipient_id"])
    op.create_index(
        "ix_outbox_messages_due",
        "outbox_messages",
        ["next_attempt_at_dt"],
        sqlite_where=sa.text("status = 'queued'"),
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.create_table(
        "call_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("expert_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(300), nullable=False),
        sa.Column("created_at_dt", stamp, nullable=False),
        sa.Column("done_at_dt", stamp, nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        _fk("call_tasks", "user_id", "users", "CASCADE"),
        _fk("call_tasks", "consultation_id", "consultations", "SET NULL"),
        _fk("call_tasks", "branch_id", "branches", "SET NULL"),
        _fk("call_tasks", "expert_id", "users", "SET NULL"),
        _fk("call_tasks", "done_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_tasks")),
        sa.UniqueConstraint("key", name=op.f("uq_call_tasks_key")),
    )
    op.create_index("ix_call_tasks_user_id", "call_tasks", ["user_id"])
    op.create_index("ix_call_tasks_consultation_id", "call_tasks", ["consultation_id"])


def downgrade():
    op.drop_table("call_tasks")
    op.drop_table("outbox_messages")
