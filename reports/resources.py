"""The pseudonymised record-level export for analysts, as a django-import-export Resource.

One row per intake (presa in carico) opened in the period, with what analysts need and
nothing that names a person: no name, codice fiscale, birth date, address, e-mail or phone,
no free-text notes. The person appears as a stable pseudonymous id (``person_ref``): an
HMAC-SHA256 of the person's internal id keyed with ``settings.PSEUDONYM_KEY``, truncated to
16 hex characters — the same person has the same id in every export (so analysts can follow
people across desks and quarters), different people have different ids, and without the
key the id cannot be traced back. The rows come from :func:`reports.records.record_rows`.

The columns are declared once, in :data:`COLUMNS`; the Resource and the streamed xlsx writer
(``reports.records.write_records_xlsx``) both use them, so the two cannot drift apart.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

# (row key, column header). Dates are ``datetime.date``; counts are ints; lists are text.
COLUMNS: tuple[tuple[str, object], ...] = (
    ("person_ref", _("ID persona (pseudonimo)")),
    ("intake_ref", _("ID presa in carico (pseudonimo)")),
    ("desk", _("Sportello")),
    ("opened_on", _("Data presa in carico")),
    ("status", _("Stato")),
    ("closed_on", _("Data di chiusura")),
    ("closure_reason", _("Motivo della chiusura")),
    ("age_band", _("Fascia d'età")),
    ("esf_age_band", _("Fascia d'età FSE+")),
    ("gender", _("Genere")),
    ("origin", _("Provenienza")),
    ("citizenship", _("Cittadinanza")),
    ("isced_band", _("Livello ISCED")),
    ("labour_status", _("Condizione occupazionale")),
    ("channel", _("Canale di accesso")),
    ("main_need", _("Bisogno principale")),
    ("meetings", _("Colloqui registrati")),
    ("attended", _("Colloqui svolti")),
    ("no_shows", _("Mancate presentazioni")),
    ("in_person", _("Colloqui in presenza")),
    ("phone", _("Colloqui al telefono")),
    ("video", _("Colloqui in videochiamata")),
    ("email", _("Colloqui via e-mail")),
    ("first_meeting", _("Primo colloquio")),
    ("last_meeting", _("Ultimo colloquio")),
    ("referrals", _("Invii")),
    ("referral_kinds", _("Tipi di invio")),
    ("referral_outcomes", _("Esiti degli invii")),
    ("positive_outcomes", _("Esiti positivi")),
)
DATE_COLUMNS = frozenset({"opened_on", "closed_on", "first_meeting", "last_meeting"})


class PseudonymisedRecordResource(resources.Resource):
    """Export-only Resource over the dict rows of ``record_rows`` (one per intake)."""

    def __init__(self) -> None:
        super().__init__()
        for key, header in COLUMNS:
            self.fields[key] = fields.Field(attribute=key, column_name=str(header))

    def get_export_order(self) -> tuple[str, ...]:
        return tuple(key for key, _header in COLUMNS)
