"""The privacy notice and its acknowledgement at intake (issue 5, GDPR tooling)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework import roles
from casework.choices import AckChannel
from casework.models import PrivacyAcknowledgement, PrivacyNotice
from casework.services import record_acknowledgement
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_current_notice_is_seeded_by_migration():
    notice = PrivacyNotice.objects.current()
    assert notice is not None
    assert notice.version == "1.0"
    assert "Con.Ca.S.S." in notice.text
    assert notice.valid_from == dt.date(2021, 1, 28)
    assert PrivacyNotice.objects.current(dt.date(2020, 12, 31)) is None


def test_recording_an_acknowledgement_keeps_the_person_in_sync(op_casalmaggiore):
    person = factories.person()
    assert person.privacy_ack_on is None
    ack = record_acknowledgement(
        person=person,
        notice=None,
        operator=op_casalmaggiore,
        channel=AckChannel.PHONE,
        on=dt.date(2021, 3, 1),
    )
    assert ack.notice.version == "1.0"
    assert ack.operator == op_casalmaggiore
    assert ack.get_channel_display() == "Telefono"
    person.refresh_from_db()
    assert person.privacy_ack_on == dt.date(2021, 3, 1)


def test_a_second_intake_under_the_same_notice_does_not_duplicate(op_casalmaggiore, op_gussola):
    person = factories.person()
    first = record_acknowledgement(
        person=person,
        notice=None,
        operator=op_casalmaggiore,
        channel="presenza",
        on=dt.date(2021, 3, 1),
    )
    again = record_acknowledgement(
        person=person, notice=None, operator=op_gussola, channel="video", on=dt.date(2021, 5, 2)
    )
    assert again.pk == first.pk
    assert PrivacyAcknowledgement.objects.filter(person=person).count() == 1


def test_a_new_notice_version_is_acknowledged_again_and_the_date_moves_forward(op_gussola):
    person = factories.person()
    record_acknowledgement(
        person=person,
        notice=None,
        operator=op_gussola,
        channel="presenza",
        on=dt.date(2021, 4, 20),
    )
    v2 = PrivacyNotice.objects.create(
        version="2.0", text="Nuovo testo", valid_from=dt.date(2024, 1, 1)
    )
    assert PrivacyNotice.objects.current(dt.date(2024, 6, 1)) == v2
    ack = record_acknowledgement(
        person=person, notice=None, operator=op_gussola, channel="email", on=dt.date(2024, 6, 1)
    )
    assert ack.notice == v2
    person.refresh_from_db()
    assert person.privacy_ack_on == dt.date(2024, 6, 1)
    # An older acknowledgement recorded late does not move the date back.
    v0 = PrivacyNotice.objects.create(version="0.9", text="Bozza", valid_from=dt.date(2021, 1, 1))
    record_acknowledgement(
        person=person, notice=v0, operator=op_gussola, channel="email", on=dt.date(2021, 2, 1)
    )
    person.refresh_from_db()
    assert person.privacy_ack_on == dt.date(2024, 6, 1)


@pytest.mark.parametrize(
    ("on", "channel", "field", "message"),
    [
        ("future", "presenza", "acknowledged_on", "futuro"),
        (dt.date(2020, 5, 1), "presenza", "notice", "Nessuna informativa"),
        (dt.date(2021, 3, 1), "piccione", "channel", "non valida"),
    ],
)
def test_bad_acknowledgements_are_refused_with_an_italian_message(on, channel, field, message):
    person = factories.person()
    if on == "future":
        on = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        record_acknowledgement(person=person, notice=None, operator=None, channel=channel, on=on)
    assert message in " ".join(exc.value.message_dict[field])
    assert not PrivacyAcknowledgement.objects.filter(person=person).exists()


def test_an_acknowledgement_before_the_notice_was_in_force_is_refused():
    person = factories.person()
    notice = PrivacyNotice.objects.get(version="1.0")
    with pytest.raises(ValidationError) as exc:
        record_acknowledgement(
            person=person,
            notice=notice,
            operator=None,
            channel="presenza",
            on=dt.date(2020, 12, 1),
        )
    assert "28/01/2021" in exc.value.message_dict["acknowledged_on"][0]


def test_the_database_refuses_what_the_service_would_refuse():
    person = factories.person()
    notice = PrivacyNotice.objects.get(version="1.0")
    with pytest.raises(IntegrityError), transaction.atomic():
        PrivacyAcknowledgement.objects.create(
            person=person, notice=notice, acknowledged_on=dt.date(2021, 3, 1), channel="fax"
        )
    PrivacyAcknowledgement.objects.create(
        person=person, notice=notice, acknowledged_on=dt.date(2021, 3, 1), channel="presenza"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PrivacyAcknowledgement.objects.create(
            person=person, notice=notice, acknowledged_on=dt.date(2021, 4, 1), channel="presenza"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PrivacyNotice.objects.create(version="9", text="", valid_from=dt.date(2025, 1, 1))


def test_only_administrators_handle_data_requests(op_casalmaggiore, udp_reader, administrator):
    assert administrator.has_perm("casework.handle_data_requests")
    assert not op_casalmaggiore.has_perm("casework.handle_data_requests")
    assert not udp_reader.has_perm("casework.handle_data_requests")
    assert op_casalmaggiore.has_perm("casework.add_privacyacknowledgement")
    assert roles.ADMINISTRATOR in administrator.groups.values_list("name", flat=True)


def test_the_intake_flow_records_the_acknowledgement_from_the_typed_date(op_gussola):
    from casework.services import acknowledge_at_intake

    person = factories.person(privacy_ack_on=dt.date(2021, 4, 20))
    ack = acknowledge_at_intake(person=person, operator=op_gussola, intake_channel="telefono")
    assert (ack.notice.version, ack.channel, ack.operator) == ("1.0", "telefono", op_gussola)
    walk_in = factories.person(privacy_ack_on=dt.date(2021, 4, 20))
    assert (
        acknowledge_at_intake(
            person=walk_in, operator=op_gussola, intake_channel="spontaneo"
        ).channel
        == AckChannel.IN_PERSON
    )
    assert (
        acknowledge_at_intake(
            person=factories.person(), operator=op_gussola, intake_channel="spontaneo"
        )
        is None
    )
    too_early = factories.person(privacy_ack_on=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError) as exc:
        acknowledge_at_intake(person=too_early, operator=op_gussola, intake_channel="email")
    assert "privacy_ack_on" in exc.value.message_dict


def test_a_new_intake_with_the_notice_date_records_the_acknowledgement(client, op_casalmaggiore):
    from casework import fiscal_code
    from casework.models import Person

    today = timezone.localdate()
    cf = fiscal_code.encode(
        last_name="Informata", first_name="Giulia", birth_date=dt.date(1991, 6, 2), sex="F",
        place_code="B898",
    )  # fmt: skip
    client.force_login(op_casalmaggiore)
    response = client.post(
        "/sportello/casalmaggiore/nuova-presa-in-carico/",
        {
            "fiscal_code": cf,
            "last_name": "Informata",
            "first_name": "Giulia",
            "birth_date": "1991-06-02",
            "gender": "F",
            "residence_comune": "Casalmaggiore (CR)",
            "citizenship": "IT",
            "education": "diploma",
            "privacy_ack_on": today.isoformat(),
            "opened_on": today.isoformat(),
            "channel": "telefono",
            "main_need": "orientamento",
            "labour_status": "occupato",
        },
    )
    assert response.status_code == 302, response.context["intake_form"].errors
    person = Person.objects.get(fiscal_code=cf)
    ack = PrivacyAcknowledgement.objects.get(person=person)
    assert (ack.acknowledged_on, ack.channel, ack.operator) == (today, "telefono", op_casalmaggiore)
    assert person.privacy_ack_on == today
