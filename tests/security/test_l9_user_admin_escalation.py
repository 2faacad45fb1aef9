"""L9 (part) — an administrator who is not a superuser cannot raise anyone above themselves.

The Amministratore role holds ``auth.change_user`` and ``auth.change_group``; with Django's
stock ``UserAdmin`` such an administrator could tick *Superuser* on their own account, or
give themselves (directly or through a group) permissions they do not hold. Now, for
non-superusers, *Superuser* is read-only, the permissions and groups offered are only those
within the administrator's own permissions, the save checks again, and accounts that hold
more than the administrator (superusers included) cannot be changed or given a new password.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse

from casework import roles
from tests import factories

pytestmark = pytest.mark.django_db


def perm(label: str) -> Permission:
    app_label, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


# Not held by the Amministratore role (roles.py and the data migrations).
NOT_HELD = "auth.delete_permission"


@pytest.fixture
def admin_client(administrator) -> Client:
    assert not administrator.is_superuser
    assert not administrator.has_perm(NOT_HELD)
    client = Client()
    client.force_login(administrator)
    return client


@pytest.fixture
def powerful_group(db) -> Group:
    group = Group.objects.create(name="Gestione permessi")
    group.permissions.add(perm(NOT_HELD))
    return group


def change_data(user: User, **extra) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%d/%m/%Y"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "groups": [g.pk for g in user.groups.all()],
        "user_permissions": [p.pk for p in user.user_permissions.all()],
    }
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(extra)
    return data


def test_l9_a_non_superuser_cannot_make_themselves_superuser_or_grant_themselves_more(
    admin_client, administrator, powerful_group
):
    url = reverse("admin:auth_user_change", args=[administrator.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "is_superuser" not in form.fields  # shown read-only
    assert not form.fields["user_permissions"].queryset.filter(pk=perm(NOT_HELD).pk).exists()
    assert not form.fields["groups"].queryset.filter(pk=powerful_group.pk).exists()

    response = admin_client.post(
        url,
        change_data(
            administrator,
            is_superuser="on",
            user_permissions=[perm(NOT_HELD).pk],
            groups=[*(g.pk for g in administrator.groups.all()), powerful_group.pk],
        ),
    )
    assert response.status_code in (200, 302)
    administrator = User.objects.get(pk=administrator.pk)
    assert not administrator.is_superuser
    assert not administrator.has_perm(NOT_HELD)
    assert not administrator.groups.filter(pk=powerful_group.pk).exists()
    assert administrator.groups.filter(name=roles.ADMINISTRATOR).exists()


def test_l9_a_non_superuser_cannot_make_a_colleague_superuser(admin_client, op_casalmaggiore):
    url = reverse("admin:auth_user_change", args=[op_casalmaggiore.pk])
    response = admin_client.post(
        url, change_data(op_casalmaggiore, is_superuser="on", user_permissions=[perm(NOT_HELD).pk])
    )
    assert response.status_code in (200, 302)
    op_casalmaggiore.refresh_from_db()
    assert not op_casalmaggiore.is_superuser
    assert not op_casalmaggiore.user_permissions.exists()


def test_l9_the_add_form_does_not_create_a_superuser(admin_client):
    response = admin_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "nuovo.utente",
            "usable_password": "true",
            "password1": "Una-Password-Robusta-77",
            "password2": "Una-Password-Robusta-77",
            "is_superuser": "on",
            "is_staff": "on",
            "user_permissions": [perm(NOT_HELD).pk],
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="nuovo.utente")
    assert not created.is_superuser
    assert not created.user_permissions.exists()


def test_l9_what_a_colleague_holds_beyond_the_administrator_is_kept_not_dropped(
    admin_client, op_casalmaggiore, powerful_group
):
    """A colleague given more by a superuser keeps it when an administrator edits their name."""
    op_casalmaggiore.groups.add(powerful_group)
    # Holding more than the administrator, the colleague can be viewed but not changed.
    url = reverse("admin:auth_user_change", args=[op_casalmaggiore.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    password_url = reverse("admin:auth_user_password_change", args=[op_casalmaggiore.pk])
    assert admin_client.get(password_url).status_code == 403
    assert admin_client.post(url, change_data(op_casalmaggiore, first_name="X")).status_code == 403
    op_casalmaggiore.refresh_from_db()
    assert op_casalmaggiore.first_name != "X"


def test_l9_a_superuser_account_cannot_be_changed_by_a_non_superuser(admin_client):
    root = User.objects.create_superuser("root", password="Root-Password-Lunga-9")
    url = reverse("admin:auth_user_change", args=[root.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert admin_client.post(url, change_data(root, is_active="")).status_code == 403
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "Presa-Di-Controllo-1", "password2": "Presa-Di-Controllo-1"},
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password("Root-Password-Lunga-9")
    assert (
        admin_client.post(
            reverse("admin:auth_user_delete", args=[root.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert User.objects.filter(pk=root.pk).exists()


def test_l9_a_non_superuser_cannot_add_permissions_they_lack_to_a_group(
    admin_client, administrator
):
    group = Group.objects.get(name=roles.ADMINISTRATOR)
    held = list(group.permissions.values_list("pk", flat=True))
    response = admin_client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": group.name, "permissions": [*held, perm(NOT_HELD).pk]},
    )
    assert response.status_code in (200, 302)
    assert not group.permissions.filter(pk=perm(NOT_HELD).pk).exists()
    administrator = User.objects.get(pk=administrator.pk)
    assert not administrator.has_perm(NOT_HELD)
    assert group.permissions.count() == len(held)


def test_l9_a_superuser_still_can(client):
    root = User.objects.create_superuser("root", password="Root-Password-Lunga-9")
    target = factories.user("futuro.root")
    client.force_login(root)
    response = client.post(
        reverse("admin:auth_user_change", args=[target.pk]),
        change_data(target, is_superuser="on", user_permissions=[perm(NOT_HELD).pk]),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_superuser and target.user_permissions.filter(pk=perm(NOT_HELD).pk).exists()
