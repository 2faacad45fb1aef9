"""The review's counts laid out as tables, with their Italian titles and definitions.

``reports.queries`` counts (in the database) and hands over a typed ``reports.counts.Counts``;
each section of the page has its builder here, which reads the rows the tables declare
(``reports/dimensions.py``, ``reports/esf.py``) and writes their labels beside the counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from django.utils.translation import gettext as _

from agenda.models import AppointmentMode
from casework.choices import MeetingMode, ReferralKind, ReferralOutcome
from reports import definitions, dimensions, esf
from reports.counts import ComuneCount, Counts, ReferralCount
from reports.dimensions import GENDER_COLUMNS
from reports.tables import (
    TOP_COMUNI,
    TOTAL,
    Columns,
    Row,
    Table,
    Value,
    mean,
    month_label,
    percent,
    total_row,
)


def build_tables(counts: Counts, *, include_special: bool) -> dict[str, Table[Value]]:
    """Every table of the review, in the order of the page (and of the definitions sheet)."""
    tables = [
        *_people_tables(counts),
        *_breakdown_tables(counts),
        *_meeting_tables(counts),
        *_appointment_tables(counts),
        *_referral_tables(counts.referrals),
        _trend_table(counts),
        _age_gender_table(counts),
        _change_table(counts),
        *_esf_tables(counts, include_special=include_special),
        *_result_tables(counts),
    ]
    return {table.key: table for table in tables}


# --- Helpers ------------------------------------------------------------------------------


def _per_desk(
    cols: Columns,
    key: str,
    title: str,
    label_header: str,
    rows: Iterable[Row[Value]],
    total: Row[Value] | None,
    definition: str,
    *,
    counts_people: bool = True,
) -> Table[Value]:
    """A table whose value columns are the desks, then the total."""
    return Table(
        key=key,
        title=title,
        columns=cols.headers,
        label_header=label_header,
        rows=tuple(rows),
        total=total,
        definition=definition,
        counts_people=counts_people,
        column_keys=cols.keys,
        column_dim="desk",
    )


def _gender_keys() -> tuple[str, ...]:
    return (*(str(g.value) for g in GENDER_COLUMNS), TOTAL)


def _gender_columns() -> tuple[str, ...]:
    return (*(str(g.label) for g in GENDER_COLUMNS), _("Totale"))


def _by_gender(label: str, key: str, per_gender: Mapping[str, int]) -> Row[Value]:
    """A row of a table by gender, ending with its total."""
    values = [per_gender[g] for g in GENDER_COLUMNS]
    return Row(label, (*values, sum(values)), key)


# --- 1. People, intakes, meetings and accesses; meetings per person -----------------------


def _people_tables(counts: Counts) -> list[Table[Value]]:
    cols = counts.columns
    desk_header = _("Sportello") if len(cols.desks) == 1 else _("Dato")
    intakes, attended = counts.intakes, counts.meetings.attendance["attended"]
    per_person = counts.per_person
    accesses = {c: intakes[c] + attended[c] for c in cols.keys}
    average = {c: mean(per_person.meetings[c], per_person.people[c]) for c in cols.keys}
    people = _per_desk(
        cols,
        "people",
        _("Persone, prese in carico, colloqui e accessi"),
        desk_header,
        [
            cols.row(_("Persone accolte"), counts.persons.people, "people"),
            cols.row(_("Nuove prese in carico"), intakes, "intakes"),
            cols.row(_("Colloqui svolti"), attended, "meetings"),
            cols.row(_("Accessi (prese in carico + colloqui svolti)"), accesses, "accesses"),
        ],
        None,
        definitions.accesses(),
    )
    distribution = _per_desk(
        cols,
        "meetings_per_person",
        _("Persone accolte per numero di colloqui"),
        _("Colloqui per persona"),
        [
            cols.row(bucket.label, per_person.distribution[bucket.key], bucket.key)
            for bucket in dimensions.meetings_per_person()
        ],
        cols.row(_("Persone accolte"), per_person.people, TOTAL),
        definitions.meetings_per_person(),
    )
    means = _per_desk(
        cols,
        "meetings_mean",
        _("Colloqui per persona (media)"),
        desk_header,
        [cols.row(_("Media dei colloqui per persona accolta"), average, "mean")],
        None,
        definitions.meetings_mean(),
        counts_people=False,
    )
    return [people, distribution, means]


# --- 2. Who: age, gender, origin and comuni, labour, education, groups --------------------


def _breakdown_tables(counts: Counts) -> list[Table[Value]]:
    cols = counts.columns
    tables = []
    for breakdown in dimensions.breakdowns():
        tally = counts.persons.breakdowns[breakdown.key]
        rows = [cols.row(row.label, tally[row.key], row.key) for row in breakdown.rows]
        tables.append(
            _per_desk(
                cols,
                breakdown.key,
                breakdown.title,
                breakdown.label_header,
                rows,
                total_row(rows) if breakdown.total else None,
                definitions.snapshot() + breakdown.definition,
            )
        )
        if breakdown.key == "origin":  # where they come from, then their comuni
            tables.append(_comuni_table(cols, counts.comuni))
    return tables


def _comuni_table(cols: Columns, comuni: Sequence[ComuneCount]) -> Table[Value]:
    """The ten comuni with most people (in total), then the others and residence abroad."""
    by_comune: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[int | None, str] = {}
    for found in comuni:
        names[found.comune_id] = found.name
        by_comune[found.comune_id][found.column] += found.n
    ranked = sorted(
        (c for c in by_comune if c is not None),
        key=lambda c: (-by_comune[c][TOTAL], names[c]),
    )
    others = {k: sum(by_comune[c][k] for c in ranked[TOP_COMUNI:]) for k in cols.keys}
    rows = [cols.row(names[c], by_comune[c], str(c)) for c in ranked[:TOP_COMUNI]]
    rows.append(cols.row(_("Altri comuni"), others, "others"))
    rows.append(cols.row(_("Residenza all'estero"), by_comune[None], "abroad"))
    return _per_desk(
        cols,
        "comuni",
        _("Comuni di residenza (i primi %(n)s)") % {"n": TOP_COMUNI},
        _("Comune"),
        rows,
        total_row(rows),
        definitions.comuni(),
    )


# --- 3. Meetings: by mode, attendance, shares ---------------------------------------------


def _meeting_tables(counts: Counts) -> list[Table[Value]]:
    cols = counts.columns
    by_mode, attendance = counts.meetings.by_mode, counts.meetings.attendance
    attended, no_show = attendance["attended"], attendance["no_show"]
    recorded = {c: attended[c] + no_show[c] for c in cols.keys}
    modes, outcomes = dimensions.meeting_modes(), dimensions.attendance()
    remote = {
        c: percent(sum(by_mode[m.key][c] for m in modes if MeetingMode(m.key).is_remote), total)
        for c, total in recorded.items()
    }
    missed = {c: percent(no_show[c], total) for c, total in recorded.items()}
    return [
        _per_desk(
            cols,
            "meeting_mode",
            _("Colloqui per modalità"),
            _("Modalità"),
            [cols.row(m.label, by_mode[m.key], m.key) for m in modes],
            cols.row(_("Totale"), recorded, TOTAL),
            definitions.meetings(),
        ),
        _per_desk(
            cols,
            "meeting_attendance",
            _("Colloqui svolti e mancate presentazioni"),
            _("Esito del colloquio"),
            [cols.row(a.label, attendance[a.key], a.key) for a in outcomes],
            cols.row(_("Totale"), recorded, TOTAL),
            definitions.meetings(),
        ),
        _per_desk(
            cols,
            "meeting_shares",
            _("Colloqui a distanza e mancate presentazioni (%)"),
            _("Quota"),
            [
                cols.row(_("Quota a distanza (telefono, videochiamata, e-mail)"), remote, "remote"),
                cols.row(_("Quota di mancate presentazioni"), missed, "no_show"),
            ],
            None,
            definitions.meeting_shares(),
            counts_people=False,
        ),
    ]


# --- 3b. Appointments (agenda): by mode, the no-shows and their rate ---------------------


def _appointment_tables(counts: Counts) -> list[Table[Value]]:
    cols = counts.columns
    recorded, missed = counts.appointments_recorded, counts.appointments_missed
    modes = [(str(value), str(label)) for value, label in AppointmentMode.choices]

    def rows(tally: dict[str, dict[str, int]]) -> list[Row[Value]]:
        return [cols.row(label, tally[mode], mode) for mode, label in modes]

    recorded_rows, missed_rows = rows(recorded), rows(missed)
    recorded_total, missed_total = total_row(recorded_rows), total_row(missed_rows)
    rates = [
        cols.row(
            label,
            {c: percent(missed[mode][c], recorded[mode][c]) for c in cols.keys},
            mode,
        )
        for mode, label in modes
    ]
    rates.append(
        Row(
            _("Tutte le modalità"),
            tuple(
                percent(int(m or 0), int(r or 0))
                for m, r in zip(missed_total.values, recorded_total.values, strict=True)
            ),
            TOTAL,
        )
    )
    return [
        _per_desk(
            cols,
            "appointments_recorded",
            _("Appuntamenti con esito registrato, per modalità"),
            _("Modalità"),
            recorded_rows,
            recorded_total,
            definitions.appointments(),
        ),
        _per_desk(
            cols,
            "appointments_missed",
            _("Appuntamenti non presentati, per modalità"),
            _("Modalità"),
            missed_rows,
            missed_total,
            definitions.appointments(),
        ),
        _per_desk(
            cols,
            "no_show_rate",
            _("Tasso di mancata presentazione agli appuntamenti (%)"),
            _("Modalità"),
            rates,
            None,
            definitions.no_show_rate(),
            counts_people=False,
        ),
    ]


# --- 4. Referrals by kind and by partner, per outcome -------------------------------------


def _referral_tables(referrals: Sequence[ReferralCount]) -> list[Table[Value]]:
    kinds = [(value, str(label)) for value, label in ReferralKind.choices]
    names = {r.partner_id: r.partner_name or "" for r in referrals if r.partner_id}
    partners: list[tuple[int | None, str]] = sorted(names.items(), key=lambda item: item[1])
    partners.append((None, _("Nessun partner")))
    return [
        _referral_table(
            "referral_kind",
            _("Invii per tipo ed esito"),
            _("Tipo di invio"),
            kinds,
            referrals,
            lambda r: r.kind,
        ),
        _referral_table(
            "referral_partner",
            _("Invii per partner ed esito"),
            _("Partner"),
            partners,
            referrals,
            lambda r: r.partner_id,
        ),
    ]


def _referral_table(
    key: str,
    title: str,
    label_header: str,
    row_keys: Sequence[tuple[object, str]],
    referrals: Sequence[ReferralCount],
    row_of: Callable[[ReferralCount], object],
) -> Table[Value]:
    """A row per ``row_keys`` (value, label), a column per outcome, then the total."""
    rows = []
    for row_key, label in row_keys:
        values = [
            sum(r.n for r in referrals if row_of(r) == row_key and r.outcome == outcome)
            for outcome in ReferralOutcome.values
        ]
        rows.append(Row(label, (*values, sum(values)), str(row_key)))
    return Table(
        key=key,
        title=title,
        columns=(*(str(label) for label in ReferralOutcome.labels), _("Totale")),
        label_header=label_header,
        rows=tuple(rows),
        total=total_row(rows),
        definition=definitions.referrals(),
        counts_people=True,
        column_keys=(*ReferralOutcome.values, TOTAL),
        column_dim="outcome",
    )


# --- 5. Month by month, age x gender, change against the previous period ------------------


def _trend_table(counts: Counts) -> Table[Value]:
    rows = []
    for month in counts.months:
        intakes = counts.intakes_by_month[month]
        meetings = counts.meetings.attended_by_month[month]
        people = counts.persons.by_month[month]
        values = (people, intakes, meetings, intakes + meetings)
        rows.append(Row(month_label(month), values, f"{month:%Y-%m}"))
    return Table(
        key="trend",
        title=_("Andamento mese per mese"),
        columns=(
            _("Persone accolte"),
            _("Nuove prese in carico"),
            _("Colloqui svolti"),
            _("Accessi"),
        ),
        label_header=_("Mese"),
        rows=tuple(rows),
        total=total_row(rows),
        definition=definitions.trend(),
        counts_people=True,
        column_keys=("people", "intakes", "meetings", "accesses"),
    )


def _age_gender_table(counts: Counts) -> Table[Value]:
    rows = [
        _by_gender(age.label, age.key, counts.persons.age_gender[age.key])
        for age in dimensions.age_bands()
    ]
    return Table(
        key="age_gender",
        title=_("Fascia d'età per genere"),
        columns=_gender_columns(),
        label_header=_("Fascia d'età"),
        rows=tuple(rows),
        total=total_row(rows),
        definition=definitions.snapshot(),
        counts_people=True,
        column_keys=_gender_keys(),
        column_dim="gender",
    )


def _change_table(counts: Counts) -> Table[Value]:
    previous = counts.previous
    people = counts.persons.people[TOTAL]
    intakes = counts.intakes[TOTAL]
    meetings = counts.meetings.attendance["attended"][TOTAL]
    per_person = counts.per_person
    current_mean = mean(per_person.meetings[TOTAL], per_person.people[TOTAL])
    previous_mean = mean(previous.own, previous.people)
    figures: list[tuple[str, str, float | None, float | None]] = [
        ("people", _("Persone accolte"), people, previous.people),
        ("intakes", _("Nuove prese in carico"), intakes, previous.intakes),
        ("meetings", _("Colloqui svolti"), meetings, previous.meetings),
        ("accesses", _("Accessi"), intakes + meetings, previous.intakes + previous.meetings),
        ("mean", _("Colloqui per persona (media)"), current_mean, previous_mean),
    ]
    rows = []
    for key, label, now, before in figures:
        change: float | None = None
        if now is not None and before is not None:
            change = round(now - before, 2) if key == "mean" else now - before
        rows.append(Row(label, (now, before, change, percent(change or 0, before or 0)), key))
    return Table(
        key="change",
        title=_("Confronto con il periodo precedente"),
        columns=(_("Periodo"), _("Periodo precedente"), _("Variazione"), _("Variazione %")),
        label_header=_("Dato"),
        rows=tuple(rows),
        total=None,
        definition=definitions.change(),
        counts_people=False,
        column_keys=("now", "before", "change", "change_pct"),
    )


# --- 6. ESF+ common indicators, by gender -------------------------------------------------


def _esf_tables(counts: Counts, *, include_special: bool) -> list[Table[Value]]:
    tables = []
    for declared in esf.declared(include_special=include_special):
        rows = [
            _by_gender(indicator.label, indicator.key, counts.persons.esf[indicator.key])
            for indicator in declared.indicators
        ]
        tables.append(
            Table(
                key=declared.key,
                title=declared.title,
                columns=_gender_columns(),
                label_header=_("Indicatore"),
                rows=tuple(rows),
                total=total_row(rows) if declared.total else None,  # the rows split them
                definition=declared.definition,
                counts_people=True,
                special_category=declared.special_category,
                column_keys=_gender_keys(),
                column_dim="gender",
            )
        )
    return tables


def _result_tables(counts: Counts) -> list[Table[Value]]:
    """The ESF+ results at exit and six months after, by gender (no total row: a person
    may have several results, and the first row is the people they are counted among)."""
    return [
        Table(
            key=declared.key,
            title=declared.title,
            columns=_gender_columns(),
            label_header=_("Indicatore"),
            rows=tuple(
                _by_gender(
                    indicator.label,
                    indicator.key,
                    counts.results[f"{declared.key}.{indicator.key}"],
                )
                for indicator in declared.indicators
            ),
            total=None,
            definition=declared.definition,
            counts_people=True,
        )
        for declared in esf.results()
    ]
