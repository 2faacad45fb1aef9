"""Rows of the pseudonymised record-level export, and their streamed xlsx writer.

One row per intake opened in the period (the review's rule: ``opened_on`` in [start, end])
at the selected desks, as the user may see them (``Intake.objects.visible_to``). Meetings and
referrals are those of the intake, whatever their date (the case's whole history up to the
export): counts by mode, no-shows, first and last meeting; the referral kinds and their
outcomes as lists in the same order (``"; "``-separated).

Memory stays flat whatever the size: two queries stream from the database with
``.iterator(chunk_size=2000)`` over ``values()`` — the intakes with their meeting counts
(one ``GROUP BY``), and the referrals ordered by intake — and are merged as they come;
:func:`write_records_xlsx` writes them with openpyxl's write-only workbook to a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from casework.choices import (
    POSITIVE_OUTCOMES,
    AgeBand,
    Citizenship,
    ClosureReason,
    EsfAgeBand,
    Gender,
    IntakeChannel,
    IntakeStatus,
    IscedBand,
    LabourStatus,
    MeetingMode,
    Need,
    ReferralKind,
    ReferralOutcome,
)
from casework.models import Intake, Referral
from reports.periods import period_slug
from reports.resources import COLUMNS, DATE_COLUMNS
from sportelli.models import Desk, Origin

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CHUNK_SIZE = 2000
REF_LENGTH = 16  # hex characters of the HMAC kept: 64 bits, no collisions at this scale
DATE_FORMAT = "DD/MM/YYYY"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _labels() -> dict[str, dict[str, str]]:
    """Choice value -> Italian label (a plain str), per exported field."""
    choices = {
        "status": IntakeStatus,
        "closure_reason": ClosureReason,
        "age_band": AgeBand,
        "esf_age_band": EsfAgeBand,
        "gender": Gender,
        "origin": Origin,
        "citizenship": Citizenship,
        "isced_band": IscedBand,
        "labour_status": LabourStatus,
        "channel": IntakeChannel,
        "main_need": Need,
        "kind": ReferralKind,
        "outcome": ReferralOutcome,
    }
    return {
        field: {value: str(label) for value, label in enum.choices}
        for field, enum in choices.items()
    }


def pseudonym(kind: str, pk: int) -> str:
    """A stable pseudonymous id: HMAC-SHA256 keyed with ``settings.PSEUDONYM_KEY``."""
    digest = hmac.new(
        settings.PSEUDONYM_KEY.encode(), f"{kind}:{pk}".encode(), hashlib.sha256
    ).hexdigest()
    return digest[:REF_LENGTH]


def record_intakes(*, user: User, start: dt.date, end: dt.date, desks=None):
    """The scoped intakes of the export (a QuerySet: the same for the rows and the counts)."""
    intakes = Intake.objects.visible_to(user).in_period(start, end)
    if desks is not None:
        intakes = intakes.at_desks(desks)
    return intakes


def record_rows(
    *,
    user: User,
    start: dt.date,
    end: dt.date,
    desks=None,
) -> Iterator[dict[str, Any]]:
    """The export's rows, one dict per intake, streamed (two queries, constant memory)."""
    intakes = record_intakes(user=user, start=start, end=end, desks=desks)
    labels = _labels()
    desk_names = dict(Desk.objects.values_list("pk", "name"))
    mode_counts = {
        mode: Count("meetings", filter=Q(meetings__mode=mode)) for mode in MeetingMode.values
    }
    rows = (
        intakes.order_by("pk")
        .values(
            "pk",
            "person_id",
            "desk_id",
            "opened_on",
            "status",
            "closed_on",
            "closure_reason",
            "age_band",
            "esf_age_band",
            "gender",
            "origin",
            "citizenship",
            "isced_band",
            "labour_status",
            "channel",
            "main_need",
        )
        .annotate(
            n_meetings=Count("meetings"),
            n_no_shows=Count("meetings", filter=Q(meetings__attended=False)),
            first_meeting=Min("meetings__held_on"),
            last_meeting=Max("meetings__held_on"),
            **{f"mode_{mode}": expr for mode, expr in mode_counts.items()},
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    referrals = (
        Referral.objects.filter(intake__in=intakes.values("pk"))
        .order_by("intake_id", "referred_on", "pk")
        .values_list("intake_id", "kind", "outcome")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    pending = next(referrals, None)
    kinds, outcomes = labels["kind"], labels["outcome"]
    for row in rows:
        pk = row["pk"]
        ref_kinds: list[str] = []
        ref_outcomes: list[str] = []
        positive = 0
        # Both streams are ordered by intake: skip referrals of intakes not exported.
        while pending is not None and pending[0] < pk:
            pending = next(referrals, None)
        while pending is not None and pending[0] == pk:
            ref_kinds.append(kinds[pending[1]])
            ref_outcomes.append(outcomes[pending[2]])
            positive += pending[2] in POSITIVE_OUTCOMES
            pending = next(referrals, None)
        n_meetings = row["n_meetings"]
        yield {
            "person_ref": pseudonym("person", row["person_id"]),
            "intake_ref": pseudonym("intake", pk),
            "desk": desk_names.get(row["desk_id"], ""),
            "opened_on": row["opened_on"],
            "status": labels["status"][row["status"]],
            "closed_on": row["closed_on"],
            "closure_reason": labels["closure_reason"].get(row["closure_reason"], ""),
            "age_band": labels["age_band"][row["age_band"]],
            "esf_age_band": labels["esf_age_band"][row["esf_age_band"]],
            "gender": labels["gender"][row["gender"]],
            "origin": labels["origin"][row["origin"]],
            "citizenship": labels["citizenship"][row["citizenship"]],
            "isced_band": labels["isced_band"][row["isced_band"]],
            "labour_status": labels["labour_status"][row["labour_status"]],
            "channel": labels["channel"][row["channel"]],
            "main_need": labels["main_need"][row["main_need"]],
            "meetings": n_meetings,
            "attended": n_meetings - row["n_no_shows"],
            "no_shows": row["n_no_shows"],
            "in_person": row[f"mode_{MeetingMode.IN_PERSON}"],
            "phone": row[f"mode_{MeetingMode.PHONE}"],
            "video": row[f"mode_{MeetingMode.VIDEO}"],
            "email": row[f"mode_{MeetingMode.EMAIL}"],
            "first_meeting": row["first_meeting"],
            "last_meeting": row["last_meeting"],
            "referrals": len(ref_kinds),
            "referral_kinds": "; ".join(ref_kinds),
            "referral_outcomes": "; ".join(ref_outcomes),
            "positive_outcomes": positive,
        }


def write_records_xlsx(rows: Iterator[dict[str, Any]], target: str | IO[bytes]) -> int:
    """Write the rows to an xlsx with openpyxl's write-only workbook; return the row count.

    Constant memory: each row goes to a temporary file as it is appended. Dates are real
    dates shown dd/mm/yyyy; a text that could run as a formula is written as a string.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(_("Prese in carico")))
    keys = [key for key, _header in COLUMNS]
    date_idx = [i for i, key in enumerate(keys) if key in DATE_COLUMNS]
    text_idx = [i for i, key in enumerate(keys) if key == "desk"]
    header_cells = []
    for _key, header in COLUMNS:
        cell = WriteOnlyCell(ws, value=str(header))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    ws.freeze_panes = "A2"
    ws.append(header_cells)
    n = 0
    for row in rows:
        values: list[Any] = [row[key] for key in keys]
        for i in date_idx:
            if values[i] is not None:
                cell = WriteOnlyCell(ws, value=values[i])
                cell.number_format = DATE_FORMAT
                values[i] = cell
        for i in text_idx:
            if isinstance(values[i], str) and values[i].startswith(FORMULA_PREFIXES):
                cell = WriteOnlyCell(ws, value=values[i])
                cell.data_type = "s"
                values[i] = cell
        ws.append(values)
        n += 1
    wb.save(target)
    return n


def records_filename(*, start: dt.date, end: dt.date, desk_slug: str | None) -> str:
    return f"activitycr-records-{period_slug(start, end)}-{desk_slug or 'all-desks'}.xlsx"
