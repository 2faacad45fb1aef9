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

import functools
from collections.abc import Callable
from typing import Any, cast

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled
from auditlog.diff import get_field_value, get_mask_function, is_primitive, track_field
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save
from django.utils.encoding import smart_str

from activitycr import bulk
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


class _CreationDiff:
    """``auditlog.diff.model_instance_diff(None, instance)`` for many new rows of a model:
    the same fields (registered includes and excludes), values (``get_field_value``) and
    masks, with what does not depend on the row — the field list, the "before" side of
    each field — worked out once instead of once per row. (The batch tests compare the
    entries with those of rows saved one by one.)"""

    def __init__(self, model: type[models.Model], use_json: bool) -> None:
        options = auditlog.get_model_fields(model)
        fields = [f for f in model._meta.get_fields() if track_field(f)]
        if options["include_fields"]:
            fields = [f for f in fields if f.name in options["include_fields"]]
        fields = [f for f in fields if f.name not in options["exclude_fields"]]
        self.use_json = use_json
        self.mask_fields = set(options["mask_fields"])
        self.mask = get_mask_function(options.get("mask_callable"))
        self.before = [
            (f, get_field_value(None, f, use_json), self._reader(f, use_json)) for f in fields
        ]

    @staticmethod
    def _reader(field: Any, use_json: bool) -> Callable[[models.Model], Any]:
        """``get_field_value(instance, field)`` for one field. For a plain column or a
        foreign key this is the attribute made a string (auditlog's ``smart_str``), read
        directly; dates with times, JSON and reverse relations take auditlog's own path."""
        fk_as_id = not getattr(settings, "AUDITLOG_USE_FK_STRING_REPRESENTATION", False)
        plain = (
            getattr(field, "concrete", False)
            and not use_json
            and not isinstance(field, models.DateTimeField | models.JSONField)
        )
        if plain and field.is_relation and fk_as_id and hasattr(field, "rel_class"):
            attname = field.get_attname()
            return lambda instance: smart_str(getattr(instance, attname), strings_only=True)
        if plain and not field.is_relation:
            name = field.name

            def read(instance: models.Model) -> Any:
                value = getattr(instance, name)
                return value if type(value) is str else str(value)

            return read
        if isinstance(field, models.ForeignObjectRel):
            # Nothing points at a row just written: what auditlog reads for a relation
            # towards it (the empty related manager, or None) is the same for every row.
            first: list[Any] = []

            def once(instance: models.Model) -> Any:
                if not first:
                    first.append(get_field_value(instance, field, use_json))
                return first[0]

            return once
        return lambda instance: get_field_value(instance, field, use_json)

    def changes(self, instance: models.Model) -> dict[str, Any] | None:
        diff: dict[str, Any] = {}
        for field, old, read in self.before:
            new = read(instance)
            if old == new:
                continue
            if field.name in self.mask_fields:
                diff[field.name] = (self.mask(smart_str(old)), self.mask(smart_str(new)))
            elif not self.use_json:
                diff[field.name] = (smart_str(old), smart_str(new))
            else:
                diff[field.name] = (
                    old if is_primitive(old) else smart_str(old),
                    new if is_primitive(new) else smart_str(new),
                )
        return diff or None


def _rank(order: dict[Any, int], obj: models.Model) -> int:
    return order.get(obj.pk, len(order))


def log_rows_created(
    sender: type[models.Model],
    instances: list[models.Model],
    m2m: dict[str, dict[Any, list[models.Model]]],
    dry_run: bool = False,
    **kwargs: Any,
) -> None:
    """``casework.signals.rows_created``: the entries auditlog would have written for each
    row saved one by one — a CREATE with every field's value (masked and excluded as
    registered), then the many-to-many links set — written in one insert.

    The values are those of auditlog's ``LogEntryManager.log_create`` and
    ``log_m2m_changes`` (the batch tests compare the entries with those of rows saved one
    by one), written as rows without building a ``LogEntry`` for each: the person who
    imports and the request's address come from auditlog's context as for a save — its
    ``pre_save`` receiver, run once for the batch on a model entry (the request's user, or
    the user a background import runs for, under ``auditlog.context.set_actor``). A
    preview is rolled back: nothing to write."""
    if dry_run or auditlog_disabled.get() or not auditlog.contains(sender):
        return
    options = auditlog._registry[sender]  # no public accessor
    if options.get("serialize_data") or callable(getattr(sender, "get_additional_data", None)):
        raise NotImplementedError(f"{sender._meta.label}: batches log no serialised data")
    m2m_fields = options["m2m_fields"]
    use_json = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)  # auditlog's default
    context = LogEntry()
    pre_save.send(sender=LogEntry, instance=context, raw=False, using=None, update_fields=None)
    blank = LogEntry()
    signed = {  # what the context's receiver set: actor, address, port, e-mail
        f.attname: getattr(context, f.attname)
        for f in LogEntry._meta.concrete_fields
        if f.attname != "timestamp" and getattr(context, f.attname) != getattr(blank, f.attname)
    }
    content_type = ContentType.objects.get_for_model(sender).pk
    cid = get_cid()
    # Rows just inserted have nothing pointing at them yet: their reverse one-to-one
    # relations are known to be empty, which spares a query each per row.
    reverse_one_to_one = [f for f in sender._meta.get_fields() if isinstance(f, models.OneToOneRel)]
    diff = _CreationDiff(sender, use_json)
    columns = ("content_type_id", "object_pk", "object_id", "object_repr", "action", "changes",
               "cid", *signed)  # fmt: skip
    extra = tuple(signed.values())
    # auditlog lists the objects linked in the order their model's queryset gives them
    # (``filter(pk__in=...)``, the model's ordering in the database's collation): one
    # query per many-to-many field and batch reads that order.
    rank: dict[str, Callable[[models.Model], int]] = {}
    for name, by_pk in m2m.items():
        linked = {obj.pk for objs in by_pk.values() for obj in objs}
        model = cast(type[models.Model], sender._meta.get_field(name).related_model)
        pks = model._default_manager.filter(pk__in=linked).values_list("pk", flat=True)
        rank[name] = functools.partial(_rank, {pk: i for i, pk in enumerate(pks)})
    rows: list[tuple[Any, ...]] = []
    for instance in instances:
        for relation in reverse_one_to_one:
            if not relation.is_cached(instance):
                relation.set_cached_value(instance, None)
        pk = instance.pk
        object_id = pk if isinstance(pk, int) else None
        text = smart_str(instance)
        rows.append(
            (content_type, smart_str(pk), object_id, text, LogEntry.Action.CREATE,
             diff.changes(instance), cid, *extra)
        )  # fmt: skip
        for name, by_pk in m2m.items():
            related = by_pk.get(pk)
            if related and name in m2m_fields:
                added = {
                    "type": "m2m",
                    "operation": "add",
                    "objects": [smart_str(r) for r in sorted(related, key=rank[name])],
                }
                rows.append(
                    (content_type, smart_str(pk), object_id, text, LogEntry.Action.UPDATE,
                     {name: added}, cid, *extra)
                )  # fmt: skip
    bulk.insert_values(LogEntry, columns, rows)  # COPY on PostgreSQL: see activitycr.bulk
