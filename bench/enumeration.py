"""Enumeration timing: do the log-in, reset and registration forms answer in the same time
whether an account exists or not? Prints medians and ratios (a script, not a test).

    .venv/bin/python bench/enumeration.py [--runs N] [--database-url URL]

In-process through Flask's test client, with the production password hash (scrypt), the real
migrations, a fresh SQLite file (or an empty database given by URL), the rate limits off and
e-mails written to a temporary outbox. Only the time until the answer is measured: e-mails that
go out after the response (reset links, the "someone tried to register" notice) are sent when
the response is closed, outside the measurement, as a WSGI server does after sending the body.
Cases alternate run by run, so a slow moment of the machine hits all of them alike.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incubator import create_app  # noqa: E402
from incubator.clock import utcnow  # noqa: E402
from incubator.config import TestConfig  # noqa: E402
from incubator.extensions import db  # noqa: E402
from incubator.services import accounts  # noqa: E402

PASSWORD = "lipowa aleja 42 w maju"


def build_app(database_url: str, folder: Path):
    class _Bench(TestConfig):
        DATABASE_URL = database_url
        PASSWORD_HASH_METHOD = "scrypt"  # the production default, not the tests' fast hash
        MAIL_OUTBOX = str(folder / "outbox")

    app = create_app(_Bench)
    app.instance_path = str(folder)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        policy = accounts.PasswordPolicy.from_config(app.config)
        now = utcnow()
        for email, password, active in [
            ("jest@example.org", PASSWORD, True),
            ("telefon@example.org", None, True),
            ("spi@example.org", PASSWORD, False),
        ]:
            user = accounts.create_account(
                db.session,
                actor=None,
                role="client",
                email=email,
                full_name="Anna Nowak",
                password=password,
                policy=policy,
                now=now,
            )
            if not active:
                user.active = False
                db.session.commit()
        db.session.remove()
    return app


def timed(client, url: str, data: dict) -> float:
    start = time.perf_counter()
    response = client.post(url, data=data)
    elapsed = time.perf_counter() - start
    response.close()  # runs what is left for after the response (e-mails), untimed
    assert response.status_code in (200, 302), (url, data, response.status_code)
    return elapsed


def measure(cases: dict[str, Callable[[int], float]], runs: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in cases}
    for run in range(runs):
        for name, case in cases.items():
            times[name].append(case(run))
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def report(title: str, medians: dict[str, float]) -> None:
    reference = next(iter(medians.values()))
    print(f"\n{title} (median ms; ratio to the first line)")
    for name, value in medians.items():
        print(f"  {name:<40} {value:8.1f}   {value / reference:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = build_app(url, Path(folder))
        client = app.test_client()

        def login(email: str) -> Callable[[int], float]:
            return lambda run: timed(
                client, "/konto/logowanie", {"email": email, "password": "x" * 12}
            )

        def reset(email: str) -> Callable[[int], float]:
            return lambda run: timed(client, "/konto/reset", {"email": email})

        def register(email: Callable[[int], str]) -> Callable[[int], float]:
            # A new browser each time: a registration that logged in would skip the next.
            return lambda run: timed(
                app.test_client(),
                "/konto/rejestracja",
                {
                    "full_name": "Anna Nowak",
                    "email": email(run),
                    "password": PASSWORD,
                    "password_confirm": PASSWORD,
                    "preferred_language": "pl",
                    "consent": "y",
                },
            )

        print(f"{args.runs} runs per case, database {url.split(':')[0]}, hash scrypt")
        report(
            "Log-in failures",
            measure(
                {
                    "wrong password (known address)": login("jest@example.org"),
                    "account without a password": login("telefon@example.org"),
                    "unknown address": login("nikt@example.org"),
                },
                args.runs,
            ),
        )
        report(
            "Password reset request",
            measure(
                {
                    "known, active address": reset("jest@example.org"),
                    "inactive account": reset("spi@example.org"),
                    "unknown address": reset("nikt@example.org"),
                },
                args.runs,
            ),
        )
        report(
            "Registration",
            measure(
                {
                    "new address": register(lambda run: f"nowy{run}@example.org"),
                    "address with an account": register(lambda run: "jest@example.org"),
                },
                args.runs,
            ),
        )
        outbox = Path(folder) / "outbox"
        print(f"\ne-mails written after the responses: {len(list(outbox.glob('*.eml')))}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
