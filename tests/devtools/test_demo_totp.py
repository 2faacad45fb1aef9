"""``manage.py demo_totp``: gives a demo login a confirmed TOTP device and prints a code that
the device accepts; refused in production."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_demo_command_gives_a_working_code(settings):
    settings.TWO_FACTOR_REQUIRED = True
    factories.user("udp")
    out = io.StringIO()
    call_command("demo_totp", "udp", stdout=out)
    text = out.getvalue()
    assert "otpauth://totp/Activity.Cr%3Audp?secret=" in text
    code = re.search(r"code now:\s+(\d{6})", text).group(1)
    device = TOTPDevice.objects.get(user__username="udp", confirmed=True)
    assert device.verify_token(code)

    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("demo_totp", "udp", stdout=io.StringIO())
