"""Personas shared by the whole suite (STYLE.md: an operator of Casalmaggiore, an operator
of Gussola, an Ufficio di Piano reader, an administrator, anonymous)."""

from __future__ import annotations

import pytest

from casework import roles
from tests import factories


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
