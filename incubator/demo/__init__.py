"""The demo data set and the reference data, loaded from the JSON files in ``seed_data/``.

* :func:`load_reference_data` upserts branches and consultation areas by ``code`` (for every
  installation; safe to re-run).
* :func:`load_demo_data` loads the reference data, the demo accounts, the experts with their
  weekly rules, the founding groups, and the generated clients and consultation history
  (:mod:`incubator.demo.history`), all in one transaction.

Every file is read and checked before anything is written. A problem raises :class:`SeedError`
whose message is one line naming the file and the problem; the session is rolled back, so a bad
file never leaves half the data behind.

Modules: ``files`` (the checked JSON reader and what each file holds), ``reference`` (branches,
areas), ``staff`` (demo logins, experts), ``groups`` (founding groups, checked against
:mod:`incubator.domain.founding`), ``people`` (names, e-mails, phones, monitoring answers),
``history`` and ``plans`` (the planner of the 2008-2011 history), ``consultations`` (its rows),
``context`` (the planner's inputs and fixed dates) and ``loader`` (the steps of loading).
"""

from __future__ import annotations

from .files import DEFAULT_SEED_DIR, SeedError
from .loader import DemoSummary, demo_data_present, load_demo_data
from .reference import ReferenceSummary, load_reference_data
from .staff import demo_accounts

__all__ = [
    "DEFAULT_SEED_DIR",
    "DemoSummary",
    "ReferenceSummary",
    "SeedError",
    "demo_accounts",
    "demo_data_present",
    "load_demo_data",
    "load_reference_data",
]
