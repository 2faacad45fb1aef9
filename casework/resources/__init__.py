"""Import and export of people, intakes and meetings (django-import-export 4), in xlsx and csv.

Used by Django admin (``casework/admin/``) to load legacy spreadsheets and to export; the
cell conversions live in ``casework/resources/widgets.py``.

* Columns have Italian names; dates are ``gg/mm/aaaa`` (xlsx date cells work too); closed
  lists accept their code or their Italian label.
* Foreign keys by natural key: a person by codice fiscale (``id_persona`` for someone
  without one), a desk by name or slug, a comune by codice catastale or name, a foreign
  state by code or name, an intake by id, an operator by username, activities by code.
* Every row goes through ``full_clean()``: the codice fiscale, the date rules and the
  database constraints give their Italian message, per row.
* All or nothing: when any row is wrong the whole import is rolled back, dry run or not,
  and every bad row is reported with its number.
* Special-category fields (disability, minority, migrant background, homelessness) are in
  no resource: they never leave the application in a default export.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import DatabaseError, IntegrityError, connection, models, router, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.results import Result, RowResult
from import_export.widgets import ManyToManyWidget

from activitycr import bulk
from casework.choices import (
    AckChannel,
    Citizenship,
    ClosureReason,
    EducationLevel,
    Gender,
    IntakeChannel,
    IntakeStatus,
    LabourStatus,
    MeetingMode,
    Need,
    ReferralKind,
    ReferralOutcome,
)
from casework.models import (
    Intake,
    Meeting,
    Person,
    PrivacyAcknowledgement,
    PrivacyNotice,
    Referral,
    local_today,
)
from casework.resources.files import ImportFileError
from casework.resources.widgets import (
    CHUNK,
    ActivitiesWidget,
    BooleanWidget,
    ChoiceWidget,
    ComuneWidget,
    CountryWidget,
    DateTimeWidget,
    DateWidget,
    DeskWidget,
    FiscalCodeWidget,
    IntakeWidget,
    IntegerWidget,
    Lookups,
    PartnerWidget,
    PersonWidget,
    PhoneWidget,
    TextWidget,
    TimeWidget,
    UserWidget,
    blank,
    scoped,
)
from casework.signals import rows_created

if TYPE_CHECKING:
    from activitycr.http import AnyUser

# Intake fields copied from the person on insert (Intake.take_snapshot).
_SNAPSHOT_FIELDS = frozenset(
    (
        "age_at_intake",
        "age_band",
        "esf_age_band",
        "gender",
        "origin",
        "residence_comune",
        "citizenship",
        "isced_band",
    )
)


# How many rows between two calls of an import's ``progress`` callback.
PROGRESS_EVERY = 250
# How many new rows are inserted at once (``CaseworkResource.flush``).
BATCH_SIZE = 1000


@dataclass
class _Pending:
    """A valid new row waiting for its batch's insert."""

    instance: models.Model
    row: Any
    kwargs: dict[str, Any]
    number: int
    row_result: RowResult | None = None
    m2m: dict[str, list[models.Model]] = dataclass_field(default_factory=dict)


# --- Resources -----------------------------------------------------------------------------


def fresh_statistics(*models_: type[models.Model]) -> None:
    """PostgreSQL: ``ANALYZE`` the tables a large file's rows are looked up in.

    A file of people, then one of their intakes, then one of their meetings: each names
    rows the previous one has just written, and until autovacuum analyzes the table (up
    to a minute later; never, inside one transaction) PostgreSQL plans with the
    statistics of the table as it was — empty, say — and reads every intake once per
    chunk of keys (at 100,000 meetings, 16 of the import's 60 seconds). ``ANALYZE``
    samples at most 30,000 rows (a fraction of a second), sees the rows of the import's
    own transaction, and may run inside it. Its lock (SHARE UPDATE EXCLUSIVE, which reads
    and writes ignore) is held until the import commits, so another import's ANALYZE skips
    a table it finds locked (``SKIP_LOCKED``) instead of waiting. A user who does not own
    the tables gets a warning from PostgreSQL, not an error."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(
                f"ANALYZE (SKIP_LOCKED) {connection.ops.quote_name(model._meta.db_table)}"
            )


class CaseworkResource(resources.ModelResource):
    """Shared behaviour: full_clean on every row, errors named by column, all or nothing;
    rows and foreign keys scoped to the importing user; lookups read once per file.

    **New rows are written in batches.** Every row is read, matched and validated on its
    own, as the forms validate it; a valid new row then waits (``save_instance``) and every
    ``BATCH_SIZE`` rows the batch is inserted at once (``flush``): one ``bulk_create`` for
    the rows, one for their many-to-many links, one for what follows them (privacy
    acknowledgements), and the ``casework.signals.rows_created`` signal, on which the audit
    trail writes the batch's entries at once and the agenda links imported meetings to
    their appointments. When the database refuses the batch (a rule the validation could
    not see, a colleague's row written in between), the batch is rolled back to its
    savepoint and written again row by row, each in its own savepoint, through ``save()``
    and Django's signals, so that the rows refused are named like any bad row. A row that
    changes an existing record is saved at once, in its own savepoint, after the rows
    before it.
    """

    user: AnyUser | None = None  # set by import_data from the admin's ``user`` argument
    lookups: Lookups | None = None
    # Columns that name a row's person or intake without being a field of the resource.
    extra_columns: tuple[str, ...] = ()
    # How many valid rows the preview shows (the others are counted).
    preview_rows = 100
    # False: every new row is written at once through save() and Django's signals, the way
    # a refused batch is written again (tests compare the two).
    batched = True

    def import_data(
        self,
        dataset: Any,  # a tablib Dataset
        dry_run: bool = False,
        raise_errors: bool = False,
        use_transactions: bool | None = None,
        **kw: Any,
    ) -> Result:
        # A file with any bad row writes nothing: roll back on validation errors too, not
        # only on exceptions (the library's default would keep the good rows).
        kw["rollback_on_validation_errors"] = True
        # Rows are matched, and foreign keys found, among what this user may see only.
        self.user = kw.get("user")
        self.lookups = kw["lookups"] = Lookups(self.user)
        self._preview: dict[int, list[str]] = {}
        # Called now and then with the number of rows read so far (a background import
        # shows it as a progress bar), and once more at the end.
        self._progress: Callable[[int], None] | None = kw.pop("progress", None)
        self._batch: list[_Pending] = []
        self._pending_ids: set[int] = set()
        self._late_invalid: list[tuple[_Pending, str]] = []
        self._extras: list[models.Model] = []
        self._acks_planned: set[tuple[int, int]] = set()
        self._m2m_fields: list[fields.Field] | None = None
        result = super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            **kw,
        )
        result.diff_headers = self.preview_headers(dataset.headers or [])
        if self._progress is not None:
            self._progress(len(dataset))
        return result

    def export(self, queryset: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("lookups", Lookups())
        return super().export(queryset, **kwargs)

    # The file's columns --------------------------------------------------------------------

    def get_import_fields(self) -> list[fields.Field]:
        # Asked for twice a row by the library; the fields do not change during an import.
        cached: list[fields.Field] | None = self.__dict__.get("_import_fields")
        if cached is None:
            cached = self.__dict__["_import_fields"] = list(super().get_import_fields())
        return cached

    def known_columns(self) -> list[str]:
        return [f.column_name for f in self.get_import_fields()] + list(self.extra_columns)

    def key_columns_message(self, headers: set[str]) -> str | None:
        """What is missing for the rows to be recognised, or None."""
        return None

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        headers = [str(h) for h in dataset.headers or []]
        known = self.known_columns()
        unknown = [h for h in headers if h not in known]
        if unknown:
            raise ImportFileError(
                _(
                    "Colonne sconosciute: %(unknown)s. Correggere l'intestazione (prima riga) "
                    "con i nomi di colonna previsti: %(known)s."
                )
                % {"unknown": ", ".join(unknown), "known": ", ".join(dict.fromkeys(known))}
            )
        missing = self.key_columns_message(set(headers))
        if missing:
            raise ImportFileError(missing)
        self.prefetch(dataset)

    def _check_import_id_fields(self, headers: Any) -> None:
        """The key columns are checked by before_import, with an Italian message."""

    def prefetch(self, dataset: Any) -> None:
        """Read at once the people (and intakes) the file names."""
        assert self.lookups is not None
        headers = dataset.headers or []
        if len(dataset) > CHUNK:  # more than one query of keys
            fresh_statistics(Person, Intake)
        if "codice_fiscale" in headers:
            widget = FiscalCodeWidget()
            self.lookups.prefetch_people(
                code
                for code in (widget.clean(v) for v in dataset["codice_fiscale"])
                if code and len(code) == 16
            )
        if "data_nascita" in headers:
            dates = []
            for value in dataset["data_nascita"]:
                try:
                    date = DateWidget().clean(value)
                except ValueError:
                    continue
                if date is not None:
                    dates.append(date)
            self.lookups.prefetch_people_by_name(dates)

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        # The person (or the intake) may be named by columns that are not its own field:
        # the field must run whenever any of them is in the file.
        for column, keys in self.key_fields().items():
            if column not in row and any(k in row for k in keys):
                row[column] = ""

    def key_fields(self) -> dict[str, tuple[str, ...]]:
        return {}

    # Validation ---------------------------------------------------------------------------

    def extra_validation_exclusions(self, instance: models.Model) -> set[str]:
        return set()

    def known_unique(self, instance: models.Model, constraint: models.BaseConstraint) -> bool:
        """Whether what the import has read proves ``constraint`` holds (no query)."""
        return False

    def validate_instance(
        self,
        instance: models.Model,
        import_validation_errors: dict[str, Any] | None = None,
        validate_unique: bool = True,
    ) -> None:
        errors = dict(import_validation_errors or {})
        exclude = set(errors) | self.extra_validation_exclusions(instance)
        # Model.full_clean() as it is, except that a foreign key the import's lookups have
        # just read from the database is not looked up again (one query per key per row).
        read = _foreign_keys_read(instance)
        for step in (
            lambda: instance.clean_fields(exclude=exclude | read),
            instance.clean,
            lambda: instance.validate_unique(exclude=exclude) if validate_unique else None,
        ):
            try:
                step()
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        # As full_clean does: constraints only on the fields that passed validation.
        errors = _validate_constraints(
            instance, exclude | set(errors), errors, known_unique=self.known_unique
        )
        if errors:
            # Name the file's column, not the model attribute.
            columns = {f.attribute: f.column_name for f in self.fields.values() if f.attribute}
            raise ValidationError({columns.get(k, k): v for k, v in errors.items()})

    def import_row(self, row: Any, instance_loader: Any, **kwargs: Any) -> RowResult:
        number = kwargs.get("row_number", 0)
        if self._progress is not None and number % PROGRESS_EVERY == 0:
            self._progress(number)
        # A NUL character fits no text column (PostgreSQL refuses it in any statement,
        # lookups included): the row is bad, its columns named, before any query.
        with_nul = [c for c, v in row.items() if isinstance(v, str) and "\x00" in v]
        if with_nul:
            invalid = self.get_row_result_class()()
            invalid.import_type = RowResult.IMPORT_TYPE_INVALID
            invalid.validation_error = ValidationError(
                {c: [_("Contiene un carattere non ammesso (NUL).")] for c in with_nul}
            )
            return invalid
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result.preview = self._preview.pop(number, None)
        if self._batch and self._batch[-1].number == number:
            self._batch[-1].row_result = row_result
        # What full_clean missed and the database refused (a trigger, a race) is a bad row
        # like the others, with the rule's message (as for a row of a refused batch) and no
        # data from the row.
        if row_result.errors and all(
            isinstance(e.error, IntegrityError) for e in row_result.errors
        ):
            messages = [_refusal(self._meta.model, e.error) for e in row_result.errors]
            row_result.errors = []
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = ValidationError({NON_FIELD_ERRORS: messages})
        return row_result

    # The preview ---------------------------------------------------------------------------

    def preview_fields(self, headers: Sequence[str]) -> list[fields.Field]:
        present = set(headers)
        return [
            f
            for f in self.get_import_fields()
            if f.column_name in present or f.column_name in self.key_fields()
        ]

    def preview_headers(self, headers: Sequence[str]) -> list[str]:
        return [f.column_name for f in self.preview_fields(headers)]

    def record_preview(self, instance: models.Model, row: Any, number: int) -> None:
        if number <= self.preview_rows:
            self._preview[number] = [
                self.preview_value(f, instance, row) for f in self.preview_fields(list(row))
            ]

    def preview_value(self, field: fields.Field, instance: models.Model, row: Any) -> str:
        """A value as a person reads it: names and labels, not codes."""
        assert self.lookups is not None
        widget = field.widget
        value: Any
        try:
            value = None if isinstance(widget, ActivitiesWidget) else field.get_value(instance)
        except (AttributeError, models.ObjectDoesNotExist):
            return ""
        if (value is None or value == "") and not isinstance(widget, ActivitiesWidget):
            return ""
        if isinstance(widget, ChoiceWidget):
            return str(dict(widget.choices.choices).get(value, value))
        if isinstance(widget, ComuneWidget):
            return self.lookups.comune_name(value)
        if isinstance(widget, PersonWidget):
            return f"{value} ({value.fiscal_code})" if value.fiscal_code else str(value)
        if isinstance(widget, IntakeWidget):
            return f"{value.person} · {value.desk.name} · {value.opened_on:%d/%m/%Y}"
        if isinstance(widget, ActivitiesWidget):  # set after this point: read from the row
            activities = widget.clean(row.get(field.column_name), lookups=self.lookups)
            return ", ".join(str(a) for a in activities)
        return str(field.export(instance, lookups=self.lookups))

    # Batched writes (see the class docstring) ----------------------------------------------

    def save_instance(
        self, instance: models.Model, is_create: bool, row: Any, **kwargs: Any
    ) -> None:
        self.before_save_instance(instance, row, **kwargs)
        number = kwargs.get("row_number", 0)
        if kwargs.get("dry_run"):
            self.record_preview(instance, row, number)
        pending = id(instance) in self._pending_ids
        if self.batched and (is_create or pending):
            # A later row of the file may name a row still waiting: it changes that object.
            if not pending:
                self._pending_ids.add(id(instance))
                self.create_instances.append(instance)
            self._batch.append(_Pending(instance, row, dict(kwargs), number))
            self.remember_pending(instance)
            return
        self.flush()
        with transaction.atomic(using=router.db_for_write(type(instance))):
            self.do_instance_save(instance, is_create)
            self.after_save_instance(instance, row, **kwargs)
            self.write_extras()

    def remember_pending(self, instance: models.Model) -> None:
        """Make a row still waiting for its insert known to the rows after it."""

    def save_m2m(self, instance: models.Model, row: Any, **kwargs: Any) -> None:
        if self._m2m_fields is None:
            self._m2m_fields = [
                f for f in self.get_import_fields() if isinstance(f.widget, ManyToManyWidget)
            ]
        m2m = [f for f in self._m2m_fields if f.column_name in row]
        if not m2m:
            return
        if id(instance) in self._pending_ids:
            self._batch[-1].m2m = {
                str(f.attribute): f.clean(row, lookups=self.lookups) for f in m2m
            }
            return
        with transaction.atomic(using=router.db_for_write(type(instance))):
            for f in m2m:
                self.import_field(f, instance, row, True, lookups=self.lookups)

    def bulk_create(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Result | None = None,
    ) -> None:
        """The library's hook for a full batch and for the last one: :meth:`flush`."""
        try:
            self.flush()
        except Exception as exc:  # an unexpected failure: the whole import is rolled back
            self.handle_import_error(result, exc, raise_errors)

    def flush(self) -> None:
        """Insert the rows waiting, at once; row by row when the database refuses them."""
        batch, self._batch = self._batch, []
        self.create_instances.clear()
        self._pending_ids.clear()
        if not batch:
            return
        try:
            with transaction.atomic(using=router.db_for_write(self._meta.model)):
                self._insert_batch(batch)
        except DatabaseError:
            self._extras.clear()
            self._acks_planned.clear()
            for pending in batch:
                pending.instance.pk = None
                pending.instance._state.adding = True
            self._insert_one_by_one(batch)

    def _insert_batch(self, batch: list[_Pending]) -> None:
        model = self._meta.model
        instances = list({id(p.instance): p.instance for p in batch}.values())
        for instance in instances:
            prepare = getattr(instance, "prepare_save", None)
            if prepare is not None:
                prepare()
        if not bulk.create(instances, using=router.db_for_write(model)):
            model._default_manager.bulk_create(instances)
        if any(instance.pk is None for instance in instances):
            raise DatabaseError("bulk_create returned no keys")  # written again row by row
        m2m: dict[str, dict[Any, list[models.Model]]] = {}
        for pending in batch:
            for name, related in pending.m2m.items():
                m2m.setdefault(name, {})[pending.instance.pk] = related
        for name, by_pk in m2m.items():
            m2m_field = model._meta.get_field(name)
            through = getattr(model, name).through
            source = through._meta.get_field(m2m_field.m2m_field_name()).attname
            target = through._meta.get_field(m2m_field.m2m_reverse_field_name()).attname
            bulk.insert(
                [
                    through(**{source: pk, target: obj.pk})
                    for pk, related in by_pk.items()
                    for obj in related
                ],
                using=router.db_for_write(through),
            )
        for pending in batch:
            if pending.row_result is not None:
                pending.row_result.add_instance_info(pending.instance)
            self.after_save_instance(pending.instance, pending.row, **pending.kwargs)
        self.write_extras()
        rows_created.send(
            sender=model,
            instances=instances,
            m2m=m2m,
            dry_run=bool(batch[0].kwargs.get("dry_run")),
        )

    def _insert_one_by_one(self, batch: list[_Pending]) -> None:
        """The batch again, each row in its own savepoint, through ``save()`` and Django's
        signals: the rows the database refuses become bad rows, named by their number."""
        using = router.db_for_write(self._meta.model)
        saved: set[int] = set()
        for pending in batch:
            instance = pending.instance
            first = id(instance) not in saved
            try:
                with transaction.atomic(using=using):
                    self.do_instance_save(instance, first)
                    for name, related in pending.m2m.items():
                        getattr(instance, name).set(related)
                    self.after_save_instance(instance, pending.row, **pending.kwargs)
                    self.write_extras()
            except IntegrityError as exc:
                self._extras.clear()
                if first:
                    instance.pk = None
                    instance._state.adding = True
                self._late_invalid.append((pending, _refusal(self._meta.model, exc)))
                continue
            saved.add(id(instance))
            if pending.row_result is not None:
                pending.row_result.add_instance_info(instance)

    def write_extras(self) -> None:
        """Insert what ``after_save_instance`` set aside to go with the rows."""
        extras, self._extras = self._extras, []
        by_model: dict[type[models.Model], list[models.Model]] = {}
        for extra in extras:
            by_model.setdefault(type(extra), []).append(extra)
        for model, objects in by_model.items():
            model._default_manager.bulk_create(objects)

    def after_import(self, dataset: Any, result: Result, **kwargs: Any) -> None:
        super().after_import(dataset, result, **kwargs)
        # The rows the database refused when their batch was written again row by row.
        for pending, message in self._late_invalid:
            error = ValidationError({NON_FIELD_ERRORS: [message]})
            row_result = pending.row_result
            if row_result is not None:
                result.totals[row_result.import_type] -= 1
                row_result.import_type = RowResult.IMPORT_TYPE_INVALID
                row_result.validation_error = error
                result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
            result.append_invalid_row(pending.number, pending.row, error)
        self._late_invalid = []


def _foreign_keys_read(instance: models.Model) -> set[str]:
    """The foreign keys of ``instance`` set to an object loaded from the database."""
    read = set()
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.ForeignKey) or not field.is_cached(instance):
            continue
        related = field.get_cached_value(instance)
        if (
            related is not None
            and not related._state.adding
            and related.pk is not None
            and getattr(instance, field.attname) == related.pk
        ):
            read.add(field.name)
    return read


def _is_choice_check(constraint: models.BaseConstraint, model: type[models.Model]) -> bool:
    """A CHECK that keeps one choice field to its choices (``casework.models.in_choices``)."""
    if not isinstance(constraint, models.CheckConstraint):
        return False
    condition = constraint.condition
    if (
        not isinstance(condition, Q)
        or len(condition.children) != 1
        or not isinstance(condition.children[0], tuple)
    ):
        return False
    lookup, values = condition.children[0]
    if not lookup.endswith("__in"):
        return False
    try:
        field = model._meta.get_field(lookup.removesuffix("__in"))
    except FieldDoesNotExist:
        return False
    if not isinstance(field, models.Field) or not field.choices:
        return False
    return set(values) == {value for value, _label in field.choices}


def _validate_constraints(
    instance: models.Model,
    exclude: set[str],
    errors: dict[str, list],
    known_unique: Callable[[models.Model, models.BaseConstraint], bool] | None = None,
) -> dict[str, list]:
    """Model.validate_constraints() without the choice checks, which cost a query each per
    row: clean_fields() has already refused a typed value outside its choices, the computed
    snapshot takes its values from the choices, and the database still holds every check.
    The other constraints give their Italian message per row.

    A check constraint is evaluated in Python when its condition is simple enough
    (:func:`_holds`), instead of Django's query per constraint per row; a unique constraint
    the import can settle from what it read (``known_unique``) costs no query either. Any
    other constraint is validated by Django as before. The database holds them all anyway.
    """
    model = type(instance)
    using = router.db_for_write(model, instance=instance)
    for constraint, fields_used in _constraints_to_validate(model):
        if isinstance(constraint, models.CheckConstraint) and fields_used is not None:
            if fields_used & exclude:
                continue  # as Django does: a field with an error is not checked again
            if _holds(instance, constraint.condition):
                continue
            message = constraint.get_violation_error_message()
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                ValidationError(message, code=constraint.violation_error_code)
            )
            continue
        if known_unique is not None and known_unique(instance, constraint):
            continue
        try:
            # Every constraint has it (Django 4.1+); django-stubs declares it on none.
            constraint.validate(model, instance, exclude=exclude, using=using)  # type: ignore[attr-defined]
        except ValidationError as exc:
            fields_: Sequence[str] = getattr(constraint, "fields", ())
            if getattr(exc, "code", None) == "unique" and len(fields_) == 1:
                errors.setdefault(fields_[0], []).append(exc)
            else:
                errors = exc.update_error_dict(errors)
    return errors


@functools.cache
def _constraints_to_validate(
    model: type[models.Model],
) -> tuple[tuple[models.BaseConstraint, frozenset[str] | None], ...]:
    """A model's constraints that an import row validates (the choice checks left out),
    each with the fields :func:`_holds` reads, or None when it cannot evaluate it: worked
    out once per model, not once per row."""
    found = []
    for constraint in model._meta.constraints:
        if _is_choice_check(constraint, model):
            continue
        fields_used = None
        if isinstance(constraint, models.CheckConstraint):
            used = _fields_of(constraint.condition)
            fields_used = frozenset(used) if used is not None else None
        found.append((constraint, fields_used))
    return tuple(found)


_LOOKUPS: dict[str, Callable[[Any, Any], bool]] = {
    "exact": lambda a, b: a == b,
    "isnull": lambda a, b: (a is None) == b,
    "in": lambda a, b: a in b,
    "gte": lambda a, b: a is not None and b is not None and a >= b,
    "lte": lambda a, b: a is not None and b is not None and a <= b,
    "regex": lambda a, b: a is not None and re.search(b, str(a)) is not None,
}


def _fields_of(condition: Any) -> set[str] | None:
    """The fields a condition reads, or None when :func:`_holds` cannot evaluate it."""
    if isinstance(condition, Q):
        found: set[str] = set()
        for child in condition.children:
            if isinstance(child, Q):
                inner = _fields_of(child)
                if inner is None:
                    return None
                found |= inner
                continue
            if not isinstance(child, tuple):
                return None
            lookup, value = child
            name, _sep, kind = lookup.partition("__")
            if (kind or "exact") not in _LOOKUPS or "__" in kind:
                return None
            found.add(name)
            if isinstance(value, models.F):
                found.add(value.name)
            elif hasattr(value, "resolve_expression"):
                return None
        return found
    # length_check: LessThanOrEqual(Length(field), n)
    lhs, rhs = getattr(condition, "lhs", None), getattr(condition, "rhs", None)
    if (
        type(condition).__name__ == "LessThanOrEqual"
        and type(lhs).__name__ == "Length"
        and isinstance(rhs, int)
        and lhs is not None
    ):
        (source,) = lhs.get_source_expressions()
        if isinstance(source, models.F):
            return {source.name}
    return None


def _value(instance: models.Model, name: str) -> Any:
    field = instance._meta.get_field(name)
    return getattr(instance, getattr(field, "attname", name))


def _holds(instance: models.Model, condition: Any) -> bool:
    """Whether ``instance`` satisfies ``condition`` (one that :func:`_fields_of` accepts),
    with SQL's rule that a comparison with NULL does not fail a CHECK."""
    if not isinstance(condition, Q):
        (source,) = condition.lhs.get_source_expressions()
        text = _value(instance, source.name)
        return text is None or len(str(text)) <= condition.rhs
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(_holds(instance, child))
            continue
        lookup, value = cast(tuple[str, Any], child)
        name, _sep, kind = lookup.partition("__")
        left = _value(instance, name)
        right = _value(instance, value.name) if isinstance(value, models.F) else value
        kind = kind or "exact"
        if kind in ("gte", "lte") and (left is None or right is None):
            results.append(True)  # NULL: the CHECK is not violated
        else:
            results.append(_LOOKUPS[kind](left, right))
    held = all(results) if condition.connector == Q.AND else any(results)
    return not held if condition.negated else held


def _refusal(model: type[models.Model], error: IntegrityError) -> str:
    """The message of a row the database refused: the rule's own Italian message when it
    is one of the model's constraints (the one validation gives), else its name."""
    name = _constraint_name(error)
    # SQLite names the columns of a unique rule, not the rule.
    columns = re.search(r"UNIQUE constraint failed: ([\w., ]+)", str(error))
    failed = (
        {c.strip().rsplit(".", 1)[-1] for c in columns.group(1).split(",")} if columns else None
    )
    for constraint in model._meta.constraints:
        fields_: Sequence[str] = getattr(constraint, "fields", ())
        if constraint.name == name or (
            failed
            and fields_
            and {getattr(model._meta.get_field(f), "column", f) for f in fields_} == failed
        ):
            return str(constraint.get_violation_error_message())
    return _("Il database ha rifiutato la riga (regola %(rule)s).") % {"rule": name}


def _constraint_name(error: IntegrityError) -> str:
    text = str(error)
    match = re.search(r"(casework|sportelli)_[a-z0-9_]+", text)
    return match.group(0) if match else _("di integrità")


def _field(attribute: str, column: str, widget: widgets.Widget, **kwargs: Any) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=widget, **kwargs)


_ACK_CHANNEL = ChoiceWidget(AckChannel)
_PERSON_KEY = ("codice_fiscale", "cognome", "nome", "data_nascita", "id_persona")
_INTAKE_KEY = (*_PERSON_KEY, "sportello", "data_presa_in_carico", "presa_in_carico")


def _person_key_missing(headers: set[str]) -> bool:
    return "codice_fiscale" not in headers and not {"cognome", "nome", "data_nascita"} <= headers


class PersonResource(CaseworkResource):
    """People. The import recognises a person by codice fiscale; someone without one by
    surname, name and birth date among the people without a codice fiscale. A date in
    ``informativa_firmata_il`` records an acknowledgement of the privacy notice (the
    version in force on that date, or ``informativa_versione``; ``informativa_modalita``,
    in person by default), by the importing administrator."""

    id = _field("id", "id", IntegerWidget(), readonly=True)
    fiscal_code = _field("fiscal_code", "codice_fiscale", FiscalCodeWidget())
    last_name = _field("last_name", "cognome", TextWidget())
    first_name = _field("first_name", "nome", TextWidget())
    birth_date = _field("birth_date", "data_nascita", DateWidget())
    gender = _field("gender", "genere", ChoiceWidget(Gender))
    birthplace_comune = _field("birthplace_comune", "comune_nascita", ComuneWidget())
    birthplace_country = _field("birthplace_country", "stato_nascita", CountryWidget())
    residence_comune = _field("residence_comune", "comune_residenza", ComuneWidget())
    residence_country = _field("residence_country", "stato_residenza", CountryWidget())
    citizenship = _field("citizenship", "cittadinanza", ChoiceWidget(Citizenship))
    education = _field("education", "titolo_studio", ChoiceWidget(EducationLevel))
    email = _field("email", "email", TextWidget())
    phone = _field("phone", "telefono", PhoneWidget())
    privacy_ack_on = _field("privacy_ack_on", "informativa_firmata_il", DateWidget())

    extra_columns = ("informativa_versione", "informativa_modalita")

    class Meta:
        model = Person
        name = "Persone"
        fields = (
            "id",
            "fiscal_code",
            "last_name",
            "first_name",
            "birth_date",
            "gender",
            "birthplace_comune",
            "birthplace_country",
            "residence_comune",
            "residence_country",
            "citizenship",
            "education",
            "email",
            "phone",
            "privacy_ack_on",
        )
        import_id_fields = ("fiscal_code",)
        clean_model_instances = True
        skip_unchanged = False
        report_skipped = True
        use_transactions = True
        skip_diff = True
        use_bulk = True
        batch_size = BATCH_SIZE

    def key_columns_message(self, headers: set[str]) -> str | None:
        if _person_key_missing(headers):
            return _(
                "Mancano le colonne che riconoscono la persona: codice_fiscale, oppure "
                "cognome, nome e data_nascita. Aggiungerle all'intestazione (prima riga)."
            )
        return None

    def known_unique(self, instance: models.Model, constraint: models.BaseConstraint) -> bool:
        # One person per codice fiscale: the import read who has each code of the file.
        if constraint.name != "casework_person_cf_unique" or self.lookups is None:
            return False
        code = cast(Person, instance).fiscal_code
        if not code:
            return True
        if code not in self.lookups.people_by_cf:
            return False
        holder = self.lookups.people_by_cf[code]
        return holder is None or holder.pk == instance.pk

    def get_instance(self, instance_loader: Any, row: Any) -> Person | None:
        assert self.lookups is not None
        code = FiscalCodeWidget().clean(row.get("codice_fiscale"))
        if code:
            return self.lookups.person_by_cf(code)
        try:
            birth_date = DateWidget().clean(row.get("data_nascita"))
        except ValueError:
            return None  # reported by the field itself
        if birth_date is None:
            return None  # a required field: nobody has none, and the field reports it
        matches = self.lookups.person_by_name(
            TextWidget().clean(row.get("cognome")), TextWidget().clean(row.get("nome")), birth_date
        )
        return matches[0] if len(matches) == 1 else None

    def import_instance(self, instance: Person, row: Any, **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        # New to the database: neither there nor waiting for its batch (a row naming a
        # person an earlier row of the file brings changes that person).
        instance._import_new = (  # type: ignore[attr-defined]
            instance._state.adding and id(instance) not in self._pending_ids
        )
        instance._import_ack = None  # type: ignore[attr-defined]
        if "privacy_ack_on" not in errors and instance.privacy_ack_on is not None:
            try:
                instance._import_ack = self._acknowledgement(  # type: ignore[attr-defined]
                    instance.privacy_ack_on, row
                )
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _acknowledgement(self, on: dt.date, row: Any) -> tuple[PrivacyNotice, str, dt.date]:
        """The notice and channel of the row's acknowledgement, checked as
        ``services.record_acknowledgement`` checks them."""
        assert self.lookups is not None
        column = "informativa_firmata_il"
        version = TextWidget().clean(row.get("informativa_versione"))
        try:
            channel = _ACK_CHANNEL.clean(row.get("informativa_modalita"))
        except ValueError as exc:
            raise ValidationError({"informativa_modalita": [str(exc)]}) from None
        if version:
            notice = self.lookups.notice_by_version(version)
            if notice is None:
                raise ValidationError(
                    {
                        "informativa_versione": _(
                            "Nessuna informativa privacy in versione «%(version)s»."
                        )
                        % {"version": version}
                    }
                )
        else:
            notice = self.lookups.notice_on(on)
            if notice is None:
                raise ValidationError(
                    {column: _("Nessuna informativa privacy in vigore alla data indicata.")}
                )
        if on > local_today():
            raise ValidationError(
                {column: _("La data della presa visione non può essere nel futuro.")}
            )
        if on < notice.valid_from:
            raise ValidationError(
                {
                    column: _("La versione %(version)s dell'informativa è in vigore dal %(date)s.")
                    % {"version": notice.version, "date": f"{notice.valid_from:%d/%m/%Y}"}
                }
            )
        return notice, channel or AckChannel.IN_PERSON, on

    def after_save_instance(self, instance: models.Model, row: Any, **kwargs: Any) -> None:
        assert self.lookups is not None and isinstance(instance, Person)
        self.lookups.remember_person(instance)
        ack = getattr(instance, "_import_ack", None)
        if ack is not None:
            notice, channel, on = ack
            user = self.user if isinstance(self.user, get_user_model()) else None
            planned = (id(instance), notice.pk)
            exists = planned in self._acks_planned or (
                not getattr(instance, "_import_new", False)
                and PrivacyAcknowledgement.objects.filter(person=instance, notice=notice).exists()
            )
            if not exists:
                self._acks_planned.add(planned)
                self._extras.append(
                    PrivacyAcknowledgement(
                        person=instance,
                        notice=notice,
                        acknowledged_on=on,
                        channel=channel,
                        operator=user,
                    )
                )
        super().after_save_instance(instance, row, **kwargs)

    def remember_pending(self, instance: models.Model) -> None:
        assert self.lookups is not None and isinstance(instance, Person)
        self.lookups.remember_person(instance)

    def filter_export(self, queryset: QuerySet[Person], **kwargs: Any) -> QuerySet[Person]:
        return queryset.select_related(
            "birthplace_comune", "birthplace_country", "residence_comune", "residence_country"
        )


class ByOptionalId:
    """Rows are matched by an optional ``id`` column: an empty id is a new row."""

    _meta: Any  # the resource's options (django-import-export)
    user: AnyUser | None

    def get_instance(self, instance_loader: Any, row: Any) -> models.Model | None:
        raw = row.get("id")
        if blank(raw):
            return None  # a new row
        try:
            pk = IntegerWidget().clean(raw)
        except ValueError:
            return None  # reported by the id field
        return scoped(self._meta.model, self.user).filter(pk=pk).first()


def _person_columns(prefix: str) -> dict[str, fields.Field]:
    """The person's key, exported beside the person's codice fiscale (read-only: on import
    the key columns name the person, see ``Lookups.person``)."""
    return {
        "person_last_name": _field(f"{prefix}last_name", "cognome", TextWidget(), readonly=True),
        "person_first_name": _field(f"{prefix}first_name", "nome", TextWidget(), readonly=True),
        "person_birth_date": _field(
            f"{prefix}birth_date", "data_nascita", DateWidget(), readonly=True
        ),
    }


class IntakeResource(ByOptionalId, CaseworkResource):
    """Intakes, recognised by id. A new intake takes its snapshot (age at intake, origin...)
    from the person, exactly as one typed in the app. The person is named by codice
    fiscale, or by cognome + nome + data_nascita (or id_persona)."""

    id = _field("id", "id", IntegerWidget())
    person = _field("person", "codice_fiscale", PersonWidget())
    person_id = _field("person_id", "id_persona", IntegerWidget(), readonly=True)
    locals().update(_person_columns("person__"))
    desk = _field("desk", "sportello", DeskWidget())
    opened_on = _field("opened_on", "data_presa_in_carico", DateWidget())
    operator = _field("operator", "operatore", UserWidget())
    channel = _field("channel", "canale", ChoiceWidget(IntakeChannel))
    main_need = _field("main_need", "bisogno_principale", ChoiceWidget(Need))
    needs = _field("needs", "bisogni", TextWidget())
    labour_status = _field("labour_status", "condizione_occupazionale", ChoiceWidget(LabourStatus))
    unemployment_months = _field("unemployment_months", "mesi_disoccupazione", IntegerWidget())
    recent_graduate = _field("recent_graduate", "neolaureato", BooleanWidget(empty=False))
    returning_after_care = _field(
        "returning_after_care", "rientro_dopo_cura", BooleanWidget(empty=False)
    )
    status = _field("status", "stato", ChoiceWidget(IntakeStatus))
    closed_on = _field("closed_on", "data_chiusura", DateWidget())
    closure_reason = _field("closure_reason", "motivo_chiusura", ChoiceWidget(ClosureReason))
    closure_note = _field("closure_note", "nota_chiusura", TextWidget())
    # The snapshot, exported for reading; never imported (it is computed).
    age_at_intake = _field(
        "age_at_intake", "eta_alla_presa_in_carico", IntegerWidget(), readonly=True
    )
    age_band = _field("age_band", "fascia_eta", TextWidget(), readonly=True)
    esf_age_band = _field("esf_age_band", "fascia_eta_fse", TextWidget(), readonly=True)
    origin = _field("origin", "provenienza", TextWidget(), readonly=True)

    class Meta:
        model = Intake
        name = "Prese in carico"
        fields = (
            "id",
            "person",
            "person_last_name",
            "person_first_name",
            "person_birth_date",
            "person_id",
            "desk",
            "opened_on",
            "operator",
            "channel",
            "main_need",
            "needs",
            "labour_status",
            "unemployment_months",
            "recent_graduate",
            "returning_after_care",
            "status",
            "closed_on",
            "closure_reason",
            "closure_note",
            "age_at_intake",
            "age_band",
            "esf_age_band",
            "origin",
        )
        import_id_fields = ["id"]  # optional column: an empty id is a new row
        clean_model_instances = True
        skip_unchanged = False
        report_skipped = True
        use_transactions = True
        skip_diff = True
        use_bulk = True
        batch_size = BATCH_SIZE

    def known_columns(self) -> list[str]:
        return [*super().known_columns(), "cognome", "nome", "data_nascita", "id_persona"]

    def key_fields(self) -> dict[str, tuple[str, ...]]:
        return {"codice_fiscale": ("cognome", "nome", "data_nascita", "id_persona")}

    def key_columns_message(self, headers: set[str]) -> str | None:
        if "id" not in headers and (
            (_person_key_missing(headers) and "id_persona" not in headers)
            or not {"sportello", "data_presa_in_carico"} <= headers
        ):
            return _(
                "Mancano le colonne che riconoscono la presa in carico: la persona "
                "(codice_fiscale, oppure cognome, nome e data_nascita), sportello e "
                "data_presa_in_carico; oppure id per correggere prese in carico esistenti. "
                "Aggiungerle all'intestazione (prima riga)."
            )
        return None

    def import_instance(self, instance: Intake, row: Any, **kwargs: Any) -> None:
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            if instance._state.adding and instance.person_id and instance.opened_on:
                instance.take_snapshot()

    def prefetch(self, dataset: Any) -> None:
        super().prefetch(dataset)
        assert self.lookups is not None
        people = [p for p in self.lookups.people_by_cf.values() if p is not None]
        people += [p for same in self.lookups.people_by_name.values() for p in same]
        self.lookups.prefetch_intakes(people)

    def known_unique(self, instance: models.Model, constraint: models.BaseConstraint) -> bool:
        # One open intake per person and desk: the import read the person's intakes.
        intake = cast(Intake, instance)
        if constraint.name != "casework_one_open_intake_per_desk" or self.lookups is None:
            return False
        if intake.status != IntakeStatus.OPEN:
            return True
        if not intake.person_id or not self.lookups.knows_intakes_of(intake.person_id):
            return False
        others = self.lookups.intakes_by_person.get(intake.person_id, {}).values()
        return not any(
            other.pk != intake.pk and other.desk_id == intake.desk_id and other.is_open
            for other in others
        )

    def after_save_instance(self, instance: models.Model, row: Any, **kwargs: Any) -> None:
        assert self.lookups is not None and isinstance(instance, Intake)
        self.lookups.remember_intake(instance)
        super().after_save_instance(instance, row, **kwargs)

    def extra_validation_exclusions(self, instance: models.Model) -> set[str]:
        # No snapshot without a person and a date; their own errors are reported already.
        intake = cast(Intake, instance)  # this resource's rows
        return set() if intake.age_band else set(_SNAPSHOT_FIELDS)

    def filter_export(self, queryset: QuerySet[Intake], **kwargs: Any) -> QuerySet[Intake]:
        return queryset.select_related("person", "desk", "operator")


def _intake_columns() -> dict[str, fields.Field]:
    """The intake's key, exported beside its number (read-only: on import the key columns
    name the intake, see ``Lookups.intake``)."""
    return {
        "intake_person": _field(
            "intake__person__fiscal_code", "codice_fiscale", TextWidget(), readonly=True
        ),
        **_person_columns("intake__person__"),
        "intake_desk": _field("intake__desk", "sportello", DeskWidget(), readonly=True),
        "intake_opened_on": _field(
            "intake__opened_on", "data_presa_in_carico", DateWidget(), readonly=True
        ),
    }


_INTAKE_KEY_FIELDS = (
    "intake",
    "intake_person",
    "person_last_name",
    "person_first_name",
    "person_birth_date",
    "intake_desk",
    "intake_opened_on",
)


class _ByIntake(CaseworkResource):
    """Meetings and referrals: their intake by the person's key, desk and intake date, or by
    its number (``presa_in_carico``)."""

    def known_columns(self) -> list[str]:
        return [*super().known_columns(), "id_persona"]

    def key_fields(self) -> dict[str, tuple[str, ...]]:
        return {"presa_in_carico": _INTAKE_KEY[:-1]}

    def key_columns_message(self, headers: set[str]) -> str | None:
        keyed = (
            not (_person_key_missing(headers) and "id_persona" not in headers)
            and {
                "sportello",
                "data_presa_in_carico",
            }
            <= headers
        )
        if not keyed and not headers & {"presa_in_carico", "id"}:
            return _(
                "Mancano le colonne che riconoscono la presa in carico: la persona "
                "(codice_fiscale, oppure cognome, nome e data_nascita), sportello e "
                "data_presa_in_carico; oppure presa_in_carico, il suo numero. Aggiungerle "
                "all'intestazione (prima riga)."
            )
        return None

    def prefetch(self, dataset: Any) -> None:
        super().prefetch(dataset)
        assert self.lookups is not None
        people = [p for p in self.lookups.people_by_cf.values() if p is not None]
        people += [p for same in self.lookups.people_by_name.values() for p in same]
        self.lookups.prefetch_intakes(people)


class MeetingResource(ByOptionalId, _ByIntake):
    id = _field("id", "id", IntegerWidget())
    intake = _field("intake", "presa_in_carico", IntakeWidget())
    locals().update(_intake_columns())
    held_on = _field("held_on", "data", DateWidget())
    start_time = _field("start_time", "ora", TimeWidget())
    mode = _field("mode", "modalita", ChoiceWidget(MeetingMode))
    duration_minutes = _field("duration_minutes", "durata_minuti", IntegerWidget())
    activities = _field("activities", "attivita", ActivitiesWidget())
    notes = _field("notes", "note", TextWidget())
    attended = _field("attended", "presente", BooleanWidget(empty=True))
    next_appointment_at = _field("next_appointment_at", "prossimo_appuntamento", DateTimeWidget())
    operator = _field("operator", "operatore", UserWidget())

    class Meta:
        model = Meeting
        name = "Colloqui"
        fields = (
            "id",
            *_INTAKE_KEY_FIELDS,
            "held_on",
            "start_time",
            "mode",
            "duration_minutes",
            "activities",
            "notes",
            "attended",
            "next_appointment_at",
            "operator",
        )
        import_id_fields = ["id"]  # optional column: an empty id is a new row
        clean_model_instances = True
        skip_unchanged = False
        report_skipped = True
        use_transactions = True
        skip_diff = True
        use_bulk = True
        batch_size = BATCH_SIZE

    def import_instance(self, instance: Meeting, row: Any, **kwargs: Any) -> None:
        # The library sets many-to-many values after saving, where a bad code would be a
        # bare exception: check the activity codes here so they are a row error like others.
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "attivita" in row:
            try:
                self.fields["activities"].clean(row, lookups=self.lookups)
            except ValueError as exc:
                errors["activities"] = [str(exc)]
        if instance.duration_minutes is None:
            instance.duration_minutes = Meeting._meta.get_field("duration_minutes").default
        if errors:
            raise ValidationError(errors)

    def filter_export(self, queryset: QuerySet[Meeting], **kwargs: Any) -> QuerySet[Meeting]:
        return queryset.select_related(
            "intake__person", "intake__desk", "operator"
        ).prefetch_related("activities")


class ReferralResource(ByOptionalId, _ByIntake):
    """Referrals (invii): to a course, an agency, an internship, a measure."""

    id = _field("id", "id", IntegerWidget())
    intake = _field("intake", "presa_in_carico", IntakeWidget())
    locals().update(_intake_columns())
    kind = _field("kind", "tipo", ChoiceWidget(ReferralKind))
    partner = _field("partner", "partner", PartnerWidget())
    description = _field("description", "descrizione", TextWidget())
    referred_on = _field("referred_on", "data_invio", DateWidget())
    outcome = _field("outcome", "esito", ChoiceWidget(ReferralOutcome))
    outcome_on = _field("outcome_on", "data_esito", DateWidget())
    notes = _field("notes", "note", TextWidget())

    class Meta:
        model = Referral
        name = "Invii"
        fields = (
            "id",
            *_INTAKE_KEY_FIELDS,
            "kind",
            "partner",
            "description",
            "referred_on",
            "outcome",
            "outcome_on",
            "notes",
        )
        import_id_fields = ["id"]  # optional column: an empty id is a new row
        clean_model_instances = True
        skip_unchanged = False
        report_skipped = True
        use_transactions = True
        skip_diff = True
        use_bulk = True
        batch_size = BATCH_SIZE

    def import_instance(self, instance: Referral, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        if not instance.outcome:
            instance.outcome = ReferralOutcome.PENDING

    def filter_export(self, queryset: QuerySet[Referral], **kwargs: Any) -> QuerySet[Referral]:
        return queryset.select_related("intake__person", "intake__desk", "partner")


# --- Reporting the rows that are wrong -----------------------------------------------------


def row_errors(result: Result) -> list[tuple[int, str]]:
    """Every bad row of an import as (row number, Italian message), in file order.

    Row 1 is the first row after the header, as in the admin's preview.
    """
    lines: list[tuple[int, str]] = []
    for invalid in result.invalid_rows:
        parts = []
        for field, messages in invalid.error_dict.items():
            text = " ".join(str(m) for m in messages)
            parts.append(text if field == NON_FIELD_ERRORS else f"{field}: {text}")
        lines.append((invalid.number, "; ".join(parts)))
    for error_row in result.error_rows:
        lines.append((error_row.number, "; ".join(str(e.error) for e in error_row.errors)))
    lines.extend((0, str(e.error)) for e in result.base_errors)
    return sorted(lines)


def bad_row_numbers(result: Result) -> Iterable[int]:
    return sorted({number for number, _message in row_errors(result)})


# --- What the admin's import page shows ----------------------------------------------------


def import_report(result: Result) -> dict[str, Any]:
    """The import page's content: file-level problems, every bad row numbered as in the
    spreadsheet (the header is row 1), and the first rows as they will be written.

    Only an :class:`ImportFileError` message is shown as it is; anything else unexpected is
    a general message (an exception's text could carry data or server paths).
    """
    file_errors = []
    for error in result.base_errors:
        if isinstance(error.error, ImportFileError):
            file_errors.append(error.error.message)
        else:
            file_errors.append(
                _("Il file non si può importare: controllare che sia il tipo di dati giusto.")
            )
    bad_rows: list[tuple[int, list[tuple[str, str]]]] = []
    for invalid in result.invalid_rows:
        messages = []
        for field, field_messages in invalid.error_dict.items():
            column = "" if field == NON_FIELD_ERRORS else field
            messages.append((column, " ".join(str(m) for m in field_messages)))
        bad_rows.append((invalid.number + 1, messages))
    for line, errors in result.row_errors():
        bad_rows.append(
            (line + 1, [("", _("Errore imprevisto nel salvare la riga.")) for _e in errors])
        )
    bad_rows.sort(key=lambda row: row[0])
    labels = {
        RowResult.IMPORT_TYPE_NEW: _("Nuova"),
        RowResult.IMPORT_TYPE_UPDATE: _("Aggiornata"),
        RowResult.IMPORT_TYPE_SKIP: _("Saltata"),
        RowResult.IMPORT_TYPE_DELETE: _("Eliminata"),
    }
    preview = [
        (number + 1, labels.get(row.import_type, ""), row.preview)
        for number, row in enumerate(result.rows, start=1)
        if getattr(row, "preview", None) is not None
    ]
    return {
        "file_errors": file_errors,
        "bad_rows": bad_rows,
        "headers": list(result.diff_headers),
        "preview": preview,
        "new": result.totals.get(RowResult.IMPORT_TYPE_NEW, 0),
        "update": result.totals.get(RowResult.IMPORT_TYPE_UPDATE, 0),
        "total": result.total_rows,
    }
