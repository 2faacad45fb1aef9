"""The demo logins: one per role, created idempotently, refused in production."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.translation import gettext as _

from casework import roles
from sportelli.models import Desk

DEMO_PASSWORD = "demo-activitycr"  # noqa: S105 - printed on purpose; refused in production


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    role: str
    desks: tuple[str, ...] = ()
    is_admin: bool = False


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("op.casalmaggiore", roles.OPERATOR, ("casalmaggiore",)),
    DemoLogin("op.piadena", roles.OPERATOR, ("piadena-drizzona",)),
    DemoLogin("op.sangiovanni", roles.OPERATOR, ("san-giovanni-in-croce",)),
    DemoLogin("op.gussola", roles.OPERATOR, ("gussola",)),
    DemoLogin("op.multi", roles.OPERATOR, ("piadena-drizzona", "san-giovanni-in-croce")),
    DemoLogin("udp", roles.PLANNING_OFFICE),
    DemoLogin("admin", roles.ADMINISTRATOR, is_admin=True),
)


class DemoRefused(Exception):
    """Demo data or logins asked for where they must not exist (production)."""


def refuse_in_production() -> None:
    if settings.PRODUCTION:
        raise DemoRefused(
            _(
                "In produzione (PRODUCTION=true) non si creano dati né accessi dimostrativi: "
                "gli accessi demo hanno una password pubblica."
            )
        )


@transaction.atomic
def ensure_demo_logins() -> list[User]:
    """Create the demo logins that are missing and fix their role and desks (idempotent).

    A login that already exists keeps its password; a new one gets ``DEMO_PASSWORD``.
    """
    refuse_in_production()
    desks = {d.slug: d for d in Desk.objects.all()}
    groups = {g.name: g for g in Group.objects.filter(name__in={lg.role for lg in DEMO_LOGINS})}
    password_hash: str | None = None
    users = []
    for login in DEMO_LOGINS:
        user = User.objects.filter(username=login.username).first()
        if user is None:
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user = User(username=login.username, password=password_hash)
        user.is_active = True
        user.is_staff = login.is_admin
        user.is_superuser = login.is_admin
        user.save()
        user.groups.add(groups[login.role])
        for slug in login.desks:
            if slug in desks:
                desks[slug].operators.add(user)
        users.append(user)
    return users


def describe_login(login: DemoLogin) -> str:
    desks = {d.slug: d.name for d in Desk.objects.filter(slug__in=login.desks)}
    where = ", ".join(desks[s] for s in login.desks if s in desks)
    return f"{login.role} — {where}" if where else login.role
