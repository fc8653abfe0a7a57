"""CodeSystem.property definitions of the Norwegian codebooks (what $lookup can show)."""
from __future__ import annotations

from ..identifiers import KODEBRO_BASE

_FHIR = "http://hl7.org/fhir/concept-properties#"
_KB = KODEBRO_BASE + "/CodeSystem/property#"

_ALL = {
    "notSelectable": (_FHIR + "notSelectable", "boolean",
                      "Grouping (chapter, block, category with children): not to be used in reports."),
    "status": (_FHIR + "status", "code", "active, or retired when the code's validity ended before this edition."),
    "kind": (_KB + "kind", "code", "chapter, block or category for the groupings of the classification."),
    "validFrom": (_KB + "validFrom", "dateTime", "Gyldig fra: first day the code may be used."),
    "validTo": (_KB + "validTo", "dateTime", "Gyldig til: last day the code may be used."),
    "reportable": (_KB + "reportable", "boolean", "Rapporteres til NPR: the code may be reported to the "
                   "Norwegian Patient Registry."),
    "nprValidFrom": (_KB + "nprValidFrom", "dateTime", "NPR gyldig fra."),
    "nprValidTo": (_KB + "nprValidTo", "dateTime", "NPR gyldig til."),
    "starCode": (_KB + "starCode", "boolean", "Stjernekode (asterisk): must be reported together with a "
                 "dagger (sverd) code for the underlying disease."),
    "additionalCode": (_KB + "additionalCode", "boolean", "Tilleggskode: qualifies another code, never "
                       "used alone."),
    "sex": (_KB + "sex", "string", "Kjønn: the code is used mainly for one sex (advisory); raw value of the "
            "source."),
    "nonSpecific": (_KB + "nonSpecific", "boolean", "Uspesifikk kode: use only when nothing more specific "
                    "is known."),
    "validAsMainCondition": (_KB + "validAsMainCondition", "boolean", "False for codes that may not be the "
                             "main condition (hovedtilstand) in Norway."),
    "requiresAdditionalCode": (_KB + "requiresAdditionalCode", "string", "Category of the additional code "
                               "that must accompany this code (e.g. ZXM)."),
    "rule": (_KB + "rule", "string", "A coding rule for this code, in words a coder can act on."),
    "rawFlag": (_KB + "rawFlag", "string", "A flag of the source file kept as given (name=value)."),
    "origin": (_KB + "origin", "code", "who: the concept was added from WHO ICD-10 2019 because the "
               "Norwegian file lacks it."),
    "codebook": (_KB + "codebook", "code", "NCMP, NCSP or NCRP: the codebook the code belongs to."),
    "icpc2Codebook": (_KB + "icpc2Codebook", "string", "Kodeverk: ICPC-2 or ICPC-2B."),
    "icpc2bBelonging": (_KB + "icpc2bBelonging", "string", "Tilhørighet i ICPC-2B."),
}


# the `origin` of a concept the ICD-10-NO importers added from WHO ICD-10 (terminology.importers.who_icd10)
ORIGIN_WHO = "who"


def from_who(concept) -> bool:
    """Whether the concept's text is WHO's (origin=who: added from WHO ICD-10, in English), not the codebook's."""
    return ORIGIN_WHO in concept.property_values("origin")


def who_grouping(concept) -> bool:
    """A WHO grouping of a Norwegian ICD-10 edition: a concept from WHO (`from_who`) that is not selectable and has
    codes below it, as the importers add one (only as the parent the Norwegian file lacks). The one test of the
    succession graph's editions (mappings.edition_diff) and of a codebook's history read from the catalog."""
    return bool(concept.children) and concept.abstract and from_who(concept)


def definitions(*codes: str) -> list[dict]:
    out = []
    for c in codes:
        uri, typ, desc = _ALL[c]
        out.append({"code": c, "uri": uri, "description": desc, "type": typ})
    return out


ICD10_PROPERTIES = ("notSelectable", "status", "kind", "validFrom", "validTo", "reportable", "nprValidFrom",
                    "nprValidTo", "starCode", "additionalCode", "sex", "nonSpecific", "validAsMainCondition",
                    "rule", "rawFlag", "origin")
ICPC2_PROPERTIES = ("notSelectable", "status", "kind", "validFrom", "validTo", "icpc2Codebook",
                    "icpc2bBelonging", "rule")
PROCEDURE_PROPERTIES = ("notSelectable", "status", "validFrom", "validTo", "requiresAdditionalCode", "rule",
                        "codebook")
WHO_PROPERTIES = ("notSelectable", "kind")
