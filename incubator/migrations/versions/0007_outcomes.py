"""outcomes and people served: attendance per person, funded projects, ESF+ participant fields

- `consultation_attendees.attended`: who came, per person (NULL until the expert records it).
- `consultations`: the actual length, a topic category, who recorded the outcome and when.
- `topic_categories`: the configurable list of outcome topics (seed_data/topic_categories.json).
- `projects`, `project_branches`, `project_participants`: funded projects and each person's data
  at their first support in one (kept, never overwritten by a later project).
- `client_profiles`: the birth date and the ESF+ 2021-2027 fields.

Existing outcomes are carried over: every attendee of an ``attended`` consultation came, nobody
of a ``no_show`` one did, and the actual length is the booked one.

Columns are added with ALTER TABLE ... ADD COLUMN (no batch copy), so the calendar-version
triggers of `consultations` and `consultation_attendees` (0005) stay; `attended` and the outcome
columns are not in their WHEN lists, so recording an outcome raises no calendar.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ANSWERS = "('yes', 'no', 'refused')"
ESF_FIELDS = ("third_country", "foreign_background", "minority", "homeless")


def _check(column: str) -> str:
    return f"{column} IS NULL OR {column} IN {ANSWERS}"


def _add_tables() -> None:
    op.create_table(
        "topic_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name_pl", sa.String(120), nullable=False),
        sa.Column("name_en", sa.String(120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_categories")),
        sa.UniqueConstraint("code", name=op.f("uq_topic_categories_code")),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("programme", sa.String(40), nullable=False),
        sa.Column("contract_number", sa.String(80), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("created_at_dt", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_projects_period")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("code", name=op.f("uq_projects_code")),
    )
    op.create_table(
        "project_branches",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_project_branches_branch_id_branches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_branches_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "branch_id", name=op.f("pk_project_branches")),
    )
    op.create_table(
        "project_participants",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("age_at_entry", sa.SmallInteger(), nullable=True),
        sa.Column("labour_status", sa.String(32), nullable=True),
        sa.Column("education", sa.String(16), nullable=True),
        sa.Column("residence", sa.String(16), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_participants_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_project_participants_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("project_id", "user_id", name=op.f("pk_project_participants")),
    )
    op.create_index(op.f("ix_project_participants_user_id"), "project_participants", ["user_id"])


def _add_column(table: str, column: str, ddl: str) -> None:
    """ALTER TABLE ... ADD COLUMN with its constraints inline.

    Alembic refuses constraints in add_column on SQLite, and batch mode would copy the table
    (dropping its calendar triggers); inline constraints are plain SQL on both engines.
    """
    op.execute(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}")


def _add_outcome_references() -> None:
    """The two new foreign keys of `consultations`.

    SQLite cannot add a named foreign key to a table, and loses its name and ON DELETE when it is
    written inline: batch mode copies the table, which drops its calendar triggers (0005), so they
    are re-created. PostgreSQL adds both with ALTER TABLE.
    """
    import importlib

    calendar = importlib.import_module("incubator.migrations.versions.0005_calendar_versions")
    sqlite = op.get_bind().dialect.name == "sqlite"
    # The attendees' triggers name `consultations`: SQLite refuses the table swap under them.
    tables = ("consultations", "consultation_attendees")
    if sqlite:
        for statement in calendar.sqlite_trigger_statements("consultation_attendees"):
            op.execute(f"DROP TRIGGER IF EXISTS {statement.split()[2]}")
    with op.batch_alter_table("consultations") as batch_op:
        batch_op.add_column(sa.Column("topic_category_id", sa.Integer()))
        batch_op.add_column(sa.Column("outcome_by_id", sa.Integer()))
        batch_op.create_foreign_key(
            batch_op.f("fk_consultations_topic_category_id_topic_categories"),
            "topic_categories",
            ["topic_category_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_consultations_outcome_by_id_users"),
            "users",
            ["outcome_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    if sqlite:
        for table in tables:
            for statement in calendar.sqlite_trigger_statements(table):
                op.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))


def upgrade():
    _add_tables()
    op.add_column("consultation_attendees", sa.Column("attended", sa.Boolean()))
    timestamp = "TIMESTAMP WITH TIME ZONE"
    if op.get_bind().dialect.name == "sqlite":
        timestamp = "DATETIME"
    _add_column(
        "consultations",
        "duration_min",
        "SMALLINT CONSTRAINT ck_consultations_duration "
        "CHECK (duration_min IS NULL OR duration_min BETWEEN 1 AND 1440)",
    )
    _add_column("consultations", "outcome_at_dt", timestamp)
    _add_outcome_references()
    op.create_index(op.f("ix_consultations_start"), "consultations", ["start_dt"])
    op.add_column("client_profiles", sa.Column("birth_date", sa.Date()))
    for column in ESF_FIELDS:
        _add_column(
            "client_profiles",
            column,
            f"VARCHAR(16) CONSTRAINT ck_client_profiles_{column} CHECK ({_check(column)})",
        )
    _carry_over_outcomes()


def _carry_over_outcomes() -> None:
    op.execute(
        "UPDATE consultation_attendees SET attended = "
        "(SELECT CASE c.status WHEN 'attended' THEN TRUE WHEN 'no_show' THEN FALSE END "
        "FROM consultations c WHERE c.id = consultation_attendees.consultation_id)"
    )
    if op.get_bind().dialect.name == "postgresql":
        minutes = "CAST(EXTRACT(EPOCH FROM end_dt - start_dt) / 60 AS INTEGER)"
    else:
        minutes = "CAST(ROUND((julianday(end_dt) - julianday(start_dt)) * 1440) AS INTEGER)"
    op.execute(
        f"UPDATE consultations SET duration_min = {minutes}, outcome_at_dt = updated_at_dt "
        "WHERE status IN ('attended', 'no_show')"
    )


def downgrade():
    import importlib

    op.drop_index("ix_consultations_start", table_name="consultations")
    with op.batch_alter_table("client_profiles") as batch_op:
        for column in reversed(ESF_FIELDS):
            batch_op.drop_constraint(f"ck_client_profiles_{column}", type_="check")
            batch_op.drop_column(column)
        batch_op.drop_column("birth_date")
    with op.batch_alter_table("consultations") as batch_op:
        batch_op.drop_constraint("ck_consultations_duration", type_="check")
        batch_op.drop_constraint(
            "fk_consultations_topic_category_id_topic_categories", type_="foreignkey"
        )
        batch_op.drop_constraint("fk_consultations_outcome_by_id_users", type_="foreignkey")
        for column in ("outcome_by_id", "outcome_at_dt", "topic_category_id", "duration_min"):
            batch_op.drop_column(column)
    with op.batch_alter_table("consultation_attendees") as batch_op:
        batch_op.drop_column("attended")
    op.drop_table("project_participants")
    op.drop_table("project_branches")
    op.drop_table("projects")
    op.drop_table("topic_categories")
    if op.get_bind().dialect.name == "sqlite":  # the batch copies dropped the tables' triggers
        calendar = importlib.import_module("incubator.migrations.versions.0005_calendar_versions")
        for table in ("consultations", "consultation_attendees"):
            for statement in calendar.sqlite_trigger_statements(table):
                op.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))
