"""area summaries: one line per language on what each consultation area helps with

Shown on the public home page's area cards (seed_data/domains.json: summary_pl, summary_en).
`domains` carries calendar-version triggers (0005); adding columns with a constant default is a
plain ALTER TABLE ... ADD COLUMN even in batch mode, so the table is not copied and the triggers
stay (tests/integration/test_calendar_versions.py checks them).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("domains") as batch_op:
        batch_op.add_column(
            sa.Column("summary_pl", sa.String(200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("summary_en", sa.String(200), server_default="", nullable=False)
        )


def downgrade():
    import importlib

    with op.batch_alter_table("domains") as batch_op:
        batch_op.drop_column("summary_en")
        batch_op.drop_column("summary_pl")
    if op.get_bind().dialect.name == "sqlite":  # the batch copy dropped the table's triggers
        calendar = importlib.import_module("incubator.migrations.versions.0005_calendar_versions")
        for statement in calendar.sqlite_trigger_statements("domains"):
            op.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))
