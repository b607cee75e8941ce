"""founding groups reshaped: history as the source of dates, paths per legal form, members

- `founding_groups`: a guardian (expert or manager), the register (`krs` / `ewidencja`) and an
  ewidencja number; the per-stage date columns are dropped (the history holds the dates); the
  stages of every form's path (`founding_act`, `application_to_starosta`).
- `founding_group_stages`: each change records kind (stage or legal form), from, to, the day it
  happened (`on_date`), who, when, a note and a manager's override reason. Existing rows keep
  their stage as `to_value`; their day comes from the dropped date columns where one matches,
  else from when they were recorded; `from_value` is the row before.
- `founding_group_members`: kind (natural / legal), a name for a person without an account, a
  legal person's type, KRS and NIP, and the at-risk *category* instead of a yes/no flag. An old
  "no" becomes `none` (not at risk); an old "yes" becomes NULL (not recorded): the category was
  never asked, and guessing one would misstate the 50 % rule.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

STAGES = (
    "formed", "training", "statute_drafted", "founding_meeting_held", "founding_act",
    "application_filed", "application_to_starosta", "registered", "abandoned",
)  # fmt: skip
OLD_STAGES = (
    "formed", "training", "statute_drafted", "founding_meeting_held", "application_filed",
    "registered", "abandoned",
)  # fmt: skip
DATE_OF = {
    "formed": "formed_date",
    "founding_meeting_held": "founding_meeting_date",
    "application_filed": "application_filed_date",
    "registered": "registered_date",
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _history_days(bind) -> None:
    """Fill on_date and from_value of the existing history rows (a small table)."""
    rows = bind.execute(
        sa.text(
            "SELECT s.id, s.group_id, s.to_value, s.changed_at_dt, g.formed_date, "
            "g.founding_meeting_date, g.application_filed_date, g.registered_date "
            "FROM founding_group_stages s JOIN founding_groups g ON g.id = s.group_id "
            "ORDER BY s.group_id, s.changed_at_dt, s.id"
        )
    ).fetchall()
    previous: dict[int, str] = {}
    for row in rows:
        columns = dict(zip(("formed_date", "founding_meeting_date", "application_filed_date",
                            "registered_date"), row[4:], strict=True))  # fmt: skip
        day = columns.get(DATE_OF.get(row.to_value, ""))
        if day is None:
            recorded = row.changed_at_dt
            day = recorded.date() if hasattr(recorded, "date") else str(recorded)[:10]
        bind.execute(
            sa.text("UPDATE founding_group_stages SET on_date = :d, from_value = :f WHERE id = :i"),
            {"d": day, "f": previous.get(row.group_id), "i": row.id},
        )
        previous[row.group_id] = row.to_value


def upgrade():
    with op.batch_alter_table("founding_group_stages") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_founding_group_stages_stage"), type_="check")
        batch_op.alter_column("stage", new_column_name="to_value", existing_type=sa.String(32))
        batch_op.add_column(
            sa.Column("kind", sa.String(16), server_default="stage", nullable=False)
        )
        batch_op.add_column(sa.Column("from_value", sa.String(32), nullable=True))
        batch_op.add_column(sa.Column("on_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("override_reason", sa.String(1000), server_default="", nullable=False)
        )
        batch_op.create_check_constraint("kind", "kind IN ('stage', 'legal_form')")
    _history_days(op.get_bind())
    with op.batch_alter_table("founding_group_stages") as batch_op:
        batch_op.alter_column("on_date", existing_type=sa.Date(), nullable=False)

    with op.batch_alter_table("founding_groups") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_founding_groups_registered_has_date"), type_="check"
        )
        batch_op.drop_constraint(batch_op.f("ck_founding_groups_stage"), type_="check")
        for column in DATE_OF.values():
            batch_op.drop_column(column)
        batch_op.add_column(sa.Column("guardian_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("register", sa.String(16), nullable=True))
        batch_op.add_column(sa.Column("ewidencja_number", sa.String(40), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_founding_groups_guardian_id_users"), "users", ["guardian_id"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip
        batch_op.create_index(batch_op.f("ix_founding_groups_guardian_id"), ["guardian_id"])
        batch_op.create_check_constraint("stage", _in("stage", STAGES))
        batch_op.create_check_constraint(
            "register", "register IS NULL OR register IN ('krs', 'ewidencja')"
        )
        batch_op.create_check_constraint(
            "registered_has_number",
            "stage <> 'registered' OR krs IS NOT NULL OR ewidencja_number IS NOT NULL",
        )

    with op.batch_alter_table("founding_group_members") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(16), server_default="natural",
                                      nullable=False))  # fmt: skip
        batch_op.add_column(sa.Column("full_name", sa.String(160), nullable=True))
        batch_op.add_column(sa.Column("legal_type", sa.String(20), nullable=True))
        batch_op.add_column(sa.Column("krs", sa.String(10), nullable=True))
        batch_op.add_column(sa.Column("nip", sa.String(10), nullable=True))
        batch_op.add_column(sa.Column("at_risk_category", sa.String(40), nullable=True))
    op.execute(
        "UPDATE founding_group_members SET kind = 'legal' WHERE legal_person_name IS NOT NULL"
    )
    op.execute("UPDATE founding_group_members SET at_risk_category = 'none' WHERE at_risk = FALSE")
    with op.batch_alter_table("founding_group_members") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_founding_group_members_natural_or_legal"), type_="check"
        )
        batch_op.drop_column("at_risk")
        batch_op.create_check_constraint("kind", "kind IN ('natural', 'legal')")
        batch_op.create_check_constraint(
            "natural_or_legal",
            "(kind = 'natural' AND legal_person_name IS NULL "
            "AND (user_id IS NOT NULL OR full_name IS NOT NULL)) OR "
            "(kind = 'legal' AND legal_person_name IS NOT NULL AND user_id IS NULL)",
        )
        batch_op.create_check_constraint(
            "legal_type",
            "legal_type IS NULL OR legal_type IN ('ngo', 'local_government', 'church', 'other')",
        )
        batch_op.create_check_constraint(
            "dates", "left_date IS NULL OR joined_date IS NULL OR left_date >= joined_date"
        )


def downgrade():
    with op.batch_alter_table("founding_group_members") as batch_op:
        for name in ("dates", "legal_type", "natural_or_legal", "kind"):
            batch_op.drop_constraint(batch_op.f(f"ck_founding_group_members_{name}"), type_="check")
        batch_op.add_column(sa.Column("at_risk", sa.Boolean(), nullable=True))
    op.execute(
        "UPDATE founding_group_members SET at_risk = CASE WHEN at_risk_category = 'none' "
        "THEN FALSE WHEN at_risk_category IS NOT NULL THEN TRUE END"
    )
    op.execute("DELETE FROM founding_group_members WHERE kind = 'natural' AND user_id IS NULL")
    with op.batch_alter_table("founding_group_members") as batch_op:
        for column in ("at_risk_category", "nip", "krs", "legal_type", "full_name", "kind"):
            batch_op.drop_column(column)
        batch_op.create_check_constraint(
            "natural_or_legal",
            "(user_id IS NOT NULL AND legal_person_name IS NULL) OR "
            "(user_id IS NULL AND legal_person_name IS NOT NULL)",
        )
    with op.batch_alter_table("founding_groups") as batch_op:
        for name in ("registered_has_number", "register", "stage"):
            batch_op.drop_constraint(batch_op.f(f"ck_founding_groups_{name}"), type_="check")
        batch_op.drop_index(batch_op.f("ix_founding_groups_guardian_id"))
        batch_op.drop_constraint(batch_op.f("fk_founding_groups_guardian_id_users"),
                                 type_="foreignkey")  # fmt: skip
        for column in ("ewidencja_number", "register", "guardian_id"):
            batch_op.drop_column(column)
        for column in DATE_OF.values():
            batch_op.add_column(sa.Column(column, sa.Date(), nullable=True))
        batch_op.create_check_constraint("stage", _in("stage", OLD_STAGES))
    for stage, column in DATE_OF.items():
        op.execute(
            f"UPDATE founding_groups SET {column} = (SELECT MAX(s.on_date) FROM "
            "founding_group_stages s WHERE s.group_id = founding_groups.id AND "
            f"s.kind = 'stage' AND s.to_value = '{stage}')"
        )
    op.execute("DELETE FROM founding_group_stages WHERE kind <> 'stage'")
    with op.batch_alter_table("founding_groups") as batch_op:
        batch_op.create_check_constraint(
            "registered_has_date", "stage <> 'registered' OR (registered_date IS NOT NULL)"
        )
    with op.batch_alter_table("founding_group_stages") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_founding_group_stages_kind"), type_="check")
        for column in ("override_reason", "on_date", "from_value", "kind"):
            batch_op.drop_column(column)
        batch_op.alter_column("to_value", new_column_name="stage", existing_type=sa.String(32))
        batch_op.create_check_constraint("stage", _in("stage", OLD_STAGES))
