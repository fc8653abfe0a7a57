"""SNOMED CT identifiers Kodebro relies on (concept ids from the RF2 metadata hierarchy)."""
from __future__ import annotations

from ..identifiers import ICD10_NO, ICD10_WHO, ICPC2, KODEBRO_BASE, SNOMED, SNOMED_INT_MODULE, SNOMED_NO_MODULE

ROOT = "138875005"
IS_A = "116680003"
INFERRED = "900000000000011006"
STATED = "900000000000010007"
DEFINED = "900000000000073002"       # definitionStatus: sufficiently defined
PRIMITIVE = "900000000000074008"
MODEL_MODULE = "900000000000012004"
ICD10_MAP_MODULE = "449080006"        # international SNOMED CT -> ICD-10 map module

FSN = "900000000000003001"
SYNONYM = "900000000000013009"
DEFINITION = "900000000000550004"
PREFERRED = "900000000000548007"
ACCEPTABLE = "900000000000549004"
TYPE_CODES = {"F": FSN, "S": SYNONYM, "D": DEFINITION}
TYPE_NAMES = {"F": "Fully specified name", "S": "Synonym", "D": "Definition"}
TYPE_LETTER = {FSN: "F", SYNONYM: "S", DEFINITION: "D"}

# language reference set -> BCP-47 tag used on designations
LANGUAGE_REFSETS = {
    "900000000000509007": "en-US",
    "900000000000508004": "en-GB",
    "61000202103": "nb-NO",
    "91000202106": "nn-NO",
}
NB, NN, EN_US, EN_GB = "61000202103", "91000202106", "900000000000509007", "900000000000508004"

ICD10_MAP = "447562003"
ICPC2_MAP = "68101000202102"
TERMBANK_REFSET = "88161000202101"   # the concepts Helseplattformen (Epic) offers
REFSET_ROOT = "900000000000455006"   # |Reference set|: every reference set concept is below it
# map refset -> target code system; ICD-10 depends on whether the Norwegian edition is loaded
MAP_TARGETS = {ICPC2_MAP: ICPC2}

CONCEPT_INACTIVATION = "900000000000489007"
# historical association reference sets (name used in succession edges and $lookup)
ASSOCIATIONS = {
    "900000000000526001": "REPLACED BY",
    "900000000000527005": "SAME AS",
    "900000000000523009": "POSSIBLY EQUIVALENT TO",
    "900000000000528000": "WAS A",
    "900000000000530003": "ALTERNATIVE",
    "900000000000525002": "MOVED FROM",
    "900000000000524003": "MOVED TO",
    "900000000000531004": "REFERS TO",
    "1186921001": "POSSIBLY REPLACED BY",
    "1186924009": "PARTIALLY EQUIVALENT TO",
}
INACTIVATION_REASONS = {
    "900000000000482003": "duplicate",
    "900000000000483008": "outdated",
    "900000000000484002": "ambiguous",
    "900000000000485001": "erroneous",
    "900000000000486000": "limited",
    "900000000000487009": "moved elsewhere",
    "900000000000492006": "pending move",
    "900000000000495008": "concept non-current",
    "1186917008": "classification derived component",
    "1186919006": "meaning of component unknown",
}
MAP_CATEGORIES = {
    "447637006": "Map source concept is properly classified",
    "447638001": "Map source concept cannot be classified with available data",
    "447639009": "Map of source concept is context dependent",
    "447640006": "Source SNOMED concept is ambiguous",
    "447641005": "Source SNOMED concept is incompletely modeled",
    "447635003": "Map is not feasible",
}

# Kodebro extension URLs for SNOMED-specific data on FHIR output
EXT_ACCEPTABILITY = KODEBRO_BASE + "/StructureDefinition/snomed-acceptability"
EXT_RELEASE = KODEBRO_BASE + "/StructureDefinition/snomed-release"


def version_uri(module: str, date: str) -> str:
    return f"{SNOMED}/{module}/version/{date}"


def icd10_system(norwegian: bool) -> str:
    return ICD10_NO if norwegian else ICD10_WHO


__all__ = [n for n in dir() if not n.startswith("_")] + ["SNOMED", "SNOMED_INT_MODULE", "SNOMED_NO_MODULE"]
