"""Synthetic demo data and the demo logins (``manage.py demo_data``).

Realistic, reproducible from a seed, and fast enough for the benchmarks: one million
meetings in a few minutes. People are generated in chronological chunks; each chunk is
written with one multi-row statement per table (``executemany`` on SQLite, ``COPY`` on
PostgreSQL) inside one transaction, with ids assigned here so that meetings, their
activities and referrals can point at rows that are not yet read back. The database's
constraints and guard triggers still check every row.

What reports group by is computed by the models' own code, never re-implemented here:
``Intake.take_snapshot`` for the intake snapshot and ``Person.build_search_key`` for the
search column, both called on a light record (the same attribute names) instead of a model
instance, because building a million model instances would cost more than the inserts.
Codici fiscali come from the library's encoders, as in ``casework.fiscal_code.encode``,
with the surname, name and birth-date parts cached.
"""

from devtools.demo.generator import DemoResult, flush, generate
from devtools.demo.logins import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DemoLogin,
    DemoRefused,
    describe_login,
    ensure_demo_logins,
    refuse_in_production,
)
from devtools.demo.reference import ASSUMED_OPENING

__all__ = [
    "ASSUMED_OPENING",
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DemoLogin",
    "DemoRefused",
    "DemoResult",
    "describe_login",
    "ensure_demo_logins",
    "flush",
    "generate",
    "refuse_in_production",
]
