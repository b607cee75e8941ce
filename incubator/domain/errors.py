"""One base for every refusal the application makes, and the refusals every area shares.

A refusal is an exception with a stable ``code`` (what API clients branch on and what the web
layer looks up), the input ``field`` it concerns, if any, and the ``params`` a message needs. What
HTTP status and which sentence in which language a code becomes is decided in one place only, the
tables in `incubator.web.common.errors`; nothing below the web layer knows about HTTP.

Each area subclasses `DomainError` next to its rules (`booking_rules`, `availability_rules`,
`accounts`); a code names one kind of refusal across the whole application.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every refusal: a stable `code`, the `field` it concerns and message `params`."""

    code: ClassVar[str] = "error"
    field: str | None = None

    def __init__(self, message: str = "", *, field: str | None = None, **params: Any) -> None:
        super().__init__(message or self.code)
        if field is not None:
            self.field = field
        self.params: dict[str, Any] = params
        if self.field is not None:
            self.params.setdefault("field", self.field)


class InvalidInput(DomainError):
    """A value that is missing, malformed or out of range; `field` names it."""

    code = "invalid_input"


class NotFound(DomainError):
    """No such record, or one the user may not see (so ids cannot be probed)."""

    code = "not_found"


class NotAllowed(DomainError):
    """The user may not do this; `reason` says why when a message depends on it."""

    code = "forbidden"


class InThePast(DomainError):
    code = "in_the_past"


class UnknownBranch(DomainError):
    """No such active office."""

    code = "unknown_branch"


class UnknownExpert(DomainError):
    """No such active expert (or not one giving this area at this office)."""

    code = "unknown_expert"


class Busy(DomainError):
    """The database stayed locked longer than the busy timeout: try again in a moment."""

    code = "busy"


class DatabaseUnavailable(Busy):
    """The connection to the database broke during a write: nothing was saved, try again.

    The server rolls back whatever a transaction had sent when its connection ends, so the whole
    unit of work is gone (`incubator.services.transactions.write` raises this).
    """

    code = "database_unavailable"
