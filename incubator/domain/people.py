"""What a person's details must look like: names, phone numbers, languages, e-mail addresses.

Pure functions over strings; they raise `InvalidInput` / `InvalidEmail` and never touch storage.

E-mail addresses are checked in two halves. The syntax check proper (RFC 5321/5322, international
domain names) is the `email-validator` library, a third-party package the domain may not import,
so it runs in `services.accounts.normalise_email`. What is ours, stripping blanks, refusing an
empty address and lower-casing the checked result, is here: `email_candidate` before the library,
`fold_email` after it.
"""

from __future__ import annotations

from .accounts import InvalidEmail
from .errors import InvalidInput

LANGUAGES = ("pl", "en")
# How a person was given the information clause (RODO art. 13), with `users.consent_dt` = when:
# on the page (ticked at self-registration) or read out by staff on the phone.
INFORMED_ON_PAGE = "page"
INFORMED_BY_PHONE = "phone"
INFORMED_VIA = (INFORMED_ON_PAGE, INFORMED_BY_PHONE)
NAME_MAX_LENGTH = 160
PHONE_MAX_LENGTH = 40
POLISH_PREFIX = "48"


def clean_name(full_name: str | None) -> str:
    """A full name with its blanks collapsed; required and at most 160 characters."""
    name = " ".join((full_name or "").split())
    if not name:
        raise InvalidInput("full name is required")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput("full name is too long")
    return name


def clean_phone(phone: str | None) -> str:
    """A phone number as written, blanks collapsed; may be empty, at most 40 characters."""
    phone = " ".join((phone or "").split())
    if len(phone) > PHONE_MAX_LENGTH:
        raise InvalidInput("phone number is too long")
    return phone


def phone_digits(phone: str | None) -> str:
    """Only the digits of a phone number (or of a search query)."""
    return "".join(ch for ch in phone or "" if ch.isdigit())


def local_phone_digits(phone: str | None) -> str:
    """The digits without the Polish country code: "+48 600 100 200" -> "600100200"."""
    digits = phone_digits(phone)
    if digits.startswith(POLISH_PREFIX) and len(digits) == 11:
        return digits[len(POLISH_PREFIX) :]
    return digits


def clean_language(language: str) -> str:
    """A language the application speaks ("pl", "en")."""
    if language not in LANGUAGES:
        raise InvalidInput(f"unknown language {language!r}")
    return language


def email_candidate(raw: str | None) -> str:
    """The address to check, blanks stripped; an empty one is refused."""
    candidate = (raw or "").strip()
    if not candidate:
        raise InvalidEmail("empty e-mail address")
    return candidate


def fold_email(checked: str) -> str:
    """Lower-case a checked address, so one person cannot get two accounts.

    The whole address is lower-cased: mailbox names are case-sensitive in theory, but no mail
    server people use treats them so.
    """
    return checked.lower()


MASK = "•"


def mask_phone(phone: str | None, *, shown: int = 3) -> str:
    """A phone number with all but its last `shown` digits hidden ("600 100 200" -> "••• ••• 200"):
    enough to tell two people apart on the phone, not enough to call them."""
    phone = phone or ""
    total = len(phone_digits(phone))
    seen = 0
    out = []
    for ch in phone:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > total - shown else MASK)
        else:
            out.append(ch)
    return "".join(out)


def mask_email(email: str | None) -> str:
    """An address with its mailbox hidden but for the first letter ("m•••@example.org")."""
    if not email:
        return ""
    mailbox, at, domain = email.partition("@")
    return f"{mailbox[:1]}{MASK * 3}{at}{domain}" if at else MASK * 3
