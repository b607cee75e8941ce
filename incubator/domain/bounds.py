"""The ranges every input must fall in before it reaches a rule, a query or date arithmetic.

Defined once, so a URL segment, a query-string argument, a form field and a JSON value are held
to the same bounds: an id must fit the id columns, PostgreSQL's 32-bit ``integer`` (a larger one
makes psycopg or sqlite3 raise instead of simply finding nothing), and a date must be far from the
ends of `datetime.date`, where adding a day or converting to another time zone overflows.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from .errors import InvalidInput

MAX_ID = 2**31 - 1  # the id columns are INTEGER: 32 bits on PostgreSQL (64 on SQLite)
MAX_ID_DIGITS = len(str(MAX_ID))  # 10

# Years outside this range are certainly typos; refusing them early also keeps datetime
# arithmetic (time-zone conversion, holiday look-ups, "the next day") far from its limits.
FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2999, 12, 31)

NUL = "\x00"  # PostgreSQL text cannot hold it; SQLite would store it silently


def is_id(value: object) -> bool:
    """A record id: an int (not a bool) in 1..MAX_ID."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def parse_id(raw: str | None) -> int | None:
    """Digits naming a record id (1..MAX_ID), or None for anything else."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_ID_DIGITS:
        return None
    value = int(raw)
    return value if is_id(value) else None


def is_accepted_date(value: date | datetime) -> bool:
    """A date (or a date-time's date) within FIRST_DATE..LAST_DATE."""
    day = value.date() if isinstance(value, datetime) else value
    return FIRST_DATE <= day <= LAST_DATE


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # only YYYY-MM-DD, not 2026-W14-1


def parse_day(raw: object, field: str, *, malformed: str = "malformed") -> date:
    """A YYYY-MM-DD date within FIRST_DATE..LAST_DATE, or `InvalidInput` naming `field`
    (reason `malformed` — or the caller's word for it — or ``out_of_range``)."""
    if not isinstance(raw, str) or not _ISO_DAY.fullmatch(raw):
        raise InvalidInput(field=field, reason=malformed)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(field=field, reason=malformed) from None
    if not is_accepted_date(day):
        raise InvalidInput(field=field, reason="out_of_range")
    return day
