"""Install the database guards (triggers) described in casework/guards.py."""

from django.db import migrations

from casework import guards


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [migrations.RunPython(guards.install, guards.uninstall)]
