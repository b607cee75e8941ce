"""Options of selects several pages share."""

from __future__ import annotations

from ...extensions import db
from ...services import directory
from .fields import choice


def branch_choices() -> list:
    """The offices, each followed by its filie (indented)."""
    options = []
    for top in directory.branch_tree(db.session):
        options.append(choice(top.id, top.name))
        options.extend(choice(c.id, f"— {c.name}") for c in top.children if c.active)
    return options
