"""Sending a quarter: freeze what left the consortium, show it, and explain what changed since.

``send_review`` computes the review with the same functions as the page and the downloads
(``compute_review``; ``workbook.visible_tables`` for each variant, which applies the
external variant's disclosure control; ``build_workbook`` for the files), and stores the
figures of both variants and the two files' bytes with their SHA-256 in one transaction
(``reports.models``). Nothing frozen is recomputed later: a change of the suppression rules
or of the data leaves a sent version exactly as it was.

``frozen_review`` turns a version back into a :class:`~reports.review.Review`, so the page
and its charts show the sent figures with the code that shows the live ones. ``drift``
compares a version with the live figures cell by cell and says why they may differ: the
records of the period (and of the previous period, which the comparison tables use) added,
corrected or anonymised after the version was recorded (their ``created_at``,
``updated_at`` and ``anonymised_at`` columns), and the deletions the audit trail recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import ngettext_lazy

from agenda.models import Appointment
from casework.models import Intake, Meeting, Person, Referral
from casework.permissions import reads_review, sees_all_desks, sees_special_categories
from reports.models import SentFile, SentReview
from reports.review import Review, compute_review
from reports.tables import Row, Shown, Table
from reports.workbook import Variant, build_workbook, visible_tables, workbook_filename
from sportelli.models import Desk

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from activitycr.http import AnyUser


def may_send(user: AnyUser) -> bool:
    """The Ufficio di Piano and administrators: they read the review of every desk and may
    make the internal workbook that is frozen with the external one."""
    return reads_review(user) and sees_all_desks(user)


def may_read_sent(user: AnyUser) -> bool:
    return may_send(user)


# --- Tables to JSON and back ------------------------------------------------------------


def _row(row: Row[Shown]) -> list[Any]:
    return [row.label, row.key, list(row.values)]


def dump_table(table: Table[Shown]) -> dict[str, Any]:
    return {
        "key": table.key,
        "title": table.title,
        "columns": list(table.columns),
        "label_header": table.label_header,
        "rows": [_row(r) for r in table.rows],
        "total": _row(table.total) if table.total is not None else None,
        "definition": table.definition,
        "counts_people": table.counts_people,
        "special_category": table.special_category,
    }


def _load_row(data: list[Any]) -> Row[Shown]:
    label, key, values = data
    return Row(label=label, values=tuple(values), key=key)


def load_table(data: Mapping[str, Any]) -> Table[Shown]:
    return Table(
        key=data["key"],
        title=data["title"],
        columns=tuple(data["columns"]),
        label_header=data["label_header"],
        rows=tuple(_load_row(r) for r in data["rows"]),
        total=_load_row(data["total"]) if data["total"] is not None else None,
        definition=data["definition"],
        counts_people=data["counts_people"],
        special_category=data["special_category"],
    )


def _dump_tables(tables: Mapping[str, Table[Shown]]) -> list[dict[str, Any]]:
    return [dump_table(t) for t in tables.values()]


def sent_tables(sending: SentReview, variant: str, *, user: AnyUser) -> dict[str, Table[Shown]]:
    """The frozen tables of one variant, minus the special-category ones the user may not
    see."""
    special = sees_special_categories(user)
    tables = (load_table(t) for t in sending.figures[variant]["tables"])
    return {t.key: t for t in tables if special or not t.special_category}


def frozen_review(sending: SentReview, *, user: AnyUser) -> Review:
    """The sent version as a Review (internal figures), for the page and its charts."""
    figures = sending.figures
    desks = tuple(Desk(id=pk, slug=slug, name=name) for pk, slug, name in figures["desks"])
    previous_start, previous_end = (dt.date.fromisoformat(d) for d in figures["previous"])
    return Review(
        start=sending.start,
        end=sending.end,
        desks=desks,
        tables=sent_tables(sending, Variant.INTERNAL, user=user),  # type: ignore[arg-type]
        summary=figures[Variant.INTERNAL]["summary"],
        previous_start=previous_start,
        previous_end=previous_end,
    )


# --- Versions ----------------------------------------------------------------------------


def versions(*, start: dt.date, end: dt.date, desk: Desk | None) -> list[SentReview]:
    """Every version sent for this selection, newest first, with sender and files."""
    return list(
        SentReview.objects.filter(start=start, end=end, desk=desk)
        .select_related("sent_by", "desk")
        .prefetch_related("files")
        .defer("files__content")
        .order_by("-version")
    )


class SendRefused(Exception):
    """Why a version cannot be recorded (an Italian message for the page)."""


def _workbook_bytes(review: Review, *, user: User, variant: str, made_at: dt.datetime) -> bytes:
    handle = io.BytesIO()
    build_workbook(review=review, user=user, variant=variant, made_at=made_at).save(handle)
    return handle.getvalue()


def send_review(
    *,
    user: User,
    start: dt.date,
    end: dt.date,
    desk: Desk | None,
    recipients: str,
    sent_on: dt.date,
    reason: str = "",
) -> SentReview:
    """Freeze the review of [start, end] at ``desk`` (None: every desk) as sent by ``user``:
    the next version, with both variants' figures and files. From the second version on a
    reason is required."""
    if not may_send(user):
        raise PermissionError("sending a review needs the Ufficio di Piano's permissions")
    review = compute_review(user=user, start=start, end=end, desks=[desk] if desk else None)
    internal = visible_tables(review, user=user, variant=Variant.INTERNAL)
    external = visible_tables(review, user=user, variant=Variant.EXTERNAL)
    now = timezone.now()
    files = {
        variant: _workbook_bytes(review, user=user, variant=variant, made_at=now)
        for variant in (Variant.EXTERNAL, Variant.INTERNAL)
    }
    figures = {
        "desks": [[d.pk, d.slug, d.name] for d in review.desks],
        "previous": [review.previous_start.isoformat(), review.previous_end.isoformat()],
        Variant.INTERNAL: {"summary": review.summary, "tables": _dump_tables(internal)},
        Variant.EXTERNAL: {"tables": _dump_tables(external)},
    }
    try:
        with transaction.atomic():
            last = SentReview.objects.filter(start=start, end=end, desk=desk).aggregate(
                n=Max("version")
            )["n"]
            if last and not reason.strip():
                raise SendRefused("reason")
            sending = SentReview.objects.create(
                start=start,
                end=end,
                desk=desk,
                version=(last or 0) + 1,
                recipients=recipients.strip(),
                sent_on=sent_on,
                sent_by=user,
                reason=reason.strip(),
                includes_special=any(t.special_category for t in internal.values()),
                figures=figures,
            )
            for variant, content in files.items():
                SentFile.objects.create(
                    sending=sending,
                    variant=variant,
                    filename=sent_filename(sending, review, variant=variant),
                    content=content,
                    sha256=hashlib.sha256(content).hexdigest(),
                    size=len(content),
                )
    except IntegrityError as exc:  # two versions recorded at the same moment
        raise SendRefused("race") from exc
    return sending


def sent_filename(sending: SentReview, review: Review, *, variant: str) -> str:
    name = workbook_filename(review, variant=variant, all_desks=sending.desk_id is None)
    return name.removesuffix(".xlsx") + f"-v{sending.version}.xlsx"


# --- Drift -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellChange:
    table: str  # title
    row: str  # label
    column: str
    sent: Shown
    live: Shown
    # Why, as far as the records tell: what was added, corrected or deleted after the
    # version was recorded among the records this cell counts (its kind of record, at its
    # desk when the column is a desk), in Italian, e.g. "2 colloqui registrati dopo l'invio".
    why: tuple[str, ...] = ()


@dataclass(frozen=True)
class Drift:
    internal: tuple[CellChange, ...]  # every figure
    external: tuple[CellChange, ...]  # what the external file would show today
    reasons: dict[str, int]  # see REASONS: the whole selection

    @property
    def changed(self) -> bool:
        return bool(self.internal or self.external)


REASONS = (
    "intakes_added",
    "meetings_added",
    "referrals_added",
    "appointments_added",
    "intakes_corrected",
    "meetings_corrected",
    "referrals_corrected",
    "appointments_corrected",
    "people_corrected",
    "people_anonymised",
    "deleted",
)

# What a cell counts, by table (and, in the first table, by row): the kinds of record
# whose additions, corrections and deletions can change it. Anonymising a person changes
# no figure (the figures use the intake's own copy of what they count).
_KINDS_OF_TABLE: dict[str, tuple[str, ...]] = {
    "meetings_per_person": ("intakes", "meetings"),
    "meetings_mean": ("intakes", "meetings"),
    "meeting_mode": ("meetings",),
    "meeting_attendance": ("meetings",),
    "meeting_shares": ("meetings",),
    "appointments_recorded": ("appointments", "meetings"),
    "appointments_missed": ("appointments", "meetings"),
    "no_show_rate": ("appointments", "meetings"),
    "referral_kind": ("referrals",),
    "referral_partner": ("referrals",),
    "trend": ("intakes", "meetings"),
    "change": ("intakes", "meetings"),
}
_KINDS_OF_PEOPLE_ROW: dict[str, tuple[str, ...]] = {
    "people": ("intakes", "people"),
    "intakes": ("intakes",),
    "meetings": ("meetings",),
    "accesses": ("intakes", "meetings"),
}
_PEOPLE_BREAKDOWN = ("intakes", "people")  # every other table: the people taken in


def kinds_of_cell(table: str, row: str) -> tuple[str, ...]:
    if table == "people":
        return _KINDS_OF_PEOPLE_ROW.get(row, _PEOPLE_BREAKDOWN)
    return _KINDS_OF_TABLE.get(table, _PEOPLE_BREAKDOWN)


# A reason with its number: ``_REASON_TEXTS[key] % {"n": count}``, in the active language.
_REASON_TEXTS = {
    "intakes_added": ngettext_lazy(
        "%(n)d presa in carico registrata dopo l'invio",
        "%(n)d prese in carico registrate dopo l'invio",
        "n",
    ),
    "meetings_added": ngettext_lazy(
        "%(n)d colloquio registrato dopo l'invio", "%(n)d colloqui registrati dopo l'invio", "n"
    ),
    "referrals_added": ngettext_lazy(
        "%(n)d invio a un servizio registrato dopo l'invio",
        "%(n)d invii a un servizio registrati dopo l'invio",
        "n",
    ),
    "appointments_added": ngettext_lazy(
        "%(n)d appuntamento registrato dopo l'invio",
        "%(n)d appuntamenti registrati dopo l'invio",
        "n",
    ),
    "intakes_corrected": ngettext_lazy(
        "%(n)d presa in carico corretta", "%(n)d prese in carico corrette", "n"
    ),
    "meetings_corrected": ngettext_lazy("%(n)d colloquio corretto", "%(n)d colloqui corretti", "n"),
    "referrals_corrected": ngettext_lazy(
        "%(n)d invio a un servizio corretto (esito compreso)",
        "%(n)d invii a un servizio corretti (esiti compresi)",
        "n",
    ),
    "appointments_corrected": ngettext_lazy(
        "%(n)d appuntamento aggiornato", "%(n)d appuntamenti aggiornati", "n"
    ),
    "people_corrected": ngettext_lazy(
        "%(n)d scheda di persona corretta", "%(n)d schede di persone corrette", "n"
    ),
    "deleted": ngettext_lazy(
        "%(n)d registrazione cancellata", "%(n)d registrazioni cancellate", "n"
    ),
}


_DELETABLE = ("intakes", "meetings", "referrals")  # what the trail's deletions are counted for
_REASONS_OF_KIND = {
    "intakes": ("intakes_added", "intakes_corrected"),
    "meetings": ("meetings_added", "meetings_corrected"),
    "referrals": ("referrals_added", "referrals_corrected"),
    "appointments": ("appointments_added", "appointments_corrected"),
    "people": ("people_corrected",),
}


def _cells(table: Table[Shown]) -> dict[tuple[str, str], tuple[str, Shown]]:
    rows = [*table.rows, *([table.total] if table.total is not None else [])]
    cells: dict[tuple[str, str], tuple[str, Shown]] = {}
    for row in rows:
        for column, value in zip(table.columns, row.values, strict=False):
            cells[(row.key or row.label, column)] = (row.label, value)
    return cells


# (table key, row key, column header) -> why the cell may have changed
Explain = Callable[[str, str, str], tuple[str, ...]]


def compare(
    sent: Mapping[str, Table[Shown]],
    live: Mapping[str, Table[Shown]],
    explain: Explain | None = None,
) -> tuple[CellChange, ...]:
    """Every cell whose value differs, in the order of the sent tables (a row or column that
    appeared or disappeared counts as changed, from or to nothing), each with ``explain``'s
    reasons."""
    changes: list[CellChange] = []
    for key in [*sent, *(k for k in live if k not in sent)]:
        before = _cells(sent[key]) if key in sent else {}
        after = _cells(live[key]) if key in live else {}
        title = (sent.get(key) or live[key]).title
        for cell in [*before, *(c for c in after if c not in before)]:
            label_b, value_b = before.get(cell, ("", None))
            label_a, value_a = after.get(cell, ("", None))
            if value_b != value_a:
                why = explain(key, cell[0], cell[1]) if explain else ()
                changes.append(
                    CellChange(title, label_b or label_a, cell[1], value_b, value_a, why)
                )
    return tuple(changes)


class _Explainer:
    """Reads the reasons of a cell: the counts of its kinds of record at the desk of its
    column (a desk column) or of the whole selection (the total, a gender, an outcome)."""

    def __init__(
        self,
        live: Review,
        by_desk: Mapping[int, Mapping[str, int]],
        total: Mapping[str, int],
        desk_id: int | None,
    ) -> None:
        self.desk_id = desk_id
        self.live_tables = live.tables
        self.desk_of_header = {desk.name: desk.pk for desk in live.desks}
        self.by_desk, self.total = by_desk, total

    def __call__(self, table: str, row: str, column: str) -> tuple[str, ...]:
        desk = None
        shape = self.live_tables.get(table)
        if shape is not None and shape.column_dim == "desk" and len(self.desk_of_header) > 1:
            desk = self.desk_of_header.get(column)
        if desk is None and self.desk_id is not None:
            desk = self.desk_id  # a single desk's version: every column is that desk
        counts = self.by_desk.get(desk, {}) if desk is not None else self.total
        kinds = kinds_of_cell(table, row)
        reasons = [r for kind in kinds for r in _REASONS_OF_KIND[kind]]
        why = [_REASON_TEXTS[r] % {"n": counts[r]} for r in reasons if counts.get(r)]
        deleted = sum(counts.get(f"{kind}_deleted", 0) for kind in kinds if kind in _DELETABLE)
        if deleted:
            why.append(_REASON_TEXTS["deleted"] % {"n": deleted})
        return tuple(why)


def _selection_querysets(
    sending: SentReview, *, user: AnyUser, previous_start: dt.date
) -> tuple[Any, Any, Any, Any]:
    start, end = previous_start, sending.end
    intakes = Intake.objects.visible_to(user).filter(opened_on__gte=start, opened_on__lte=end)
    meetings = Meeting.objects.visible_to(user).filter(held_on__gte=start, held_on__lte=end)
    referrals = Referral.objects.visible_to(user).filter(
        referred_on__gte=start, referred_on__lte=end
    )
    appointments = Appointment.objects.visible_to(user).filter(
        starts_at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
        starts_at__lt=timezone.make_aware(
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
        ),
    )
    if sending.desk_id is not None:
        intakes = intakes.filter(desk_id=sending.desk_id)
        meetings = meetings.filter(intake__desk_id=sending.desk_id)
        referrals = referrals.filter(intake__desk_id=sending.desk_id)
        appointments = appointments.filter(desk_id=sending.desk_id)
    return intakes, meetings, referrals, appointments


def _deleted_in_period(
    since: dt.datetime, start: dt.date, end: dt.date
) -> Counter[tuple[str, int | None]]:
    """Intakes, meetings and referrals dated in the period whose deletion the audit trail
    recorded after ``since`` (the trail keeps each deleted row's fields), by desk: an
    intake's own, a meeting's or referral's intake's while that intake exists (None when
    it does not), by kind ("intakes", "meetings", "referrals")."""
    date_field = {Intake: "opened_on", Meeting: "held_on", Referral: "referred_on"}
    kind_of = {Intake: "intakes", Meeting: "meetings", Referral: "referrals"}
    types = ContentType.objects.get_for_models(*date_field)
    field_of = {types[model].pk: name for model, name in date_field.items()}
    entries = LogEntry.objects.filter(
        action=LogEntry.Action.DELETE, timestamp__gt=since, content_type_id__in=list(field_of)
    ).values_list("content_type_id", "changes")

    def first(changes: Mapping[str, Any], name: str) -> str:
        return str(((changes or {}).get(name) or [None])[0])

    kind_of_type = {types[model].pk: kind for model, kind in kind_of.items()}
    deleted: list[tuple[str, str, str]] = []  # (kind, "desk" or "intake", id)
    for content_type_id, changes in entries.iterator():
        try:
            day = dt.date.fromisoformat(first(changes, field_of[content_type_id]))
        except ValueError:
            continue
        if start <= day <= end:
            kind = kind_of_type[content_type_id]
            by = "desk" if kind == "intakes" else "intake"
            deleted.append((kind, by, first(changes, by)))
    intake_ids = {int(i) for _kind, by, i in deleted if by == "intake" and i.isdigit()}
    desk_of_intake = (
        dict(Intake.objects.filter(pk__in=intake_ids).values_list("pk", "desk_id"))
        if intake_ids
        else {}
    )
    counted: Counter[tuple[str, int | None]] = Counter()
    for kind, by, key in deleted:
        if not key.isdigit():
            counted[(kind, None)] += 1
        elif by == "desk":
            counted[(kind, int(key))] += 1
        else:
            counted[(kind, desk_of_intake.get(int(key)))] += 1
    return counted


def drift_reasons(
    sending: SentReview, *, user: AnyUser, previous_start: dt.date
) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
    """What happened to the records of the period (and of the previous period) after the
    version was recorded — added, corrected, anonymised, deleted — for the whole selection
    and by desk (a person at two desks counts at both). Eight queries at most."""
    since = sending.recorded_at
    intakes, meetings, referrals, appointments = _selection_querysets(
        sending, user=user, previous_start=previous_start
    )
    by_desk: dict[int, dict[str, int]] = {}

    def counted(kind: str, qs: Any, desk: str, anonymised_person: Q | None) -> None:
        corrected = Q(created_at__lte=since, updated_at__gt=since)
        if anonymised_person is not None:
            corrected &= ~anonymised_person
        rows = qs.values(desk).annotate(
            added=Count("pk", filter=Q(created_at__gt=since)),
            corrected=Count("pk", filter=corrected),
        )
        for row in rows:
            counts = by_desk.setdefault(row[desk], {})
            counts[f"{kind}_added"] = row["added"]
            counts[f"{kind}_corrected"] = row["corrected"]

    counted("intakes", intakes, "desk_id", Q(person__anonymised_at__gt=since))
    counted("meetings", meetings, "intake__desk_id", Q(intake__person__anonymised_at__gt=since))
    counted("referrals", referrals, "intake__desk_id", Q(intake__person__anonymised_at__gt=since))
    counted("appointments", appointments, "desk_id", None)
    anonymised = Q(person__anonymised_at__gt=since)
    person_corrected = Q(person__created_at__lte=since, person__updated_at__gt=since) & ~anonymised
    for row in intakes.values("desk_id").annotate(
        anonymised=Count("person", filter=anonymised, distinct=True),
        corrected=Count("person", filter=person_corrected, distinct=True),
    ):
        counts = by_desk.setdefault(row["desk_id"], {})
        counts["people_anonymised"] = row["anonymised"]
        counts["people_corrected"] = row["corrected"]
    people = Person.objects.filter(pk__in=intakes.values("person_id")).aggregate(
        anonymised=Count("pk", filter=Q(anonymised_at__gt=since)),
        corrected=Count(
            "pk",
            filter=Q(created_at__lte=since, updated_at__gt=since) & ~Q(anonymised_at__gt=since),
        ),
    )
    deleted = _deleted_in_period(since, previous_start, sending.end)
    if sending.desk_id is not None:  # one desk's version: its own deletions only
        deleted = Counter({k: n for k, n in deleted.items() if k[1] == sending.desk_id})
    for (kind, desk), n in deleted.items():
        if desk is not None:
            by_desk.setdefault(desk, {})[f"{kind}_deleted"] = n
    total = {  # every record is at one desk: the desks' sums
        reason: sum(counts.get(reason, 0) for counts in by_desk.values())
        for reason in REASONS
        if reason.endswith(("_added", "_corrected")) and not reason.startswith("people_")
    }
    for kind in _DELETABLE:  # with the deletions whose desk is no longer known
        total[f"{kind}_deleted"] = sum(n for (k, _desk), n in deleted.items() if k == kind)
    total["deleted"] = sum(deleted.values())
    total["people_anonymised"] = people["anonymised"]  # a person at two desks counts once
    total["people_corrected"] = people["corrected"]
    return total, by_desk


def drift(sending: SentReview, live: Review, *, user: User) -> Drift:
    """The sent version against the live review of the same selection, each changed cell
    with the reasons of its records."""
    live_internal = visible_tables(live, user=user, variant=Variant.INTERNAL)
    live_external = visible_tables(live, user=user, variant=Variant.EXTERNAL)
    total, by_desk = drift_reasons(sending, user=user, previous_start=live.previous_start)
    explain = _Explainer(live, by_desk, total, sending.desk_id)
    return Drift(
        internal=compare(sent_tables(sending, Variant.INTERNAL, user=user), live_internal, explain),
        external=compare(sent_tables(sending, Variant.EXTERNAL, user=user), live_external, explain),
        reasons=total,
    )


def files_of(sendings: Iterable[SentReview]) -> dict[int, dict[str, SentFile]]:
    return {s.pk: {f.variant: f for f in s.files.all()} for s in sendings}
