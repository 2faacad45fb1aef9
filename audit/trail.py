"""The audit trail of the case records, kept by django-auditlog.

Every create, change and delete of a Person, Intake, Meeting or Referral saved through the
ORM (``save()``/``delete()``, forms, the admin, django-import-export's per-row import) becomes
an ``auditlog.LogEntry``: who (``actor``, set by the middleware from the logged-in user),
when, the object, and for each changed field its old and new value. Derived or noisy columns
(``version``, ``updated_at``, ``search_key``) are left out. The special-category answers
(GDPR art. 9) are recorded as *changed* but their values are masked, so the trail never holds
them in clear.

What the ORM cannot see is not recorded: ``bulk_create``, ``QuerySet.update()`` and raw
SQL send no signals — except the admin import's batched inserts, which send
``casework.signals.rows_created`` and are recorded by :func:`log_rows_created` exactly as
one-by-one saves would be. The demo data is written that way and is therefore not audited (it is
synthetic and made by a command, not by a person; auditing a million meetings would double
the write volume). The desk's versioned edits are ordinary ``save(update_fields=...)`` calls
after their version check (``casework/services.py``), so they are recorded like any save.

Reads are recorded too, as entries with ``action=ACCESS`` (see ``audit/reads.py``).
"""

from __future__ import annotations

from typing import Any

from auditlog.context import auditlog_disabled
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry, LogEntryManager
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save

from casework.models import SPECIAL_CATEGORY_FIELDS, Intake, Meeting, Person, Referral

# The special-category answers (SPECIAL_CATEGORY_FIELDS): the trail says they changed, not to
# what. Derived or noisy columns are left out.
EXCLUDED_FIELDS = ["version", "updated_at", "search_key"]
MASK = "***"


def mask(value: str) -> str:
    """auditlog's mask callable: hide the whole value (its default keeps half of it)."""
    return MASK


def register_case_models() -> None:
    if auditlog.contains(Person):
        return
    auditlog.register(
        Person,
        exclude_fields=EXCLUDED_FIELDS,
        mask_fields=list(SPECIAL_CATEGORY_FIELDS),
        mask_callable="audit.trail.mask",
    )
    auditlog.register(Intake, exclude_fields=EXCLUDED_FIELDS)
    auditlog.register(Meeting, exclude_fields=EXCLUDED_FIELDS, m2m_fields={"activities"})
    auditlog.register(Referral, exclude_fields=EXCLUDED_FIELDS)


def person_object_ids(person_id: int) -> dict[type[models.Model], set[str]]:
    """The ids (as text) of one person's rows: their record, intakes, meetings, referrals.

    Also finds rows that no longer exist: an intake, meeting or referral is linked through
    the person/intake it was created with, as the trail recorded it.
    """
    ct = ContentType.objects.get_for_models(Person, Intake, Meeting, Referral)
    intake_ids = {
        str(pk) for pk in Intake.objects.filter(person_id=person_id).values_list("pk", flat=True)
    }
    intake_ids |= set(
        LogEntry.objects.filter(
            content_type=ct[Intake], changes__person__1=str(person_id)
        ).values_list("object_pk", flat=True)
    )
    by_intake = Q(changes__intake__1__in=intake_ids) | Q(changes__intake__0__in=intake_ids)
    meeting_ids = {
        str(pk)
        for pk in Meeting.objects.filter(intake__person_id=person_id).values_list("pk", flat=True)
    } | set(
        LogEntry.objects.filter(by_intake, content_type=ct[Meeting]).values_list(
            "object_pk", flat=True
        )
    )
    referral_ids = {
        str(pk)
        for pk in Referral.objects.filter(intake__person_id=person_id).values_list("pk", flat=True)
    } | set(
        LogEntry.objects.filter(by_intake, content_type=ct[Referral]).values_list(
            "object_pk", flat=True
        )
    )
    return {
        Person: {str(person_id)},
        Intake: intake_ids,
        Meeting: meeting_ids,
        Referral: referral_ids,
    }


def objects_filter(ids: dict[type[models.Model], set[str]], *, pk_field: str = "object_pk") -> Q:
    """Rows of a log (auditlog's or the admin's) about the objects in ``ids``."""
    ct = ContentType.objects.get_for_models(*ids)
    query = Q(pk__in=[])
    for model, pks in ids.items():
        query |= Q(content_type=ct[model], **{f"{pk_field}__in": sorted(pks)})
    return query


def person_entries_filter(person_id: int) -> Q:
    """Every entry about one person: their record, and their intakes, meetings, referrals
    (also those since deleted, see :func:`person_object_ids`)."""
    return objects_filter(person_object_ids(person_id))


def person_history(person_id: int) -> models.QuerySet[LogEntry]:
    """Reads and changes of one person's record, newest first."""
    return (
        LogEntry.objects.filter(person_entries_filter(person_id))
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


# --- Rows written in batches by the admin import ----------------------------------------------


class _UnsavedEntries(LogEntryManager):
    """auditlog's own ``log_create``/``log_m2m_changes``, returning the entry unsaved."""

    def create(self, **kwargs: Any) -> LogEntry:
        return LogEntry(**kwargs)


def log_rows_created(
    sender: type[models.Model],
    instances: list[models.Model],
    m2m: dict[str, dict[Any, list[models.Model]]],
    actor: Any = None,
    dry_run: bool = False,
    **kwargs: Any,
) -> None:
    """``casework.signals.rows_created``: the entries auditlog would have written for each
    row saved one by one — a CREATE with every field's value (masked and excluded as
    registered), then the many-to-many links set — written in one insert.

    Built by auditlog's own code (``model_instance_diff`` and its manager), so they are the
    same entries; the actor and the request's address come from auditlog's context as for
    a save (the ``pre_save`` signal of the entry: the request's user, or the user a
    background import runs for, under ``auditlog.context.set_actor``). A preview is rolled
    back: nothing to write."""
    if dry_run or auditlog_disabled.get() or not auditlog.contains(sender):
        return
    collector = _UnsavedEntries()
    collector.model = LogEntry
    m2m_fields = auditlog._registry[sender]["m2m_fields"]  # no public accessor
    use_json = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)  # auditlog's default
    entries: list[LogEntry] = []
    # Rows just inserted have nothing pointing at them yet: their reverse one-to-one
    # relations are known to be empty, which spares auditlog a query each per row.
    reverse_one_to_one = [f for f in sender._meta.get_fields() if isinstance(f, models.OneToOneRel)]
    for instance in instances:
        for relation in reverse_one_to_one:
            if not relation.is_cached(instance):
                relation.set_cached_value(instance, None)
        changes = model_instance_diff(None, instance, use_json_for_changes=use_json)
        entries.append(
            collector.log_create(
                instance, action=LogEntry.Action.CREATE, changes=changes, force_log=True
            )
        )
        for name, by_pk in m2m.items():
            related = by_pk.get(instance.pk)
            if related and name in m2m_fields:
                entries.append(collector.log_m2m_changes(related, instance, "add", name))
    for entry in entries:
        pre_save.send(sender=LogEntry, instance=entry, raw=False, using=None, update_fields=None)
    LogEntry.objects.bulk_create(entries, batch_size=1000)
