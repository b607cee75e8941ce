"""The refusals only accounts make: registration, log-in, passwords and their link tokens.

Each has a stable `code` (the keys of the tables in `incubator.web.common.errors`, and what the API
and the command line report); nothing here knows about HTTP or wording.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import DomainError, NotAllowed


class AccountError(DomainError):
    """Base of the refusals only accounts make; `code` is stable and safe to show in an API."""

    code = "account_error"


class InvalidEmail(AccountError):
    code = "invalid_email"


class DuplicateEmail(AccountError):
    code = "duplicate_email"


class WeakPassword(AccountError):
    """The password breaks the policy; `problems` holds codes from `domain.passwords`."""

    code = "weak_password"

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(", ".join(problems), field="password", problems=list(problems))
        self.problems = list(problems)


class ConsentRequired(AccountError):
    code = "consent_required"


class CannotDeactivateSelf(NotAllowed):
    code = "cannot_deactivate_self"


class WrongPassword(AccountError):
    """The current password given to change it is wrong."""

    code = "wrong_password"


class AuthError(AccountError):
    code = "auth_failed"


class InvalidCredentials(AuthError):
    """Unknown e-mail or wrong password: deliberately the same error for both."""

    code = "invalid_credentials"


class AccountInactive(AuthError):
    code = "account_inactive"


class NoPassword(AuthError):
    """The account exists but has no password yet (entered by staff, or invited)."""

    code = "no_password"


class TokenError(AccountError):
    code = "token_invalid"


class TokenInvalid(TokenError):
    code = "token_invalid"


class TokenUsed(TokenInvalid):
    """The token was valid, but the password has changed since it was issued."""

    code = "token_used"


class TokenExpired(TokenError):
    code = "token_expired"
