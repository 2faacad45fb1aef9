"""Django's admin log (``django.contrib.admin.models.LogEntry``, table ``django_admin_log``)
without names.

Out of the box the admin writes ``str(obj)`` into every row — a person's name, an inline
object's description — and the labels of the changed fields, which can say that a person's
special-category answers were edited; every administrator's *Recent actions* box shows
them, and an erasure would leave them behind (security review M4). Here:

* :class:`NamelessAdminLogMixin`, on every case admin (``casework/admin/``'s
  ``ScopedAdmin``, extended by ``audit/admin.py``) and the privacy acknowledgements' admin,
  writes ``#<id>`` as the object and the changed fields *without* the special-category ones;
* :class:`NamelessImportLogMixin` does the same for django-import-export's rows, which are
  off anyway (``IMPORT_EXPORT_SKIP_ADMIN_LOG = True``: auditlog already records every
  imported row with its actor);
* :func:`scrub` rewrites the rows about an anonymised person written before (called by
  ``privacy.services.anonymise_person``), and :func:`describe` shows them in the
  subject-access export.

Who acted, when, on which object (by id) and which ordinary fields changed are kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_noop

from activitycr.http import logged_in_user
from audit.trail import SPECIAL_CATEGORY_FIELDS, objects_filter
from casework.models import Person

if TYPE_CHECKING:
    from import_export.admin import ImportMixin

    _ModelAdmin = admin.ModelAdmin[Any]

    class _ImportAdmin(ImportMixin, admin.ModelAdmin[Any]):
        """What :class:`NamelessImportLogMixin` is put in front of (``ImportMixin`` is Any
        to mypy: django-import-export ships no types)."""

else:
    _ModelAdmin = _ImportAdmin = object

ACTION_NAMES = {ADDITION: "addition", CHANGE: "change", DELETION: "deletion"}
_BY_ID = re.compile(r"#\d+")


def object_label(pk: object) -> str:
    return f"#{pk}"


def special_category_labels() -> set[str]:
    """The labels of the special-category fields, as the admin writes them (capitalised
    verbose names, untranslated) and in every language of the site, lower case."""
    labels: set[str] = set()
    for language in [None, *(code for code, _name in settings.LANGUAGES)]:
        with translation.override(language):
            for name in SPECIAL_CATEGORY_FIELDS:
                # Model fields (booleans), not relations: they have a verbose name.
                field = cast("models.Field[Any, Any]", Person._meta.get_field(name))
                labels.add(str(field.verbose_name).casefold())
    return labels


def write(
    *,
    user_id: int,
    objects: Iterable[models.Model | tuple[type[models.Model], object]],
    action_flag: int,
    change_message: list[dict[str, Any]] | str = "",
) -> list[LogEntry]:
    """One admin-log row per object (an instance, or a model and a pk), named by id only."""
    if isinstance(change_message, list):
        change_message = json.dumps(change_message)
    entries = []
    for obj in objects:
        model, pk = obj if isinstance(obj, tuple) else (type(obj), obj.pk)
        entries.append(
            LogEntry(
                user_id=user_id,
                content_type_id=ContentType.objects.get_for_model(
                    model, for_concrete_model=False
                ).pk,
                object_id=str(pk),
                object_repr=object_label(pk),
                action_flag=action_flag,
                change_message=change_message,
            )
        )
    if len(entries) == 1:
        entries[0].save()
        return entries
    return LogEntry.objects.bulk_create(entries)


def _changed_labels(form: Any, names: Iterable[str]) -> list[str]:
    labels = []
    for name in names:
        if name in SPECIAL_CATEGORY_FIELDS:
            continue
        field = form.fields.get(name)
        labels.append(str(field.label) if field is not None and field.label else name)
    return labels


def _deleted_pk(formset: Any, obj: models.Model) -> object:
    """A deleted inline object has lost its pk; its form still holds it."""
    for form in formset.initial_forms:
        if form.instance is obj and obj._meta.pk.name in form.fields:
            return form[obj._meta.pk.name].value() or "?"
    return "?"


def change_message(form: Any, formsets: Iterable[Any], add: bool) -> list[dict[str, Any]] | str:
    """Django's ``construct_change_message``, with inline objects named ``#<id>`` and
    without the special-category fields (an empty text when they were all that changed;
    ``[]`` is Django's "no fields changed")."""
    changed = form.changed_data
    message: list[dict[str, Any]] = []
    with translation.override(None):  # stored untranslated, translated when shown
        labels = _changed_labels(form, changed)
        if add:
            message.append({"added": {}})
        elif labels:
            message.append({"changed": {"fields": labels}})
        for formset in formsets or ():
            for obj in formset.new_objects:
                name = str(obj._meta.verbose_name)
                message.append({"added": {"name": name, "object": object_label(obj.pk)}})
            for obj, fields in formset.changed_objects:
                message.append(
                    {
                        "changed": {
                            "name": str(obj._meta.verbose_name),
                            "object": object_label(obj.pk),
                            "fields": _changed_labels(formset.forms[0], fields),
                        }
                    }
                )
            for obj in formset.deleted_objects:
                label = object_label(_deleted_pk(formset, obj))
                message.append({"deleted": {"name": str(obj._meta.verbose_name), "object": label}})
    if not message and changed:
        return ""  # only special-category answers changed: a change, with no detail given
    return message


class NamelessAdminLogMixin(_ModelAdmin):
    """A ModelAdmin mixin: admin-log rows name the object by id and leave out the
    special-category fields. Put it before ``admin.ModelAdmin`` in the bases."""

    # Django stores whatever this returns; the stubs allow only the list (here "" is a change
    # with no detail given, see change_message).
    def construct_change_message(  # type: ignore[override]
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> list[dict[str, Any]] | str:
        return change_message(form, formsets, add)

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> LogEntry:
        (entry,) = write(
            user_id=logged_in_user(request).pk,
            objects=[obj],
            action_flag=ADDITION,
            change_message=message,
        )
        return entry

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> LogEntry:
        (entry,) = write(
            user_id=logged_in_user(request).pk,
            objects=[obj],
            action_flag=CHANGE,
            change_message=message,
        )
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Iterable[models.Model]) -> list:
        return write(user_id=logged_in_user(request).pk, objects=queryset, action_flag=DELETION)


class NamelessImportLogMixin(_ImportAdmin):
    """For django-import-export admins (before ``ImportExportModelAdmin`` in the bases):
    when the admin log of imports is on, one row per imported object, named by id."""

    def generate_log_entries(self, result: Any, request: HttpRequest) -> None:
        if self.get_skip_admin_log():
            return
        flags = {"new": ADDITION, "update": CHANGE, "delete": DELETION}
        by_flag: dict[int, list[tuple[type[models.Model], object]]] = {}
        for row in result:
            flag = flags.get(row.import_type)
            if flag is not None and row.object_id is not None:
                by_flag.setdefault(flag, []).append((self.model, row.object_id))
        messages: dict[int, list[dict[str, Any]] | str] = {
            ADDITION: [{"added": {}}],
            # Stored untranslated, translated when shown (Django's change-message format).
            CHANGE: [{"changed": {"fields": [gettext_noop("dati importati da file")]}}],
            DELETION: "",
        }
        for flag, objects in by_flag.items():
            write(
                user_id=logged_in_user(request).pk,
                objects=objects,
                action_flag=flag,
                change_message=messages[flag],
            )


# --- Erasure and subject access --------------------------------------------------------------


def entries(ids: dict[type[models.Model], set[str]]) -> QuerySet[LogEntry]:
    """The admin-log rows about the objects in ``ids`` (model -> ids as text)."""
    return LogEntry.objects.filter(objects_filter(ids, pk_field="object_id"))


def _scrubbed_sub_message(detail: dict[str, Any], special: set[str]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "name" in detail:
        clean["name"] = str(detail["name"])
        obj = str(detail.get("object", ""))
        clean["object"] = obj if _BY_ID.fullmatch(obj) else "#?"
    if "fields" in detail:
        clean["fields"] = [
            str(label) for label in detail["fields"] or [] if str(label).casefold() not in special
        ]
    return clean


def scrubbed_message(message: str, special: set[str] | None = None) -> str:
    """A stored change message with inline objects by id only and no special-category
    field; a message that is not Django's JSON (free text) is dropped."""
    special = special_category_labels() if special is None else special
    try:
        data = json.loads(message) if message else []
    except ValueError:
        return ""
    if not isinstance(data, list):
        return ""
    clean: list[dict[str, Any]] = []
    for sub in data:
        if not isinstance(sub, dict):
            continue
        for action in ("added", "changed", "deleted"):
            detail = sub.get(action)
            if not isinstance(detail, dict):
                continue
            scrubbed = _scrubbed_sub_message(detail, special)
            if action == "changed" and "name" not in scrubbed and not scrubbed.get("fields"):
                continue  # only special-category fields had changed
            clean.append({action: scrubbed})
    return json.dumps(clean) if clean else ""


def scrub(rows: QuerySet[LogEntry]) -> int:
    """Rewrite admin-log rows: object by id, change message scrubbed; who and when kept."""
    special = special_category_labels()
    changed = []
    for entry in rows.only("pk", "object_id", "object_repr", "change_message"):
        entry.object_repr = object_label(entry.object_id)
        entry.change_message = scrubbed_message(entry.change_message, special)
        changed.append(entry)
    LogEntry.objects.bulk_update(changed, ["object_repr", "change_message"], batch_size=500)
    return len(changed)


def describe(rows: QuerySet[LogEntry]) -> list[dict[str, Any]]:
    """The rows for a subject-access export."""
    return [
        {
            "timestamp": e.action_time,
            "object": f"{e.content_type.model} #{e.object_id}",
            "action": ACTION_NAMES.get(e.action_flag, str(e.action_flag)),
            "user": e.user.get_username() if e.user_id else None,
            "change_message": str(e.get_change_message()),
        }
        for e in rows.select_related("user", "content_type").order_by("action_time", "pk")
    ]
