"""Canonical URLs and aliases of the codebooks Kodebro knows by name.

This is the one place these identifiers live (see shared/norway-identifiers.md).
NamingSystem resources loaded into the store add further aliases at run time:
`Catalog` gathers them and passes them to `canonical_system(system, extra_aliases)`,
which looks there before the built-in table.
"""
from __future__ import annotations

ICD10_NO = "http://hl7.org/fhir/sid/icd-10-no"
ICD10_WHO = "http://hl7.org/fhir/sid/icd-10"
ICPC2 = "http://hl7.org/fhir/sid/icpc-2"
NCSP = "urn:oid:2.16.578.1.12.4.1.1.7210"
NCMP = "urn:oid:2.16.578.1.12.4.1.1.7220"
NCRP = "urn:oid:2.16.578.1.12.4.1.1.7270"
NKPK = "urn:oid:2.16.578.1.12.4.1.1.7275"
# No official OID exists for the retired special codes; this project URL says so.
SAERKODER = "https://kodebro.no/fhir/CodeSystem/saerkoder"
SNOMED = "http://snomed.info/sct"
SNOMED_NO_MODULE = "51000202101"
SNOMED_INT_MODULE = "900000000000207008"

# Kodebro's own namespace for value sets, concept maps and extensions it defines.
KODEBRO_BASE = "https://kodebro.no/fhir"

# alias -> canonical URL
BUILTIN_ALIASES: dict[str, str] = {
    "urn:oid:2.16.578.1.12.4.1.1.7110": ICD10_NO,
    "urn:oid:2.16.578.1.12.4.1.1.7170": ICPC2,
    "http://helsedir.no/fhir/CodeSystem/no-kodeverk-7270-ncrp": NCRP,
    "urn:oid:2.16.840.1.113883.6.96": SNOMED,
    "urn:oid:2.16.840.1.113883.6.3": ICD10_WHO,
}

# canonical URL -> (short name, title) for the Norwegian codebooks
CODEBOOKS: dict[str, tuple[str, str]] = {
    ICD10_NO: ("ICD10NO", "ICD-10, norsk utgave"),
    ICD10_WHO: ("ICD10", "ICD-10 (WHO, international)"),
    ICPC2: ("ICPC2", "ICPC-2, norsk utgave"),
    NCSP: ("NCSP", "NCSP – kirurgiske prosedyrer"),
    NCMP: ("NCMP", "NCMP – medisinske prosedyrer"),
    NCRP: ("NCRP", "NCRP – radiologiske prosedyrer"),
    NKPK: ("NKPK", "NKPK – NCMP, NCSP og NCRP samlet"),
    SAERKODER: ("Saerkoder", "Særkoder (utgått 2021)"),
    SNOMED: ("SNOMEDCT", "SNOMED CT"),
}

# the Norwegian codebooks published in yearly editions, each valid from 1 January (WHO's ICD-10 and SNOMED CT are in
# CODEBOOKS for their names only)
NORWEGIAN_CODEBOOKS = frozenset({ICD10_NO, ICPC2, NCMP, NCSP, NCRP, NKPK, SAERKODER})

# how the Norwegian codebooks are named to people in messages (CODEBOOKS' short names are ASCII keys for files)
_LABELS: dict[str, str] = {
    ICD10_NO: "ICD-10-NO", ICD10_WHO: "ICD-10", ICPC2: "ICPC-2", NCSP: "NCSP", NCMP: "NCMP", NCRP: "NCRP",
    NKPK: "NKPK", SAERKODER: "Særkoder", SNOMED: "SNOMED CT",
}


def codebook_label(system: str, resource: dict | None = None, name: str | None = None) -> str:
    """A codebook's name in messages: the Norwegian codebooks by their usual name, any other by its title up to
    " – " ("NCMP" from "NCMP – medisinske prosedyrer"), its name, or the last part of its URL. A codebook named
    in a change list need not be loaded, so the resource is optional."""
    if system in _LABELS:
        return _LABELS[system]
    title = resource.get("title") if isinstance(resource, dict) else None
    short = (title or "").split(" – ")[0].strip() if isinstance(title, str) else ""
    return short or name or system.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


# systems whose codes are written with an optional dot (J12.8 == J128)
DOTTED_CODE_SYSTEMS = frozenset({ICD10_NO})


def canonical_system(system: str | None, extra_aliases: dict[str, str] | None = None) -> str | None:
    """The canonical URL for `system`, which may be a URL, an OID or a urn:oid."""
    if system is None:
        return None
    s = system.strip()
    if extra_aliases and s in extra_aliases:
        return extra_aliases[s]
    if s in BUILTIN_ALIASES:
        return BUILTIN_ALIASES[s]
    if s[:1].isdigit() and "." in s and not s.startswith("urn:"):
        oid = "urn:oid:" + s
        return (extra_aliases or {}).get(oid) or BUILTIN_ALIASES.get(oid, s)
    return s


def split_canonical(ref: str | None, version: str | None = None) -> tuple[str | None, str | None]:
    """'url|version' -> (url, version); an explicit version argument wins."""
    if ref is None:
        return None, version
    if "|" in ref:
        url, v = ref.split("|", 1)
        return url, version or v or None
    return ref, version


def canonical(url: str | None, version: str | None = None) -> str | None:
    """'url|version' (just the url when there is no version): the inverse of `split_canonical`."""
    return f"{url}|{version}" if url and version else url


def canonical_url(ref: str | None) -> str | None:
    """The URL of a canonical reference, without its '|version'."""
    return split_canonical(ref)[0]


# Kodebro's own meta.tag codes (system KODEBRO_TAGS). `demo`: content shipped as a demonstration (partial slices of
# the codebooks, mostly `fragment`s that accept unknown codes), so a FHIR client (`_tag=`) and `kodebro list` can
# tell it from real imports and `kodebro remove --demo` can find it.
KODEBRO_TAGS = KODEBRO_BASE + "/CodeSystem/kodebro-tags"
DEMO_TAG = {"system": KODEBRO_TAGS, "code": "demo",
            "display": "Kodebro demo content: partial codebook slices, not for production"}
# `hl7`: the HL7 terminology shipped with Kodebro (terminology/hl7/), reference data a new store gets; tagged so that
# people (`kodebro list`, the search page) can tell the Norwegian codebooks from 1,200 HL7 code systems
HL7_TAG = {"system": KODEBRO_TAGS, "code": "hl7",
           "display": "HL7 terminology shipped with Kodebro (FHIR R4 core 4.0.1, THO 7.0.1)"}


def has_tag(resource: dict | None, tag: dict) -> bool:
    """Whether `resource` carries `tag` (same system and code) in its meta.tag."""
    meta = (resource or {}).get("meta")
    tags = meta.get("tag") if isinstance(meta, dict) else None
    return isinstance(tags, list) and any(
        isinstance(t, dict) and t.get("system") == tag.get("system") and t.get("code") == tag.get("code") for t in tags)


def with_tag(resource: dict, tag: dict) -> dict:
    """`resource` (not changed) with `tag` added last to its meta.tag unless it carries it: the one way the demo
    load, the resources derived from demo content and the store's demo re-import check add it, so the three
    write the same body."""
    if has_tag(resource, tag):
        return resource
    meta = resource.get("meta") if isinstance(resource.get("meta"), dict) else {}
    return {**resource, "meta": {**meta, "tag": list(meta.get("tag") or []) + [dict(tag)]}}


def is_demo(resource: dict | None) -> bool:
    return has_tag(resource, DEMO_TAG)


def is_hl7(resource: dict | None) -> bool:
    return has_tag(resource, HL7_TAG)


def codebook_by_name(name: str | None) -> str | None:
    """The canonical URL of a codebook named as Kodebro prints it (ICD-10-NO, ICPC-2, Særkoder, SNOMED CT) or by
    its short key (ICD10NO, ICPC2, Saerkoder), in any case and with or without '-', ' ' or '_'; None otherwise."""
    if not name:
        return None
    return _BY_NAME.get(_name_key(name))


def codebook_names() -> list[str]:
    """The names `codebook_by_name` accepts, as Kodebro prints them."""
    return list(_LABELS.values())


def _name_key(name: str) -> str:
    return "".join(ch for ch in name.strip().casefold().replace("æ", "ae") if ch not in "-_ .")


_BY_NAME: dict[str, str] = {}
for _url, _label in _LABELS.items():
    _BY_NAME[_name_key(_label)] = _url
    _BY_NAME[_name_key(CODEBOOKS[_url][0])] = _url
