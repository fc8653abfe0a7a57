"""ISO 3166-1 (countries, `urn:iso:std:iso:3166`) and ISO 4217 (currencies, `urn:iso:std:iso:4217`) as FHIR R4
CodeSystems, built from the data of the PyPI package pycountry (the Debian iso-codes project's lists, LGPL-2.1).

No FHIR package ships these two: ISO keeps the lists, and tx.fhir.org serves them built in. FHIR binds to them
(every conformance resource's `jurisdiction`, Money.currency, THO's v3-Country value sets), so a store without
them answers "code system not found" for a patient's country of residence or nationality.

What the resources say, and why:
- `urn:iso:std:iso:3166` holds every country's alpha-2, alpha-3 and numeric code as a concept of its own: the R4
  page on ISO 3166 says Part 1's system "contains 3 types of codes for country", and its value sets tell them
  apart by a regex on the code ([A-Z]{2}, [A-Z]{3}, [0-9]{3}); FHIRsmith serves the same three lists. Part 2
  (subdivisions, `urn:iso:std:iso:3166:-2`) and Part 3 (former countries) are other systems and not built. The
  user-assigned codes (AA, QM-QZ, XA-XZ, ZZ), which FHIRsmith also answers, are not here: ISO gives them no
  meaning, and pycountry does not list them.
- Its `version` is a year, as the R4 page asks ("use the year of release in the format YYYY"): the year of the
  pycountry release the data comes from (pycountry numbers its releases by date, 26.2.16 is 2026-02-16; `date`
  is that day). FHIRsmith says 2018, but this data is not 2018's (SZ is Eswatini, MK North Macedonia).
- `caseSensitive` false: "The codes SHALL always be represented in upper case, but (for robustness)
  comparisons are case insensitive" (THO's page on ISO 3166).
- `urn:iso:std:iso:4217` holds the alphabetic codes only, without a `version`, as FHIRsmith serves it: Money.currency
  is the three-letter code, and the numeric ones (578 is both Norway and its krone) would make '578' a valid
  currency. Case-sensitive (ISO writes them upper case; FHIRsmith matches them exactly). FHIRsmith's `decimals`
  property is not here: pycountry has no minor units.
- `content` complete, no hierarchy, no properties beyond the code itself. Displays are pycountry's English
  names (ISO's short names); the official name ("Kingdom of Norway", "United States of America", the display
  FHIR's iso3166-1-2 value set gives) and a common name ("Taiwan") are English designations too, so codings that
  carry them are not told their display is wrong. Designations in Norwegian Bokmål (`nb`) and Nynorsk (`nn`),
  use display, come from pycountry's gettext translations (locales nb_NO and nn) where they have the name.
"""
from __future__ import annotations

import gettext
import re
from importlib.metadata import version as package_version

COUNTRIES = "urn:iso:std:iso:3166"
CURRENCIES = "urn:iso:std:iso:4217"
ISO = "International Organization for Standardization (ISO)"
DISPLAY_USE = {"system": "http://terminology.hl7.org/CodeSystem/designation-usage", "code": "display"}
# pycountry's locale -> the BCP 47 tag the designations carry
LOCALES = {"nb_NO": "nb", "nn": "nn"}


def pycountry_version() -> str:
    return package_version("pycountry")


def release_date(pycountry_release: str) -> str | None:
    """'26.2.16' -> '2026-02-16': pycountry numbers its releases YY.M.D. None for a number of another shape."""
    m = re.fullmatch(r"(\d{2})\.(\d{1,2})\.(\d{1,2})", pycountry_release)
    if not m:
        return None
    return f"20{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"


def country_codesystem() -> dict:
    import pycountry
    translations = _translations("iso3166-1")
    concepts = []
    for field in ("alpha_2", "alpha_3", "numeric"):
        for country in sorted(pycountry.countries, key=lambda c: getattr(c, field)):
            others = [getattr(country, f, None) for f in ("official_name", "common_name")]
            concepts.append(_concept(getattr(country, field), country.name, translations, others))
    released = release_date(pycountry_version())
    cs = _header("iso3166-1", COUNTRIES, "ISO3166Part1", "ISO 3166-1 country codes",
                 "The codes for countries and areas of ISO 3166-1: each country's alpha-2, alpha-3 and numeric code "
                 "is a concept of its own (a value set picks one kind by a regex on the code). Codes are upper case; "
                 "they are compared without regard to case.", case_sensitive=False)
    if released:
        cs["version"] = released[:4]
    return _finish(cs, concepts, released)


def currency_codesystem() -> dict:
    import pycountry
    translations = _translations("iso4217")
    concepts = [_concept(c.alpha_3, c.name, translations, ())
                for c in sorted(pycountry.currencies, key=lambda c: c.alpha_3)]
    cs = _header("iso4217", CURRENCIES, "ISO4217", "ISO 4217 currency codes",
                 "The alphabetic (three-letter) codes of ISO 4217 for currencies and funds, as Money.currency takes "
                 "them.", case_sensitive=True)
    return _finish(cs, concepts, release_date(pycountry_version()))


def iso_codesystems() -> list[dict]:
    return [country_codesystem(), currency_codesystem()]


def _header(rid: str, url: str, name: str, title: str, description: str, *, case_sensitive: bool) -> dict:
    return {"resourceType": "CodeSystem", "id": rid, "language": "en", "url": url, "name": name, "title": title,
            "status": "active", "experimental": False, "publisher": ISO,
            "description": description + f" Built by Kodebro from the data of pycountry {pycountry_version()} (the "
                                         "Debian iso-codes lists), with its Norwegian Bokmål and Nynorsk names.",
            "copyright": "ISO maintains the copyright on the codes of ISO 3166 and ISO 4217.",
            "caseSensitive": case_sensitive, "content": "complete"}


def _finish(cs: dict, concepts: list[dict], released: str | None) -> dict:
    if released:
        cs["date"] = released
    cs["count"] = len(concepts)
    cs["concept"] = concepts
    return cs


def _concept(code: str, name: str, translations: dict, other_names) -> dict:
    designations = []
    for tag, translate in translations.items():
        text = translate(name)
        # a few translations hold two names ("USA; Sambandsstatane"): the first is the display, the others
        # are names too
        for n, part in enumerate(p.strip() for p in (text or "").split(";")):
            if part:
                designations.append({"language": tag, "use": DISPLAY_USE, "value": part} if n == 0 else
                                    {"language": tag, "value": part})
    seen = {name}
    for other in other_names:
        if other and other not in seen:
            seen.add(other)
            designations.append({"language": "en", "value": other})
    concept = {"code": code, "display": name}
    if designations:
        concept["designation"] = designations
    return concept


class _Missing(gettext.NullTranslations):
    """The fallback of a catalogue: a name it lacks comes back as None, not as the English name."""
    def gettext(self, message):
        return None


def _translations(domain: str) -> dict:
    """{language tag: name -> its translation or None} for the locales in LOCALES that translate `domain`."""
    import pycountry
    out = {}
    for locale, tag in LOCALES.items():
        try:
            catalogue = gettext.translation(domain, pycountry.LOCALES_DIR, languages=[locale])
        except OSError:     # a pycountry without this locale: the names stay English
            continue
        catalogue.add_fallback(_Missing())
        out[tag] = catalogue.gettext
    return out
