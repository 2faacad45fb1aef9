"""The privacy notice and its acknowledgement moved from ``privacy`` to ``casework``
(issue 9: casework no longer imports privacy). The move renames their content types, so on
an existing database the permissions, the roles' grants of them and every log entry keep
pointing at the same rows; and it can be undone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from casework import roles
from casework.models import PrivacyAcknowledgement, PrivacyNotice
from casework.services import record_acknowledgement
from tests import factories
from tests.migrations import migrate as _migrate

MODELS = ("privacynotice", "privacyacknowledgement")


def _content_types(app_label: str) -> dict[str, int]:
    return dict(
        ContentType.objects.filter(app_label=app_label, model__in=MODELS).values_list("model", "pk")
    )


def _grants(content_type_ids: list[int]) -> dict[str, list[str]]:
    return {
        group.name: sorted(
            group.permissions.filter(content_type_id__in=content_type_ids).values_list(
                "codename", flat=True
            )
        )
        for group in Group.objects.order_by("name")
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_move_keeps_content_types_permissions_and_grants_and_can_be_undone(
    op_casalmaggiore, administrator
):
    person = factories.person(privacy_ack_on=None)
    ack = record_acknowledgement(
        person=person,
        notice=None,
        operator=op_casalmaggiore,
        channel="presenza",
        on=dt.date(2024, 3, 1),
    )
    moved = _content_types("casework")
    assert set(moved) == set(MODELS) and not _content_types("privacy")
    permissions = set(Permission.objects.filter(content_type_id__in=moved.values()))
    grants = _grants(list(moved.values()))
    assert "handle_data_requests" in grants[roles.ADMINISTRATOR]
    assert "add_privacyacknowledgement" in grants[roles.OPERATOR]

    _migrate(("privacy", "0002_seed_notice_and_permissions"))  # as before the move
    assert _content_types("privacy") == moved and not _content_types("casework")
    assert (
        type(administrator)
        .objects.get(pk=administrator.pk)
        .has_perm("privacy.handle_data_requests")
    )

    _migrate()  # and forward again
    assert _content_types("casework") == moved and not _content_types("privacy")
    assert set(Permission.objects.filter(content_type_id__in=moved.values())) == permissions
    assert _grants(list(moved.values())) == grants
    admin = type(administrator).objects.get(pk=administrator.pk)
    assert admin.has_perm("casework.handle_data_requests")
    assert PrivacyAcknowledgement.objects.get(pk=ack.pk).notice == PrivacyNotice.objects.current(
        dt.date(2024, 3, 1)
    )
