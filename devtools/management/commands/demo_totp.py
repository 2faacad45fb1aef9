"""Give a demo login its second factor: ``python manage.py demo_totp udp``.

Creates (once) a confirmed TOTP device for the user and prints the otpauth:// URL to add to
an authenticator app, the key to type by hand, and the code valid right now. Refused in
production: there, people enrol themselves on the page shown after their first login.
"""

from __future__ import annotations

from base64 import b32encode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_DEVICE = "demo"


class Command(BaseCommand):
    help = "Crea (una volta) il dispositivo TOTP di un utente demo e stampa il codice attuale."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, username: str, **options: object) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo_totp is for demo and development installs, not production.")
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        device, created = TOTPDevice.objects.get_or_create(
            user=user, name=DEMO_DEVICE, defaults={"confirmed": True}
        )
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        now = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        code = f"{now:0{device.digits}d}"
        self.stdout.write(f"user:        {username}{' (new device)' if created else ''}")
        self.stdout.write(f"otpauth URL: {device.config_url}")
        self.stdout.write(f"key:         {b32encode(device.bin_key).decode('ascii')}")
        self.stdout.write(f"code now:    {code}  (valid for up to {device.step} seconds)")
