"""Django's admin log names case records by id (security review M4).

Rows written before this release hold ``str(obj)`` — a person's name — and may list the
special-category fields that were edited; every administrator's "Recent actions" box shows
them. They are rewritten the way ``audit/adminlog.py`` writes new rows: ``#<id>`` and the
change message without special-category labels. Who, when, the action and the other field
labels are kept. Not reversible: the names are gone, as intended.
"""

from django.conf import settings
from django.db import migrations
from django.utils import translation

CASE_MODELS = [
    ("casework", "person"),
    ("casework", "intake"),
    ("casework", "meeting"),
    ("casework", "referral"),
    ("privacy", "privacyacknowledgement"),
]
SPECIAL_CATEGORY_FIELDS = ["has_disability", "is_minority", "foreign_background", "is_homeless"]


def rewrite(apps, schema_editor):
    from audit.adminlog import object_label, scrubbed_message

    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    Person = apps.get_model("casework", "Person")
    special = set()
    for language in [None, *(code for code, _name in settings.LANGUAGES)]:
        with translation.override(language):
            for name in SPECIAL_CATEGORY_FIELDS:
                special.add(str(Person._meta.get_field(name).verbose_name).casefold())
    content_types = ContentType.objects.filter(
        app_label__in={app for app, _model in CASE_MODELS},
        model__in={model for _app, model in CASE_MODELS},
    )
    batch = []
    rows = LogEntry.objects.filter(content_type__in=content_types).only(
        "pk", "object_id", "object_repr", "change_message"
    )
    for entry in rows.iterator(chunk_size=2000):
        entry.object_repr = object_label(entry.object_id)
        entry.change_message = scrubbed_message(entry.change_message, special)
        batch.append(entry)
        if len(batch) >= 500:
            LogEntry.objects.bulk_update(batch, ["object_repr", "change_message"])
            batch = []
    if batch:
        LogEntry.objects.bulk_update(batch, ["object_repr", "change_message"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_administrator_permissions"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("casework", "0006_person_search_key_c_index"),
        ("privacy", "0002_seed_notice_and_permissions"),
    ]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
