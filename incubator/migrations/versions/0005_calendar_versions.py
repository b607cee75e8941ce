"""calendar versions per expert: independent writers, pushed invalidation

Replaces the single `calendar_state` counter of 0003. That one row was raised by every write to
ten tables, so on PostgreSQL every write transaction queued on its lock, and any change anywhere
emptied every cached listing. Now:

* `calendar_versions` holds one row per calendar: an expert's id, or 0 for the directory (who
  gives which area at which office: expert profiles, their areas and offices, offices, areas, a
  user's role or active flag, an expert's name). A listing is keyed by the directory's version and the versions
  of the experts it covers (services/slot_cache.py).
* Row triggers raise only the calendars whose free time changed: a consultation's expert, times,
  buffer or status (not its notes, topic or outcome), an attendee added or removed, an expert's
  rules and exceptions. Writers for different experts touch different rows and do not queue.
* On PostgreSQL each raise also sends ``pg_notify('incubator_calendar', '<id>:<version>')``,
  delivered at commit; every worker listens on a connection of its own and updates its copy of
  the versions, so a cache hit needs no query at all. SQLite has no NOTIFY: a worker there reads
  ``PRAGMA data_version`` (no I/O) per request and re-reads this small table when it moved.

Note for future migrations: on SQLite, `batch_alter_table` recreates a table and drops its
triggers; re-create them (see TRIGGERS below) after any batch operation on those tables.
tests/integration/test_calendar_versions.py fails if a trigger is missing.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CHANNEL = "incubator_calendar"
DIRECTORY = 0

# table -> (how a row names its calendar, the columns whose change alters free time; None = all)
# "expert:<column>": that column holds the expert's id; "directory": calendar 0;
# "consultation:<column>": the expert of the consultation that column points to.
TRIGGERS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "consultations": ("expert:expert_id", ("expert_id", "start_dt", "end_dt", "buffer_min", "status")),
    "consultation_attendees": ("consultation:consultation_id", ("consultation_id", "user_id")),
    "availability_rules": ("expert:expert_id", None),
    "availability_exceptions": ("expert:expert_id", None),
    "expert_profiles": ("directory", None),
    "expert_domains": ("directory", None),
    "expert_branches": ("directory", None),
    "branches": ("directory", None),
    "domains": ("directory", None),
    "users": ("directory", ("active", "role")),
}
# A new user is not yet anybody's calendar (an expert needs a profile, areas and offices first):
# only a change of role or active flag matters, so creating client accounts never queues here.
UPDATE_ONLY = {"users"}

OLD_TRIGGERED = {
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


def _calendar_sql(how: str, row: str) -> str:
    """The SQL expression for the calendar id a row (NEW or OLD) belongs to."""
    if how == "directory":
        return str(DIRECTORY)
    kind, column = how.split(":")
    if kind == "expert":
        return f"{row}.{column}"
    return f"(SELECT expert_id FROM consultations WHERE id = {row}.{column})"


# Extra conditions under which an update counts: an expert's name is shown next to their slots.
EXTRA_WHEN = {"users": "(NEW.role = 'expert' AND OLD.full_name IS DISTINCT FROM NEW.full_name)"}


def _changed(table: str, columns: tuple[str, ...] | None) -> str:
    if columns is None:
        return ""
    conditions = [f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns]
    if table in EXTRA_WHEN:
        conditions.append(EXTRA_WHEN[table])
    return " OR ".join(conditions)


def _create_postgresql() -> None:
    op.execute(
        f"""
        CREATE FUNCTION bump_calendar(calendar bigint) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE raised bigint;
        BEGIN
            IF calendar IS NULL THEN RETURN; END IF;
            INSERT INTO calendar_versions AS c (id, version) VALUES (calendar, 1)
                ON CONFLICT (id) DO UPDATE SET version = c.version + 1
                RETURNING c.version INTO raised;
            PERFORM pg_notify('{CHANNEL}', calendar || ':' || raised);
        END $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION bump_directory_calendar() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM bump_calendar({DIRECTORY}); RETURN NULL; END $$
        """
    )
    for table, (how, columns) in TRIGGERS.items():
        function = f"calendar_{table}_changed"
        new, old = _calendar_sql(how, "NEW"), _calendar_sql(how, "OLD")
        op.execute(
            f"""
            CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE before_id bigint; after_id bigint;
            BEGIN
                IF TG_OP <> 'INSERT' THEN before_id := {old}; END IF;
                IF TG_OP <> 'DELETE' THEN after_id := {new}; END IF;
                PERFORM bump_calendar(after_id);
                IF before_id IS DISTINCT FROM after_id THEN PERFORM bump_calendar(before_id); END IF;
                RETURN NULL;
            END $$
            """
        )
        when = f" WHEN ({_changed(table, columns)})" if columns else ""
        if table not in UPDATE_ONLY:
            op.execute(
                f"CREATE TRIGGER trg_{table}_calendar_write AFTER INSERT OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}()"
            )
        op.execute(
            f"CREATE TRIGGER trg_{table}_calendar_update AFTER UPDATE ON {table} "
            f"FOR EACH ROW{when} EXECUTE FUNCTION {function}()"
        )
        # TRUNCATE has no rows to name: raise the directory, which every listing's key holds.
        op.execute(
            f"CREATE TRIGGER trg_{table}_calendar_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_calendar()"
        )


def _sqlite_bump(calendar: str) -> str:
    return (
        f"INSERT OR IGNORE INTO calendar_versions (id, version) "
        f"SELECT {calendar}, 0 WHERE {calendar} IS NOT NULL; "
        f"UPDATE calendar_versions SET version = version + 1 WHERE id = {calendar};"
    )


def sqlite_trigger_statements(table: str) -> list[str]:
    """The SQLite triggers of one table (also used by migrations that rebuild a table)."""
    how, columns = TRIGGERS[table]
    new, old = _calendar_sql(how, "NEW"), _calendar_sql(how, "OLD")
    when = f" WHEN {_changed(table, columns)}" if columns else ""
    update_body = _sqlite_bump(new)
    if how != "directory":
        update_body += " " + _sqlite_bump(f"(CASE WHEN {old} IS NOT {new} THEN {old} END)")
    update = (
        f"CREATE TRIGGER trg_{table}_calendar_update AFTER UPDATE ON {table}{when} "
        f"BEGIN {update_body} END"
    )
    if table in UPDATE_ONLY:
        return [update]
    return [
        f"CREATE TRIGGER trg_{table}_calendar_insert AFTER INSERT ON {table} "
        f"BEGIN {_sqlite_bump(new)} END",
        f"CREATE TRIGGER trg_{table}_calendar_delete AFTER DELETE ON {table} "
        f"BEGIN {_sqlite_bump(old)} END",
        update,
    ]


def _drop_old() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in OLD_TRIGGERED:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_calendar ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_calendar_version()")
    else:
        for table in OLD_TRIGGERED:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_{event}_calendar")
    op.drop_table("calendar_state")


def upgrade():
    _drop_old()
    op.create_table(
        "calendar_versions",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_versions")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _create_postgresql()
    else:
        for table in TRIGGERS:
            for statement in sqlite_trigger_statements(table):
                op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TRIGGERS:
            for suffix in ("write", "update", "truncate"):
                op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_calendar_{suffix} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS calendar_{table}_changed()")
        op.execute("DROP FUNCTION IF EXISTS bump_directory_calendar()")
        op.execute("DROP FUNCTION IF EXISTS bump_calendar(bigint)")
    else:
        for table in TRIGGERS:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_calendar_{event}")
    op.drop_table("calendar_versions")
    op.create_table(
        "calendar_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_calendar_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_state")),
    )
    op.execute("INSERT INTO calendar_state (id, version) VALUES (1, 0)")
    bump = "UPDATE calendar_state SET version = version + 1 WHERE id = 1"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_calendar_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {bump}; RETURN NULL; END $$"
        )
        for table, columns in OLD_TRIGGERED.items():
            op.execute(
                f"CREATE TRIGGER trg_{table}_calendar AFTER INSERT OR DELETE OR TRUNCATE "
                f"OR UPDATE{columns} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_calendar_version()"
            )
    else:
        for table, columns in OLD_TRIGGERED.items():
            for event in ("INSERT", "DELETE", f"UPDATE{columns}"):
                name = f"trg_{table}_{event.split()[0].lower()}_calendar"
                op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {bump}; END")
