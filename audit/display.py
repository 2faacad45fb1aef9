"""The audit trail as an administrator reads it: in Italian, with names instead of ids.

django-auditlog stores each change as text: a foreign key as the id it pointed at, a closed
list as its code, a date in ISO form, a yes/no as ``True``; a read as the URL name of the
page (``casework:meeting_add``). :func:`describe_entries` turns a page of entries into what
the admin shows — the field's label, the comune's or the desk's name, the list's label,
``27/11/2026``, ``sì``, *Nuovo colloquio* — looking up the names of every entry of the page
in one query per related model (never one per entry).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.utils.translation import pgettext_lazy as p_

EMPTY = "—"

# What a model's name (``__str__``) reads from other tables: joined, not queried per row.
NAMED_WITH = {"casework.intake": ("desk",)}

ACTION_LABELS = {
    LogEntry.Action.CREATE: p_("audit action", "creazione"),
    LogEntry.Action.UPDATE: p_("audit action", "modifica"),
    LogEntry.Action.DELETE: p_("audit action", "eliminazione"),
    LogEntry.Action.ACCESS: p_("audit action", "lettura"),
}

# The pages a read is recorded on (audit/reads.py, reports/exports.py, privacy/admin.py).
VIEW_LABELS = {
    "casework:person": gettext_lazy("scheda della persona"),
    "casework:person_edit": gettext_lazy("modifica anagrafica"),
    "casework:intake_new": gettext_lazy("nuova presa in carico di una persona già nota"),
    "casework:intake_close": gettext_lazy("chiusura della presa in carico"),
    "casework:meeting_add": gettext_lazy("nuovo colloquio"),
    "casework:referral_add": gettext_lazy("nuovo invio"),
    "casework:meeting_edit": gettext_lazy("modifica del colloquio"),
    "casework:referral_edit": gettext_lazy("modifica dell'invio"),
    "casework:referral_outcome": gettext_lazy("esito dell'invio"),
    "admin:casework_person_change": gettext_lazy("amministrazione: scheda della persona"),
    "admin:casework_intake_change": gettext_lazy("amministrazione: presa in carico"),
    "admin:casework_meeting_change": gettext_lazy("amministrazione: colloquio"),
    "admin:casework_referral_change": gettext_lazy("amministrazione: invio"),
    "admin:casework_person_export": gettext_lazy("amministrazione: esportazione delle persone"),
    "admin:casework_intake_export": gettext_lazy(
        "amministrazione: esportazione delle prese in carico"
    ),
    "admin:casework_meeting_export": gettext_lazy("amministrazione: esportazione dei colloqui"),
    "privacy:subject_access_export": gettext_lazy("copia dei dati per l'interessato"),
    "reports:workbook": gettext_lazy("resoconto: foglio di lavoro"),
    "reports:records": gettext_lazy("resoconto: dati pseudonimizzati"),
}


def view_label(name: str) -> str:
    """The page a read happened on, as a user would call it (the URL name if unknown)."""
    if not name:
        return EMPTY
    return str(VIEW_LABELS.get(name, name))


@dataclass
class Described:
    """One entry as shown: who, what, on which object, and each change."""

    entry: LogEntry
    action: str
    subject: str
    page: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def actor(self) -> str:
        return self.entry.actor.get_username() if self.entry.actor else gettext("sistema")


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except Exception:
        return None
    return found if isinstance(found, models.Field) else None


def _target(model_field: models.Field) -> type[models.Model] | None:
    """The model a foreign key points at."""
    target = model_field.related_model
    return target if isinstance(target, type) else None


def _plausible_pk(model: type[models.Model], value: object) -> bool:
    """Whether ``value`` (text from the trail) can be one of ``model``'s keys."""
    try:
        model._meta.pk.to_python(value)
    except ValidationError:
        return False
    return True


def _is_empty(value: object) -> bool:
    return value in (None, "None", "")


def describe_entries(entries: Iterable[LogEntry]) -> list[Described]:
    """Each entry as an administrator reads it; one query per model the entries point at
    (the objects themselves, the comuni, desks, users... their changes name)."""
    entries = list(entries)
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        if model is not None and entry.object_pk:
            wanted[model].add(entry.object_pk)
        for name, values in (entry.changes_dict or {}).items():
            related = _field(model, name)
            if related is None or not (related.many_to_one or related.one_to_one):
                continue
            target = _target(related)
            if target is not None and isinstance(values, list):
                wanted[target].update(v for v in values if not _is_empty(v))
    names: dict[type[models.Model], dict[str, str]] = {}
    for model, pks in wanted.items():
        valid = [pk for pk in pks if _plausible_pk(model, pk)]
        rows = model._base_manager.select_related(*NAMED_WITH.get(model._meta.label_lower, ()))
        found = rows.in_bulk([model._meta.pk.to_python(pk) for pk in valid])
        names[model] = {str(pk): str(obj) for pk, obj in found.items()}
    return [_describe(entry, names) for entry in entries]


def _describe(entry: LogEntry, names: dict[type[models.Model], dict[str, str]]) -> Described:
    model = entry.content_type.model_class()
    extra = entry.additional_data or {}
    described = Described(
        entry=entry,
        action=str(ACTION_LABELS.get(entry.action, entry.get_action_display())),
        subject=_subject(entry, model, names),
    )
    if entry.action == LogEntry.Action.ACCESS:
        described.page = view_label(extra.get("view", ""))
        return described
    for name, values in sorted((entry.changes_dict or {}).items()):
        model_field = _field(model, name)
        if model is not None and (model_field is None or model_field.primary_key):
            continue  # its id, or a reverse relation ("casework.Intake.None" on creation)
        label = capfirst(str(model_field.verbose_name)) if model_field else name
        if isinstance(values, dict):  # many-to-many: {"operation": ..., "objects": [...]}
            sign = "+" if values.get("operation") == "add" else "−"
            objects = ", ".join(map(str, values.get("objects", [])))
            described.changes.append((label, "", f"{sign} {objects}"))
            continue
        old, new = [*values, None, None][:2]
        if _is_empty(old) and _is_empty(new):
            continue  # left empty on creation
        described.changes.append(
            (label, _value(model_field, old, names), _value(model_field, new, names))
        )
    return described


def _subject(
    entry: LogEntry,
    model: type[models.Model] | None,
    names: dict[type[models.Model], dict[str, str]],
) -> str:
    kind = capfirst(str(model._meta.verbose_name)) if model else entry.content_type.name
    export = (entry.additional_data or {}).get("export")
    if export:
        rows = int(export.get("rows", 0))
        return ngettext(
            "%(kind)s: esportazione di %(rows)d riga (%(format)s)",
            "%(kind)s: esportazione di %(rows)d righe (%(format)s)",
            rows,
        ) % {"kind": kind, "rows": rows, "format": export.get("format", "")}
    if not entry.object_pk:
        return kind
    name = names.get(model, {}).get(str(entry.object_pk)) if model else None
    if name is None:  # deleted since: what it was called when the entry was written
        return gettext("%(kind)s «%(name)s» (non più presente)") % {
            "kind": kind,
            "name": entry.object_repr,
        }
    return f"{kind} «{name}»"


def _value(
    model_field: models.Field | None,
    value: object,
    names: dict[type[models.Model], dict[str, str]],
) -> str:
    if _is_empty(value):
        return EMPTY
    text = str(value)
    if model_field is None:
        return text
    if model_field.many_to_one or model_field.one_to_one:
        target = _target(model_field)
        related = names.get(target, {}) if target is not None else {}
        return related.get(text, gettext("#%(id)s (non più presente)") % {"id": text})
    if model_field.choices:
        labels = {str(k): str(v) for k, v in model_field.flatchoices}
        return labels.get(text, text)
    if isinstance(model_field, models.BooleanField):
        return {"True": gettext("sì"), "False": gettext("no")}.get(text, text)
    if isinstance(model_field, models.DateTimeField):
        moment = parse_datetime(text)
        if moment is None:
            return text
        if timezone.is_naive(moment):  # django-auditlog stores them naive, in UTC
            moment = moment.replace(tzinfo=dt.UTC)
        moment = timezone.localtime(moment)
        return f"{moment:%d/%m/%Y %H:%M}"
    if isinstance(model_field, models.DateField):
        day = parse_date(text)
        return f"{day:%d/%m/%Y}" if isinstance(day, dt.date) else text
    return text
