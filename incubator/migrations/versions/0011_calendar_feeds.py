"""calendar feeds: one secret token per (user, scope) behind each subscribable .ics address

Scope: the user's own consultations (branch_id NULL) or, for managers, one office. Two partial
unique indexes keep one live token per scope on both engines (a plain unique constraint would let
NULL scopes repeat). A new table only: nothing else is altered.

Revision ID: 0011
Revises: 0010 (re-chained after 0010 at merge)
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("created_at_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_calendar_feeds_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_calendar_feeds_branch_id_branches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token", name=op.f("uq_calendar_feeds_token")),
    )  # fmt: skip
    op.create_index(
        "uq_calendar_feeds_own",
        "calendar_feeds",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text("branch_id IS NULL"),
        postgresql_where=sa.text("branch_id IS NULL"),
    )
    op.create_index(
        "uq_calendar_feeds_office",
        "calendar_feeds",
        ["user_id", "branch_id"],
        unique=True,
        sqlite_where=sa.text("branch_id IS NOT NULL"),
        postgresql_where=sa.text("branch_id IS NOT NULL"),
    )


def downgrade():
    op.drop_index("uq_calendar_feeds_office", table_name="calendar_feeds")
    op.drop_index("uq_calendar_feeds_own", table_name="calendar_feeds")
    op.drop_table("calendar_feeds")
