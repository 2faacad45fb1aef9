"""Writes of the second factor: enrolment codes and TOTP devices.

Enrolment is bound to one login session: the setup page keeps the pending key in the
session (never in the database), and the device is created — already confirmed — only when a
code from that key is typed. Someone who saw the page in another session (an attacker who
knew the password before the user enrolled, as in the November 2026 review, M1) holds a key
that never becomes a device.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from twofactor.models import EnrolmentCode

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEVICE_NAME = "Activity.Cr"
# No 0/O, 1/I: read aloud or copied from paper without doubt. 12 characters: 60 bits.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
# Only the most recent codes of a user are checked (each check is a password hash).
CODES_CHECKED = 10


def _format_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_code(typed: str) -> str:
    """``abcd efgh-jklm`` as issued: ``ABCD-EFGH-JKLM``."""
    return _format_code(re.sub(r"[^A-Za-z0-9]", "", typed).upper())


@transaction.atomic
def issue_enrolment_code(
    *,
    user: User,
    issued_by: User | None,
    valid_for: dt.timedelta | None = None,
    code: EnrolmentCode | None = None,
) -> tuple[EnrolmentCode, str]:
    """A new one-time code for ``user``: the saved row (hash only) and the code, to show once.
    ``code`` is an unsaved row to fill in (the admin's add form has one)."""
    plain = _format_code("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))
    now = timezone.now()
    valid_for = valid_for or dt.timedelta(hours=settings.TWO_FACTOR_ENROLMENT_CODE_HOURS)
    code = code or EnrolmentCode()
    code.user = user
    code.code_hash = make_password(plain)
    code.issued_by = issued_by
    code.created_at = now
    code.expires_at = now + valid_for
    code.used_at = None
    code.full_clean()
    code.save()
    return code, plain


@transaction.atomic
def redeem_enrolment_code(*, user: User, typed: str) -> EnrolmentCode:
    """Mark ``user``'s code ``typed`` as used; ``ValidationError`` (in Italian) if it is not
    theirs, already used or expired."""
    plain = normalise_code(typed)
    candidates = EnrolmentCode.objects.select_for_update().filter(user=user)[:CODES_CHECKED]
    match = next((c for c in candidates if check_password(plain, c.code_hash)), None)
    if match is None:
        raise ValidationError(
            _("Codice di attivazione non valido: controllare di averlo scritto per intero."),
            code="invalid",
        )
    if match.used_at is not None:
        raise ValidationError(
            _("Codice di attivazione già usato: chiederne uno nuovo all'amministratore."),
            code="used",
        )
    now = timezone.now()
    if match.expires_at <= now:
        raise ValidationError(
            _("Codice di attivazione scaduto: chiederne uno nuovo all'amministratore."),
            code="expired",
        )
    match.used_at = now
    match.save(update_fields=["used_at"])
    return match


def new_pending_key() -> str:
    """A fresh TOTP key (hex), as django-otp generates for a new device."""
    return default_key()


@transaction.atomic
def confirm_device(*, user: User, key: str, token: str) -> TOTPDevice | None:
    """Create the user's confirmed device from the session's pending ``key`` if ``token`` is
    its current code; ``None`` otherwise (or if the user has meanwhile confirmed one)."""
    device = TOTPDevice(user=user, name=DEVICE_NAME, key=key, confirmed=True)
    try:
        value = int(token)
    except ValueError:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(value, device.tolerance):
        return None
    # One confirmed device per enrolment, even with two tabs posting at once.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return None
    remove_unconfirmed_devices(user=user)
    device.last_t = totp.t()  # the code just typed cannot be used again to log in
    if getattr(settings, "OTP_TOTP_SYNC", True):
        device.drift = totp.drift
    device.set_last_used_timestamp(commit=False)
    device.full_clean()
    device.save()
    return device


def remove_unconfirmed_devices(
    *, user: User | None = None, older_than: dt.timedelta | None = None
) -> int:
    """Delete unconfirmed TOTP devices (the enrolment page no longer creates any; older
    versions left one per account, with a key shown to whoever opened the page)."""
    devices = TOTPDevice.objects.filter(confirmed=False)
    if user is not None:
        devices = devices.filter(user=user)
    if older_than is not None:
        devices = devices.filter(created_at__lt=timezone.now() - older_than)
    count = 0
    for device in devices:  # one by one, so that the audit trail records each deletion
        device.delete()
        count += 1
    return count
