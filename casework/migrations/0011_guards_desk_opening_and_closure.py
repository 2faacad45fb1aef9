"""Re-install the database guards (casework/guards.py) with the rules of issue 10: an intake
not before its desk's opening, a case not closed before its last meeting, referral or
outcome, nothing added to a closed case after its closure date."""

from django.db import migrations

from casework import guards


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0010_privacy_notice_and_acknowledgement"),
        ("sportelli", "0004_comune_is_rural"),
    ]

    operations = [
        migrations.RunPython(guards.uninstall, guards.install),
        migrations.RunPython(guards.install, guards.uninstall),
    ]
