"""session generation: a per-user counter that ends every open session when raised

Logout, a password change or reset, deactivation and reactivation raise it; a session cookie
opened with an older value is refused by the user loader.

`users` carries calendar-version triggers (0003). Adding a column with a constant default is
a plain `ALTER TABLE ... ADD COLUMN` even in batch mode, so the table is not copied and the
triggers stay (tests/integration/test_slot_cache.py checks them); dropping it on SQLite copies
the table, so the downgrade re-creates them.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


BUMP = "UPDATE calendar_state SET version = version + 1 WHERE id = 1"


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("session_generation")
    if op.get_bind().dialect.name == "sqlite":
        for event in ("INSERT", "DELETE", "UPDATE OF active, role"):
            name = f"trg_users_{event.split()[0].lower()}_calendar"
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON users BEGIN {BUMP}; END")
