"""Administrators read the report of cross-desk take-ins (security review M6)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINISTRATOR = "Amministratore"  # casework/roles.py
CODENAME = "view_crossdesktakein"


def grant(apps, schema_editor):
    app_config = apps.get_app_config("casework")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="casework", codename=CODENAME)
    for group in Group.objects.filter(name=ADMINISTRATOR):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="casework", codename=CODENAME).delete()


class Migration(migrations.Migration):
    dependencies = [("casework", "0007_cross_desk_take_in")]
    operations = [migrations.RunPython(grant, revoke)]
