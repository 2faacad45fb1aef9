"""The Amministratore role issues enrolment codes (and sees and deletes them), and reads and
deletes the per-failure login records (to unlock an account locked by the per-account limit).
Unconfirmed TOTP devices left by the old enrolment page are deleted: their keys were shown to
whoever opened the page (security review of November 2026, M1)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINISTRATOR = "Amministratore"
PERMISSIONS = [
    ("twofactor", "add_enrolmentcode"),
    ("twofactor", "view_enrolmentcode"),
    ("twofactor", "delete_enrolmentcode"),
    ("axes", "view_accessfailurelog"),
    ("axes", "delete_accessfailurelog"),
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=ADMINISTRATOR).first()
    if group is None:
        return
    for app_label, codename in PERMISSIONS:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )


def delete_unconfirmed_devices(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    TOTPDevice.objects.filter(confirmed=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("twofactor", "0001_enrolmentcode"),
        ("audit", "0001_administrator_permissions"),
        ("axes", "0010_accessattemptexpiration"),
        ("otp_totp", "0003_add_timestamps"),
    ]
    operations = [
        migrations.RunPython(grant, revoke),
        migrations.RunPython(delete_unconfirmed_devices, migrations.RunPython.noop),
    ]
