"""Personas shared by the whole suite (STYLE.md: an operator of Casalmaggiore, an operator
of Gussola, an Ufficio di Piano reader, an administrator, anonymous)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.utils import translation

from casework import roles
from tests import factories

FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """MD5 instead of PBKDF2's 1,000,000 rounds (about half a second per persona here), as
    healthchecks' test settings do. Session-wide, so module- and class-scoped fixtures that
    build users get it too. The production hasher is checked by
    tests/test_password_hashing.py; a test that needs it sets ``settings.PASSWORD_HASHERS``."""
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(scope="session", autouse=True)
def _bulk_serialized_rollback() -> Iterator[None]:
    """Restore the seeded rows with one bulk insert per table instead of a save() per row.

    ``serialized_rollback`` (the browser tests, tests/test_backup_restore.py, the concurrency
    tests) reloads ~8,000 comuni before every such test through ``deserialize_db_from_string``,
    which saves row by row (an UPDATE and an INSERT each): seconds per test on SQLite, tens of
    seconds on a busy PostgreSQL. This reloads the very same serialised rows, parsed once, with
    ``bulk_create`` (``ignore_conflicts``: rows that are still there stay as they are) and the
    many-to-many rows the same way. It restores exactly what Django's method restores, only
    faster, and also right after the flush (see below). It is in place for the whole session,
    not only in tests/browser/: a run without the browser tests (``make test-fast``, or an
    xdist worker that gets none of them) must find the seeded rows after a flush too.
    """
    from django.db.backends.base.creation import BaseDatabaseCreation
    from django.test import TransactionTestCase

    original = BaseDatabaseCreation.deserialize_db_from_string
    original_teardown = TransactionTestCase._fixture_teardown
    BaseDatabaseCreation.deserialize_db_from_string = _bulk_deserialize
    TransactionTestCase._fixture_teardown = _teardown_and_reseed(original_teardown)
    yield
    BaseDatabaseCreation.deserialize_db_from_string = original
    TransactionTestCase._fixture_teardown = original_teardown


def _teardown_and_reseed(flush):
    """After the flush that ends a serialized_rollback test, put the seeded rows back at
    once (not only when the next such test starts): the tests that run after the last
    transactional one (pytest-django runs tests without a database last, and module-scoped
    fixtures may build data then) find the desks and comuni the migrations seed."""
    from django.db import connections

    def teardown(self) -> None:
        flush(self)
        if not self.serialized_rollback:
            return
        for alias in self._databases_names(include_mirrors=False):
            connection = connections[alias]
            if hasattr(connection, "_test_serialized_contents"):
                connection.creation.deserialize_db_from_string(connection._test_serialized_contents)

    return teardown


_PARSED: dict[int, list] = {}


def _bulk_deserialize(creation, data: str) -> None:
    from django.core import serializers
    from django.db import transaction

    connection = creation.connection
    alias = connection.alias
    key = hash(data)
    if key not in _PARSED:
        _PARSED[key] = list(serializers.deserialize("json", data, using=alias))
    by_model: dict[type, list] = {}
    links: dict[type, list] = {}
    for item in _PARSED[key]:
        instance = item.object
        by_model.setdefault(type(instance), []).append(instance)
        for name, pks in (item.m2m_data or {}).items():
            field = type(instance)._meta.get_field(name)
            through = field.remote_field.through
            source, target = field.m2m_column_name(), field.m2m_reverse_name()
            links.setdefault(through, []).extend(
                through(**{source: instance.pk, target: pk}) for pk in pks
            )
    with transaction.atomic(using=alias), connection.constraint_checks_disabled():
        for model, instances in (*by_model.items(), *links.items()):
            if model._meta.parents:  # multi-table inheritance: bulk_create cannot
                for instance in instances:
                    instance.save_base(raw=True, using=alias)
            else:
                model._base_manager.using(alias).bulk_create(
                    instances, batch_size=500, ignore_conflicts=True
                )
        connection.check_constraints(table_names=[m._meta.db_table for m in (*by_model, *links)])


@pytest.fixture(autouse=True)
def _two_factor_not_required(settings):
    """Staff log in here with force_login and no authenticator device: the two-factor rule
    is off, except in tests/security/test_login_protection.py, which turns it back on."""
    settings.TWO_FACTOR_REQUIRED = False


@pytest.fixture
def op_casalmaggiore(db):
    return factories.user("op.casalmaggiore", role=roles.OPERATOR, desks=("casalmaggiore",))


@pytest.fixture
def op_gussola(db):
    return factories.user("op.gussola", role=roles.OPERATOR, desks=("gussola",))


@pytest.fixture
def udp_reader(db):
    return factories.user("udp.reader", role=roles.PLANNING_OFFICE)


@pytest.fixture
def administrator(db):
    return factories.user("admin.cons", role=roles.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def no_role_user(db):
    """Logged in, but holding no role: every protected view answers 403."""
    return factories.user("nobody")


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in English (LocaleMiddleware, a language cookie) leaves English active in
    the thread; the next test starts in the default language again."""
    yield
    translation.deactivate()
