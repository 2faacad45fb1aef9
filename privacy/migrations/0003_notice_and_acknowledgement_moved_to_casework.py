"""The privacy notice and its acknowledgement are models of ``casework`` now (they are part
of taking someone in; ``casework/migrations/0010`` takes them over). Here they leave this
app's state only: the tables, their rows and their constraints stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0002_seed_notice_and_permissions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="PrivacyAcknowledgement"),
                migrations.DeleteModel(name="PrivacyNotice"),
            ],
            database_operations=[],
        ),
    ]
