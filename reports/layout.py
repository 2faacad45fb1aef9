"""The review's counts laid out as tables, with their Italian titles and definitions, and
the summary paragraph written from them. ``reports.queries.compute_review`` computes the
counts (in the database) and calls ``build_tables`` and ``write_summary``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.choices import (
    AgeBand,
    EsfAgeBand,
    Gender,
    IscedBand,
    LabourStatus,
    MeetingMode,
    ReferralKind,
    ReferralOutcome,
)
from reports import esf
from reports.queries import (
    TOP_COMUNI,
    TOTAL,
    Columns,
    Row,
    Table,
    fmt_date,
    fmt_number,
    group_conditions,
    mean,
    month_label,
    percent,
)
from sportelli.models import Desk, Origin


def _choice_rows(
    choices: Iterable[tuple[str, str]], cols: Sequence[str], counts: dict[tuple, int], dim: str
) -> tuple[Row, ...]:
    return tuple(
        Row(label=str(label), key=str(value), values=tuple(counts[(dim, value, c)] for c in cols))
        for value, label in choices
    )


def _total_row(rows: Sequence[Row], label: str | None = None) -> Row:
    width = len(rows[0].values) if rows else 0
    return Row(
        label=label or _("Totale"),
        key=TOTAL,
        values=tuple(sum(int(r.values[i] or 0) for r in rows) for i in range(width)),
    )


# --- Laying the counts out as tables ------------------------------------------------------


def _people_def() -> str:
    return _(
        "Persone accolte: persone distinte con almeno una presa in carico aperta nel "
        "periodo (data della presa in carico tra il primo e l'ultimo giorno, inclusi); chi è "
        "stato preso in carico in due sportelli conta una volta nel totale e una volta in "
        "ciascuno sportello. "
    )


def _snapshot_def() -> str:
    return _(
        "Dati rilevati alla prima presa in carico della persona nel periodo (nelle colonne degli "
        "sportelli: alla prima presa in carico in quello sportello): un trasloco o un compleanno "
        "successivi non cambiano i periodi passati. "
    )


def build_tables(
    *,
    cols: Columns,
    counts: dict[tuple, int],
    months: list[dt.date],
    referral_rows: list[dict[str, Any]],
    comune_rows: list[dict[str, Any]],
    previous: dict[str, int],
    include_special: bool,
) -> dict[str, Table]:
    keys = cols.keys
    headers = cols.headers
    desk_header = _("Sportello") if len(cols.desks) == 1 else _("Dato")
    tables: dict[str, Table] = {}

    def per_desk(key: str, title: str, label_header: str, rows, total, definition: str,
                 counts_people: bool = True) -> None:  # fmt: skip
        tables[key] = Table(
            key=key,
            title=title,
            columns=headers,
            label_header=label_header,
            rows=tuple(rows),
            total=total,
            definition=definition,
            counts_people=counts_people,
        )

    people = {c: counts[("people", "", c)] for c in keys}
    intakes = {c: counts[("intakes", c)] for c in keys}
    attended = {c: counts[("attended", c)] for c in keys}
    recorded = {c: attended[c] + counts[("no_show", c)] for c in keys}

    # 1. People, intakes, meetings, accesses; meetings per person.
    per_desk(
        "people",
        _("Persone, prese in carico, colloqui e accessi"),
        desk_header,
        [
            Row(_("Persone accolte"), tuple(people[c] for c in keys), "people"),
            Row(_("Nuove prese in carico"), tuple(intakes[c] for c in keys), "intakes"),
            Row(_("Colloqui svolti"), tuple(attended[c] for c in keys), "meetings"),
            Row(
                _("Accessi (prese in carico + colloqui svolti)"),
                tuple(intakes[c] + attended[c] for c in keys),
                "accesses",
            ),
        ],
        None,
        _people_def()
        + _(
            "Nuove prese in carico: prese in carico aperte nel periodo. Colloqui svolti: "
            "colloqui tenuti nel periodo a cui la persona si è presentata, anche se la presa in "
            "carico è di un periodo precedente. Accessi: prese in carico più colloqui svolti."
        ),
    )
    distribution_rows = [
        Row(_("Nessun colloquio"), tuple(counts[("mpp", "0", c)] for c in keys), "0"),
        Row(_("1 colloquio"), tuple(counts[("mpp", "1", c)] for c in keys), "1"),
        Row(_("2 colloqui"), tuple(counts[("mpp", "2", c)] for c in keys), "2"),
        Row(_("3 colloqui o più"), tuple(counts[("mpp", "3+", c)] for c in keys), "3+"),
    ]
    mpp_def = _(
        "Colloqui per persona: colloqui svolti nel periodo che appartengono alle prese in "
        "carico aperte nel periodo, per ciascuna persona accolta (nelle colonne degli "
        "sportelli: i colloqui in quello sportello). "
    )
    per_desk(
        "meetings_per_person",
        _("Persone accolte per numero di colloqui"),
        _("Colloqui per persona"),
        distribution_rows,
        Row(_("Persone accolte"), tuple(counts[("mpp", "people", c)] for c in keys), TOTAL),
        mpp_def,
    )
    per_desk(
        "meetings_mean",
        _("Colloqui per persona (media)"),
        desk_header,
        [
            Row(
                _("Media dei colloqui per persona accolta"),
                tuple(
                    mean(counts[("mpp", "meetings", c)], counts[("mpp", "people", c)]) for c in keys
                ),
                "mean",
            )
        ],
        None,
        mpp_def + _("Media: quei colloqui divisi per le persone accolte."),
        counts_people=False,
    )

    # 2. Age bands.
    snapshot = _people_def() + _snapshot_def()
    for key, dim, choices, title, extra in (
        ("age_band", "age_band", AgeBand, _("Fasce d'età degli sportelli"), ""),
        ("age_band_esf", "esf_age", EsfAgeBand, _("Fasce d'età FSE+"), ""),
        ("gender", "gender", Gender, _("Genere"), ""),
        (
            "origin",
            "origin",
            Origin,
            _("Provenienza"),
            _(
                "Provenienza dal comune di residenza (non dal luogo di nascita); il Distretto "
                "Casalasco sono i comuni soci del Con.Ca.S.S. segnati nell'anagrafica dei comuni."
            ),
        ),
        ("labour_status", "labour_status", LabourStatus, _("Condizione occupazionale"), ""),
        (
            "isced",
            "isced",
            IscedBand,
            _("Titolo di studio (fasce ISCED)"),
            _("Titolo di studio più alto, ricondotto alle fasce ISCED 2011."),
        ),
    ):
        label_header = {
            "age_band": _("Fascia d'età"),
            "age_band_esf": _("Fascia d'età"),
            "gender": _("Genere"),
            "origin": _("Provenienza"),
            "labour_status": _("Condizione"),
            "isced": _("Livello ISCED"),
        }[key]
        definition = snapshot + (_("Età compiuta alla presa in carico. ") if "age" in key else "")
        rows = _choice_rows(choices.choices, keys, counts, dim)
        per_desk(key, title, label_header, rows, _total_row(rows), definition + extra)
        if key == "origin":
            tables["comuni"] = _comuni_table(cols, comune_rows, snapshot)

    groups = [
        Row(label, tuple(counts[("groups", key, c)] for c in keys), key)
        for key, label, _condition in group_conditions()
    ]
    per_desk(
        "groups",
        _("Gruppi seguiti dagli sportelli"),
        _("Gruppo"),
        groups,
        None,
        snapshot
        + _(
            "Neolaureati/e o neodiplomati/e e rientro dopo una pausa di cura: come indicati "
            "alla presa in carico; 45 anni o più: età alla presa in carico. Una persona può "
            "stare in più gruppi, per questo la tabella non ha totale."
        ),
    )

    # 3. Meetings by mode, attendance, remote share.
    mode_rows = [
        Row(str(label), tuple(counts[("mode", value, c)] for c in keys), value)
        for value, label in MeetingMode.choices
    ]
    meetings_def = _(
        "Colloqui registrati con data nel periodo, in tutte le prese in carico degli "
        "sportelli selezionati, comprese le mancate presentazioni. "
    )
    per_desk(
        "meeting_mode",
        _("Colloqui per modalità"),
        _("Modalità"),
        mode_rows,
        Row(_("Totale"), tuple(recorded[c] for c in keys), TOTAL),
        meetings_def,
    )
    per_desk(
        "meeting_attendance",
        _("Colloqui svolti e mancate presentazioni"),
        _("Esito del colloquio"),
        [
            Row(_("Svolti"), tuple(attended[c] for c in keys), "attended"),
            Row(
                _("Mancate presentazioni"),
                tuple(counts[("no_show", c)] for c in keys),
                "no_show",
            ),
        ],
        Row(_("Totale"), tuple(recorded[c] for c in keys), TOTAL),
        meetings_def,
    )
    remote = {
        c: sum(counts[("mode", m, c)] for m in MeetingMode.values if MeetingMode(m).is_remote)
        for c in keys
    }
    per_desk(
        "meeting_shares",
        _("Colloqui a distanza e mancate presentazioni (%)"),
        _("Quota"),
        [
            Row(
                _("Quota a distanza (telefono, videochiamata, e-mail)"),
                tuple(percent(remote[c], recorded[c]) for c in keys),
                "remote",
            ),
            Row(
                _("Quota di mancate presentazioni"),
                tuple(percent(counts[("no_show", c)], recorded[c]) for c in keys),
                "no_show",
            ),
        ],
        None,
        meetings_def + _("Percentuali sul totale dei colloqui registrati."),
        counts_people=False,
    )

    # 4. Referrals.
    tables.update(_referral_tables(referral_rows))

    # 5. Month by month, age x gender, change against the previous period.
    trend_rows = []
    for month in months:
        i, m = counts[("intakes_month", month)], counts[("meetings_month", month)]
        trend_rows.append(
            Row(
                month_label(month),
                (counts[("people_month", month)], i, m, i + m),
                f"{month:%Y-%m}",
            )
        )
    tables["trend"] = Table(
        key="trend",
        title=_("Andamento mese per mese"),
        columns=(
            _("Persone accolte"),
            _("Nuove prese in carico"),
            _("Colloqui svolti"),
            _("Accessi"),
        ),
        label_header=_("Mese"),
        rows=tuple(trend_rows),
        total=_total_row(trend_rows),
        definition=_(
            "Per mese di calendario. Persone accolte: persone alla loro prima presa in carico "
            "del periodo, nel mese in cui è avvenuta (così i mesi sommano al totale del "
            "periodo). Il primo e l'ultimo mese possono essere parziali."
        ),
        counts_people=True,
    )
    genders = (Gender.WOMAN, Gender.MAN, Gender.NON_BINARY, Gender.NOT_STATED)
    cross_rows = []
    for value, label in AgeBand.choices:
        by_gender = [counts[("age_gender", value, g)] for g in genders]
        cross_rows.append(Row(str(label), (*by_gender, sum(by_gender)), value))
    tables["age_gender"] = Table(
        key="age_gender",
        title=_("Fascia d'età per genere"),
        columns=(*(str(g.label) for g in genders), _("Totale")),
        label_header=_("Fascia d'età"),
        rows=tuple(cross_rows),
        total=_total_row(cross_rows),
        definition=snapshot,
        counts_people=True,
    )
    tables["change"] = _change_table(counts, previous)

    for table in esf.tables(counts, include_special=include_special):
        tables[table.key] = table
    return tables


def _comuni_table(cols: Columns, comune_rows: list[dict[str, Any]], snapshot: str) -> Table:
    """The ten comuni with most people (in total), then the others and residence abroad."""
    by_comune: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[int | None, str] = {}
    for row in comune_rows:
        comune = row["residence_comune_id"]
        names[comune] = row["residence_comune__name"] or ""
        col = TOTAL if row["desk_id"] is None else str(row["desk_id"])
        by_comune[comune][col] += row["n"]
    ranked = sorted(
        (c for c in by_comune if c is not None),
        key=lambda c: (-by_comune[c][TOTAL], names[c]),
    )
    keys = cols.keys
    rows = [
        Row(names[c], tuple(by_comune[c][k] for k in keys), str(c)) for c in ranked[:TOP_COMUNI]
    ]
    others = ranked[TOP_COMUNI:]
    rows.append(
        Row(
            _("Altri comuni"),
            tuple(sum(by_comune[c][k] for c in others) for k in keys),
            "others",
        )
    )
    rows.append(Row(_("Residenza all'estero"), tuple(by_comune[None][k] for k in keys), "abroad"))
    return Table(
        key="comuni",
        title=_("Comuni di residenza (i primi %(n)s)") % {"n": TOP_COMUNI},
        columns=cols.headers,
        label_header=_("Comune"),
        rows=tuple(rows),
        total=_total_row(rows),
        definition=snapshot
        + _(
            "I comuni sono ordinati per numero di persone nel totale (a parità, per nome). "
            "Nei piccoli comuni un numero basso può identificare una persona: il foglio per "
            "l'esterno nasconde i valori piccoli."
        ),
        counts_people=True,
    )


def _referral_tables(referral_rows: list[dict[str, Any]]) -> dict[str, Table]:
    outcomes = ReferralOutcome.values
    columns = (*(str(label) for label in ReferralOutcome.labels), _("Totale"))
    definition = _(
        "Invii (segnalazioni e candidature) con data nel periodo, negli sportelli selezionati, "
        "per esito registrato a oggi."
    )

    def table(key: str, title: str, header: str, row_keys: list[tuple[str, str]], field: str):
        rows = []
        for row_key, label in row_keys:
            values = [
                sum(r["n"] for r in referral_rows if r[field] == row_key and r["outcome"] == o)
                for o in outcomes
            ]
            rows.append(Row(label, (*values, sum(values)), str(row_key)))
        return Table(
            key=key,
            title=title,
            columns=columns,
            label_header=header,
            rows=tuple(rows),
            total=_total_row(rows),
            definition=definition,
            counts_people=True,
        )

    kinds = [(value, str(label)) for value, label in ReferralKind.choices]
    partner_names = {r["partner_id"]: r["partner__name"] for r in referral_rows if r["partner_id"]}
    partners = sorted(partner_names.items(), key=lambda item: item[1])
    partners.append((None, _("Nessun partner")))
    return {
        "referral_kind": table(
            "referral_kind", _("Invii per tipo ed esito"), _("Tipo di invio"), kinds, "kind"
        ),
        "referral_partner": table(
            "referral_partner",
            _("Invii per partner ed esito"),
            _("Partner"),
            partners,
            "partner_id",
        ),
    }


def _change_table(counts: dict[tuple, int], previous: dict[str, int]) -> Table:
    people = counts[("people", "", TOTAL)]
    intakes = counts[("intakes", TOTAL)]
    meetings = counts[("attended", TOTAL)]
    current_mean = mean(counts[("mpp", "meetings", TOTAL)], counts[("mpp", "people", TOTAL)])
    previous_mean = mean(previous["own"], previous["people"])
    rows = []
    for key, label, now, before in (
        ("people", _("Persone accolte"), people, previous["people"]),
        ("intakes", _("Nuove prese in carico"), intakes, previous["intakes"]),
        ("meetings", _("Colloqui svolti"), meetings, previous["meetings"]),
        ("accesses", _("Accessi"), intakes + meetings, previous["intakes"] + previous["meetings"]),
        ("mean", _("Colloqui per persona (media)"), current_mean, previous_mean),
    ):
        if now is None or before is None:
            change = None
        else:
            change = round(now - before, 2) if key == "mean" else now - before
        rows.append(Row(label, (now, before, change, percent(change or 0, before or 0)), key))
    return Table(
        key="change",
        title=_("Confronto con il periodo precedente"),
        columns=(
            _("Periodo"),
            _("Periodo precedente"),
            _("Variazione"),
            _("Variazione %"),
        ),
        label_header=_("Dato"),
        rows=tuple(rows),
        total=None,
        definition=_(
            "Periodo precedente: della stessa durata e subito prima (per un trimestre, il "
            "trimestre precedente). Stesse definizioni delle altre tabelle, sul totale degli "
            "sportelli selezionati. La variazione percentuale manca quando il periodo "
            "precedente vale zero."
        ),
        counts_people=False,
    )


# --- The summary --------------------------------------------------------------------------


def write_summary(
    start: dt.date,
    end: dt.date,
    desks: tuple[Desk, ...],
    tables: dict[str, Table],
    previous_start: dt.date,
    previous_end: dt.date,
) -> str:
    """A short Italian paragraph written from the figures, in the spirit of the article."""

    def total(table: str, row: str) -> int | float | None:
        found = next(r for r in tables[table].rows if r.key == row)
        return found.values[-1]

    span = {"start": fmt_date(start), "end": fmt_date(end)}
    who = (
        _("lo sportello di %(desk)s") % {"desk": desks[0].name}
        if len(desks) == 1
        else _("gli sportelli")
    )
    people = int(total("people", "people") or 0)
    intakes = int(total("people", "intakes") or 0)
    meetings = int(total("people", "meetings") or 0)
    if not people and not meetings:
        return _(
            "Dal %(start)s al %(end)s non risultano prese in carico né colloqui per %(who)s "
            "selezionati: tutte le tabelle valgono zero."
        ) % {**span, "who": who}
    parts: list[str] = []
    verb = _("ha accolto") if len(desks) == 1 else _("hanno accolto")
    parts.append(
        ngettext(
            "Dal %(start)s al %(end)s %(who)s %(verb)s %(people)s persona",
            "Dal %(start)s al %(end)s %(who)s %(verb)s %(people)s persone",
            people,
        )
        % {**span, "who": who, "verb": verb, "people": fmt_number(people)}
        + " "
        + ngettext("(%(n)s presa in carico)", "(%(n)s prese in carico)", intakes)
        % {"n": fmt_number(intakes)}
    )
    average = total("meetings_mean", "mean")
    if people:
        parts[-1] += _(", con una media di %(mean)s incontri ciascuna") % {
            "mean": fmt_number(average, 1)
        }
    parts[-1] += _("; in tutto %(accesses)s accessi tra prese in carico e colloqui.") % {
        "accesses": fmt_number(intakes + meetings)
    }
    if people:
        young = int(total("age_band", AgeBand.FROM_18_TO_35) or 0)
        casalasco = int(total("origin", Origin.CASALASCO) or 0)
        women = int(total("gender", Gender.WOMAN) or 0)
        parts.append(
            _(
                "%(young)s persone su %(people)s (%(young_pct)s%%) avevano tra 18 e 35 anni, "
                "%(local)s (%(local_pct)s%%) risiedono nel Distretto Casalasco e %(women)s "
                "sono donne."
            )
            % {
                "young": fmt_number(young),
                "people": fmt_number(people),
                "young_pct": fmt_number(percent(young, people)),
                "local": fmt_number(casalasco),
                "local_pct": fmt_number(percent(casalasco, people)),
                "women": fmt_number(women),
            }
        )
    recorded = int(tables["meeting_mode"].total.values[-1] or 0)
    if recorded:
        parts.append(
            _(
                "Il %(pct)s%% dei colloqui si è svolto a distanza "
                "(telefono, videochiamata o e-mail)."
            )
            % {"pct": fmt_number(total("meeting_shares", "remote"))}
        )
    before = next(r for r in tables["change"].rows if r.key == "people").values[1]
    parts.append(
        ngettext(
            "Nel periodo precedente (dal %(start)s al %(end)s) era stata accolta %(n)s persona.",
            "Nel periodo precedente (dal %(start)s al %(end)s) erano state accolte %(n)s persone.",
            int(before or 0),
        )
        % {
            "start": fmt_date(previous_start),
            "end": fmt_date(previous_end),
            "n": fmt_number(before),
        }
    )
    return " ".join(parts)
