"""Norwegian coding rules, kept as data and turned into properties and value sets.

Sources: seed 002 (U07.-, U09.9 and Z03.- are not valid as main condition),
seed 001 (NCRP codes with X as 6th character need a ZXM additional code) and
the directorate's flags (star codes, additional codes, sex, non-specific).
"""
from __future__ import annotations

from ..identifiers import ICD10_NO, KODEBRO_BASE

REPORTABLE_VS = KODEBRO_BASE + "/ValueSet/icd-10-no-reportable"
MAIN_CONDITION_VS = KODEBRO_BASE + "/ValueSet/icd-10-no-main-condition"
# compose.exclude (and its concepts) may carry this extension: why the codes are left out
from ..exclusions import EXCLUSION_REASON

_COVID_ADVICE = ("Første kode velges etter pasientens tilstand: ved symptomgivende infeksjon koden for "
                 "infeksjonen (f.eks. J12.8 Annen spesifisert viruspneumoni), ved symptomer uten klinisk "
                 "sykdom koden for symptomet (f.eks. R06.0 Dyspné), ved asymptomatisk infeksjon R84.5; "
                 "U07.1/U07.2 legges til som tilleggsopplysning.")

# (match, how, reason): how is 'prefix' (the '.-' of the classification) or 'exact'
MAIN_CONDITION_EXCLUSIONS = (
    ("U07", "prefix", "U07.- (covid-19) er ikke gyldig hovedtilstand i Norge. " + _COVID_ADVICE),
    ("U099", "exact", "U09.9 Postinfeksiøs tilstand etter covid-19 er ikke gyldig hovedtilstand i Norge. "
                      "Kod tilstanden pasienten har som hovedtilstand, og legg til U09.9."),
    ("Z03", "prefix", "Z03.- Medisinsk observasjon og vurdering der mistanke om sykdom blir avkreftet er ikke "
                      "gyldig hovedtilstand i Norge. Som første kode velges koden for symptomet eller tegnet "
                      "(oftest en R-kode) eller Z71.1 Kontakt for mistanke om sykdom uten at noen diagnose "
                      "stilles."),
)

STAR_RULE = ("Stjernekode: beskriver en manifestasjon og skal alltid rapporteres sammen med en sverdkode (†) "
             "for grunnsykdommen, i samme gruppe.")
ADDITIONAL_RULE = "Tilleggskode: brukes bare sammen med en annen kode, aldri alene."
NONSPECIFIC_RULE = "Uspesifikk kode: brukes bare når ingen mer spesifikk kode kan velges ut fra dokumentasjonen."
SEX_RULE = "Koden brukes hovedsakelig for ett kjønn ({value}); rådgivende, ikke en absolutt regel."
ZXM_RULE = ("NCRP-kode med X som 6. tegn: bildemodaliteten ligger ikke i koden, så en tilleggskode fra "
            "kategori ZXM (bildeveiledet teknikk, f.eks. ZXM20 computertomografi) må registreres i tillegg.")


def main_condition_reason(code: str) -> str | None:
    """Why `code` (undotted ICD-10-NO) may not be a main condition, or None when it may."""
    for match, how, reason in MAIN_CONDITION_EXCLUSIONS:
        if (how == "exact" and code.upper() == match) or (how == "prefix" and code.upper().startswith(match)):
            return reason
    return None


def needs_zxm(code: str) -> bool:
    return len(code) >= 6 and code[5] in "Xx"


def icd10_valuesets(edition: str, concepts: list[dict]) -> list[dict]:
    """The rule value sets of one ICD-10-NO edition: reportable codes, valid as main condition."""
    reportable = [c["code"] for c in concepts if _bool(c, "reportable")]
    excluded: dict[str, list[str]] = {}
    for code in reportable:
        for match, how, reason in MAIN_CONDITION_EXCLUSIONS:
            if (how == "exact" and code == match) or (how == "prefix" and code.startswith(match)):
                excluded.setdefault(reason, []).append(code)
                break
    include = {"system": ICD10_NO, "version": edition,
               "filter": [{"property": "reportable", "op": "=", "value": "true"}]}
    base = {"resourceType": "ValueSet", "version": edition, "status": "active", "publisher": "Kodebro",
            "experimental": False, "immutable": True}
    vs_reportable = dict(base, url=REPORTABLE_VS, name="ICD10NOReportable",
                         title=f"ICD-10 rapporterbare koder {edition}",
                         description=f"All codes of ICD-10, Norwegian edition {edition}, that may be reported to "
                                     "NPR (the leaves; chapters, blocks and categories with children are not "
                                     "selectable).",
                         compose={"include": [include]})
    exclude = [{"system": ICD10_NO, "version": edition,
                "extension": [{"url": EXCLUSION_REASON, "valueString": reason}],
                "concept": [{"code": c} for c in codes]}
               for reason, codes in excluded.items()]
    vs_main = dict(base, url=MAIN_CONDITION_VS, name="ICD10NOMainCondition",
                   title=f"ICD-10 gyldige hovedtilstandskoder {edition}",
                   description=(f"Reportable codes of ICD-10, Norwegian edition {edition}, that may be the main "
                                "condition (hovedtilstand). Left out, each with its reason in the extension "
                                f"{EXCLUSION_REASON}: U07.- and U09.9 (covid-19) and Z03.- (observation "
                                "for suspected disease ruled out)."),
                   compose={"include": [dict(include)], **({"exclude": exclude} if exclude else {})})
    return [vs_reportable, vs_main]


def _bool(concept: dict, code: str) -> bool:
    return any(p.get("code") == code and p.get("valueBoolean") is True for p in concept.get("property") or ())


# --- keeping the rule value sets in step with REST writes and removals (terminology/derived.py) -----------
RULE_VALUESETS = {REPORTABLE_VS: "ICD10NOReportable", MAIN_CONDITION_VS: "ICD10NOMainCondition"}


def is_generated(vs: dict, edition: str) -> bool:
    """Whether `vs` is a rule value set Kodebro generated for ICD-10-NO `edition` (icd10_valuesets): its url,
    name, version and publisher, and a compose that reads that edition and nothing else. A value set someone
    wrote at the same url, or one that reads more than the edition, is not Kodebro's to delete or replace."""
    if not isinstance(vs, dict) or RULE_VALUESETS.get(vs.get("url")) != vs.get("name") \
            or vs.get("version") != edition or vs.get("publisher") != "Kodebro":
        return False
    compose = vs.get("compose")
    if not isinstance(compose, dict) or not compose.get("include"):
        return False
    parts = list(compose.get("include") or ()) + list(compose.get("exclude") or ())
    return all(isinstance(p, dict) and p.get("system") == ICD10_NO and p.get("version") == edition
               and not p.get("valueSet") for p in parts)


def derived_changes(store, written: list[dict], removed: list[tuple[str, str]]):
    """The rule value sets to write and delete with a write of `written` that takes away the stored code
    systems `removed` ((url, version)): (value sets to write, (type, id) to delete).

    An ICD-10-NO edition taken away (a REST DELETE, a PUT giving it another version, a removal through the
    store) takes its generated rule value sets with it, unless another resource still holds that edition:
    left behind they would pin a missing edition and, as the newest versions, break every version-less call.
    An edition written other than by the importer (a REST create or PUT, an import of a FHIR CodeSystem) gets
    its rule value sets built as an import builds them, when its concepts carry the `reportable` property
    the importer writes (without it every code would be left out); the importer writes its own, and a value
    set at that url|version that Kodebro did not generate is left as it is."""
    from ..codesystem import written_concepts
    from ..editions import is_year
    given = {(r.get("url"), r.get("version")) for r in written if r.get("resourceType") == "ValueSet"}
    to_write: list[dict] = []
    for r in written:
        edition = r.get("version")
        if r.get("resourceType") != "CodeSystem" or r.get("url") != ICD10_NO or not is_year(edition) \
                or any((url, edition) in given for url in RULE_VALUESETS):
            continue
        flat = written_concepts(r)
        if not any(p.get("code") == "reportable" for c in flat for p in c.get("property") or ()):
            continue
        for vs in icd10_valuesets(edition, flat):
            if all(is_generated(store.body(h.pk), edition) for h in store.by_url("ValueSet", vs["url"], edition)):
                to_write.append(vs)
    to_delete: list[tuple[str, str]] = []
    kept = {(r.get("url"), r.get("version")) for r in written if r.get("resourceType") == "CodeSystem"}
    gone = {v for u, v in removed if u == ICD10_NO and is_year(v) and (u, v) not in kept}
    for edition in sorted(gone):
        if len(store.by_url("CodeSystem", ICD10_NO, edition)) > sum(1 for u, v in removed
                                                                     if (u, v) == (ICD10_NO, edition)):
            continue        # another resource still holds the edition
        for url in RULE_VALUESETS:
            if (url, edition) in given:
                continue
            to_delete += [("ValueSet", h.id) for h in store.by_url("ValueSet", url, edition)
                          if is_generated(store.body(h.pk), edition)]
    return to_write, to_delete


def derived_note(vs: dict) -> str:
    """The import report's line for a rule value set built from an edition written other than by an import."""
    return f"{vs.get('name')} {vs.get('version')} built from ICD-10-NO {vs.get('version')}"
