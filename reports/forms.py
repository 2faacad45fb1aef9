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
        opening: tuple[dt.date, dt.date] | None = None,
    ) -> None:
        self.presets: dict[str, Preset] = {
            p.key: p
            for p in (*quarter_presets(today), *opening_presets(desks, whole_project=whole_project))
        }
        self.default_key = self._default_key(opening or default_period(today))
        self.latest = latest_date(today)
        if not data or not data.get("period"):
            # No period chosen (e.g. only ?desk=gussola): the last completed quarter, or the
            # ``opening`` period the view chose (the last quarter with data).
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

    def _default_key(self, period: tuple[dt.date, dt.date]) -> str:
        start, _end = period
        return next(
            (k for k, p in self.presets.items() if p.start == start and k.startswith("q")),
            next(iter(self.presets)),
        )

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


class SendForm(forms.Form):
    """Mark the review shown as sent: to whom, on which day, and (from the second version
    on) why a new version. The period and the desk travel as hidden fields, read by the
    same ReviewFilterForm as the page."""

    recipients = forms.CharField(
        label=_("Destinatari"),
        max_length=300,
        help_text=_("Per esempio: Regione Lombardia, partner del progetto."),
    )
    sent_on = forms.DateField(
        label=_("Inviata il"),
        widget=DateInput(),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
    )
    reason = forms.CharField(
        label=_("Motivo della nuova versione"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obbligatorio quando la revisione è già stata inviata."),
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        today: dt.date,
        period_start: dt.date,
        already_sent: bool,
    ) -> None:
        super().__init__(data, initial={"sent_on": today})
        self.today = today
        self.period_start = period_start
        self.already_sent = already_sent
        if already_sent:
            self.fields["reason"].required = True

    def clean_sent_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["sent_on"]
        if day > self.today:
            raise forms.ValidationError(_("La data di invio non può essere nel futuro."))
        if day < self.period_start:
            raise forms.ValidationError(
                _("La data di invio non può precedere l'inizio del periodo.")
            )
        return day

    def clean_recipients(self) -> str:
        value = self.cleaned_data["recipients"].strip()
        if not value:
            raise forms.ValidationError(_("Indicare a chi è stata inviata."))
        return value
