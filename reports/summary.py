"""The review's short Italian paragraph, written from its tables (in the spirit of the
article: people taken in, meetings each, who they are, how they met, the period before)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.choices import AgeBand, Gender
from reports.tables import Table, Value, fmt_date, fmt_number, percent
from sportelli.models import Desk, Origin


def write_summary(
    *,
    start: dt.date,
    end: dt.date,
    desks: tuple[Desk, ...],
    tables: dict[str, Table[Value]],
    previous_start: dt.date,
    previous_end: dt.date,
) -> str:
    """A short Italian paragraph written from the figures, in the spirit of the article."""

    def total(table: str, row: str) -> Value:
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
        parts[-1] += _(", con una media di %(mean)s colloqui a persona") % {
            "mean": fmt_number(average, 1)
        }
    accesses = intakes + meetings
    parts[-1] += ngettext(
        "; in tutto %(accesses)s accesso tra prese in carico e colloqui svolti.",
        "; in tutto %(accesses)s accessi tra prese in carico e colloqui svolti.",
        accesses,
    ) % {"accesses": fmt_number(accesses)}
    if people:
        young = int(total("age_band", AgeBand.FROM_18_TO_35) or 0)
        casalasco = int(total("origin", Origin.CASALASCO) or 0)
        women = int(total("gender", Gender.WOMAN) or 0)
        # Each clause agrees with its own number: "1 persona su 3 (33%) aveva…", "1 risiede…",
        # "1 è una donna".
        age = ngettext(
            "%(young)s persona su %(people)s (%(young_pct)s%%) aveva tra 18 e 35 anni",
            "%(young)s persone su %(people)s (%(young_pct)s%%) avevano tra 18 e 35 anni",
            young,
        ) % {
            "young": fmt_number(young),
            "people": fmt_number(people),
            "young_pct": fmt_number(percent(young, people)),
        }
        residence = ngettext(
            "%(local)s (%(local_pct)s%%) risiede nel Distretto Casalasco",
            "%(local)s (%(local_pct)s%%) risiedono nel Distretto Casalasco",
            casalasco,
        ) % {
            "local": fmt_number(casalasco),
            "local_pct": fmt_number(percent(casalasco, people)),
        }
        gender = ngettext("%(women)s è una donna", "%(women)s sono donne", women) % {
            "women": fmt_number(women)
        }
        parts.append(
            _("%(age)s, %(residence)s e %(women)s.")
            % {"age": age, "residence": residence, "women": gender}
        )
    by_mode = tables["meeting_mode"].total
    recorded = int(by_mode.values[-1] or 0) if by_mode is not None else 0
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
