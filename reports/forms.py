"""The review's filters: a period (a preset or a custom range) and a desk, read from GET.

Dates and a desk slug are not personal data, so they may travel in the query string and
a review can be bookmarked and shared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from reports.periods import (
    PROJECT_START,
    Preset,
    add_months,
    default_period,
    opening_presets,
    quarter_presets,
)
from sportelli.models import Desk

CUSTOM = "custom"
MAX_DAYS = 366 * 10
# A custom period lies between the year before the project started (imported histories may
# begin a little earlier) and a year from today: anything outside holds no data, and dates
# near year 1 or 9999 would overflow the previous-period arithmetic.
EARLIEST = dt.date(PROJECT_START.year - 1, 1, 1)
MONTHS_AHEAD = 12


def latest_date(today: dt.date) -> dt.date:
    return add_months(today, MONTHS_AHEAD)


class DateInput(forms.DateInput):
    """A text field in dd/mm/yyyy whatever the browser's locale (ISO dates are accepted too,
    so links with ?start=2021-04-01 work)."""

    def __init__(self) -> None:
        super().__init__(
            format="%d/%m/%Y", attrs={"placeholder": "gg/mm/aaaa", "inputmode": "numeric"}
        )


class ReviewFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Periodo"))
    start = forms.DateField(
        label=_("Dal"),
        required=False,
        widget=DateInput(),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text=_("Solo per l'intervallo personalizzato."),
    )
    end = forms.DateField(
        label=_("Al"),
        required=False,
        widget=DateInput(),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text=_("Incluso."),
    )
    desk = forms.ChoiceField(label=_("Sportello"), required=False)

    def __init__(
        self,
        data: Mapping[str, Any] | None,  # request.GET, or a dict
        *,
        desks: Sequence[Desk],
        today: dt.date,
        whole_project: bool,
    ) -> None:
        self.presets: dict[str, Preset] = {
            p.key: p
            for p in (*quarter_presets(today), *opening_presets(desks, whole_project=whole_project))
        }
        self.default_key = self._default_key(today)
        self.latest = latest_date(today)
        if not data or not data.get("period"):
            # No period chosen (e.g. only ?desk=gussola): the last completed quarter.
            given = data.dict() if isinstance(data, MultiValueDict) else dict(data or {})
            data = {**given, "period": self.default_key}
        super().__init__(data)
        # The form's own copies of the ChoiceFields declared above.
        cast(forms.ChoiceField, self.fields["period"]).choices = [
            *((key, preset.label) for key, preset in self.presets.items()),
            (CUSTOM, _("Intervallo personalizzato (indicare le date)")),
        ]
        cast(forms.ChoiceField, self.fields["desk"]).choices = [
            ("", _("Tutti gli sportelli")),
            *((desk.slug, desk.name) for desk in desks),
        ]

    def _default_key(self, today: dt.date) -> str:
        start, _end = default_period(today)
        return next(k for k, p in self.presets.items() if p.start == start)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        period = data.get("period")
        if period and period != CUSTOM:
            preset = self.presets[period]
            data["start"], data["end"] = preset.start, preset.end
            return data
        for name in ("start", "end"):
            day = data.get(name)
            if day and not EARLIEST <= day <= self.latest:
                self.add_error(
                    name,
                    _("Le date vanno dal %(earliest)s al %(latest)s.")
                    % {"earliest": f"{EARLIEST:%d/%m/%Y}", "latest": f"{self.latest:%d/%m/%Y}"},
                )
        start, end = data.get("start"), data.get("end")
        if period == CUSTOM:
            if not start and "start" not in self.errors:
                self.add_error("start", _("Indicare la data di inizio dell'intervallo."))
            if not end and "end" not in self.errors:
                self.add_error("end", _("Indicare la data di fine dell'intervallo."))
        if start and end:
            if end < start:
                self.add_error("end", _("La data di fine non può precedere quella di inizio."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", _("L'intervallo non può superare i dieci anni."))
        return data
