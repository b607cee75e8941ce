"""The refusals about a person's data (issue #15: export, erasure, retention), for the tables in
`errors`."""

from __future__ import annotations

from .record_errors import Message

PERSON_STATUS: dict[str, int] = {}

PERSON_MESSAGES: dict[str, Message] = {}
