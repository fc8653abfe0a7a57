"""SNOMED CT historical association reference sets as implicit ConceptMaps (FHIR R4 snomedct.html, "Implicit
Concept Maps"): http://snomed.info/sct[/<module>[/version/<YYYYMMDD>]]?fhir_cm=<association refset>.

Each association row (inactive concept -> target) of the edition the URL picks is one mapping. The spec's table
gives the equivalence of four refsets; the others are Kodebro's choice, read from the referenced component to the
target (R4 ConceptMapEquivalence):

    SAME AS                  equal        (spec)
    REPLACED BY              equivalent   (spec)
    POSSIBLY EQUIVALENT TO   inexact      (spec)
    ALTERNATIVE              inexact      (spec)
    POSSIBLY REPLACED BY     inexact      SNOMED's 2023 successor of POSSIBLY EQUIVALENT TO for ambiguous concepts
    PARTIALLY EQUIVALENT TO  inexact      each target covers part of the meaning, not all of it
    WAS A                    wider        the target was a supertype of the inactive concept
    MOVED FROM               equivalent   the same meaning, moved into this namespace
    MOVED TO                 relatedto    the target is a namespace concept, not a meaning
    REFERS TO                relatedto    (any other association refset with rows, too)

Every match carries a comment naming the association, which R4's cmd-1 requires of `inexact` and `narrower`.
Map reference sets (ICD-10, ICPC-2: `cs.maps`) are mappings.snomed_maps; this module also decides the errors for a
`fhir_cm` URL neither holds (400 malformed, 404 not held), so the two never disagree about one.

Without a url, `system` and `targetsystem` (or a `target` value set http://snomed.info/sct[...]?fhir_vs) both
SNOMED CT ask what the concept became: the successor associations of terminology/snomed/successors.py.
"""
from __future__ import annotations

import re
import weakref

from terminology.errors import InvalidRequest, NotFound, shortened
from terminology.identifiers import SNOMED, split_canonical
from terminology.snomed import constants as K
from terminology.snomed.implicit import parse as parse_valueset_url
from terminology.snomed.successors import SUCCESSOR_ASSOCIATIONS, inactive_note

from .translate import Match, TranslateRequest, TranslateResult, provider

EQUIVALENCE = {
    "900000000000527005": "equal",
    "900000000000526001": "equivalent",
    "900000000000523009": "inexact",
    "900000000000530003": "inexact",
    "1186921001": "inexact",
    "1186924009": "inexact",
    "900000000000528000": "wider",
    "900000000000525002": "equivalent",
    "900000000000524003": "relatedto",
    "900000000000531004": "relatedto",
}
FORM = "http://snomed.info/sct[/<module>[/version/<YYYYMMDD>]]?fhir_cm=<reference set id>"
COPYRIGHT = ("This value set includes content from SNOMED CT, which is copyright © 2002+ International Health "
             "Terminology Standards Development Organisation (SNOMED International), and distributed by agreement "
             "between SNOMED International and HL7. Implementer use of SNOMED CT is not covered by this agreement")
_ANY = re.compile(r"^http://snomed\.info/sct(?:/[^?]*)?\?fhir_cm(?:=.*)?$", re.S)
_EXACT = re.compile(r"^http://snomed\.info/sct(?:/(\d{6,18})(?:/version/(\d{8}))?)?\?fhir_cm=(\d{6,18})$")
# index -> {refset: row count}, and index -> {refset: {target: [source numbers]}}: read once per edition; a weak
# key lets them go with the edition's index
_COUNTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_REVERSE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def parse(url: str | None) -> tuple[str | None, str | None, str] | None:
    """(module, date, refset) of a SNOMED CT implicit ConceptMap URL; None when the URL is not one (another map's);
    InvalidRequest when it is meant as one (a snomed.info/sct base with ?fhir_cm) and cannot be read."""
    url = split_canonical(url)[0] or ""
    if not _ANY.match(url):
        return None
    m = _EXACT.match(url)
    if m is None:
        raise InvalidRequest(f"'{shortened(url)}' is not a SNOMED CT implicit ConceptMap URL: use {FORM}",
                             location="url")
    return m.group(1), m.group(2), m.group(3)


def edition(catalog, module: str | None, date: str | None, asked: str | None = None):
    """The SnomedIndex a URL's base picks: <module>/version/<date>, the latest loaded version of <module>, or (no
    base) `asked` (a SNOMED CT version the request named) or the default edition. NotFound names what is loaded."""
    loaded = catalog.codesystem_versions(SNOMED)
    if not loaded:
        raise NotFound("no SNOMED CT edition is loaded, so SNOMED CT implicit ConceptMaps (?fhir_cm=) are not "
                       "available", tx_code="not-found")
    if module:
        version = f"{SNOMED}/{module}/version/{date}" if date else f"{SNOMED}/{module}"
    else:
        version = asked if asked and asked.startswith(SNOMED + "/") else None
    cs = catalog.codesystem(SNOMED, version)
    if cs is None:
        raise NotFound(f"SNOMED CT {version or '(the default edition)'} is not loaded; loaded: {', '.join(loaded)}",
                       tx_code="not-found")
    if not hasattr(cs, "assoc"):
        # a SNOMED CT CodeSystem resource (a fragment), not an RF2 import: it has no reference sets
        raise NotFound(f"SNOMED CT {cs.version or '(no version)'} was not imported from RF2, so it holds no "
                       f"reference sets to serve as implicit ConceptMaps (?fhir_cm=); loaded: {', '.join(loaded)}",
                       tx_code="not-found")
    return cs


def association_refsets(cs) -> dict[str, int]:
    """The association refsets with rows in the edition, and how many rows each has."""
    got = _COUNTS.get(cs)
    if got is None:
        got = {}
        for rows in cs.assoc.values():
            for refset, _target in rows:
                got[refset] = got.get(refset, 0) + 1
        _COUNTS[cs] = got
    return got


def is_association(cs, refset: str) -> bool:
    """A refset this module answers: one with association rows here, or a known association refset (whose
    rows this edition may simply not have: an extract, or a release before the refset existed)."""
    return refset in association_refsets(cs) or refset in K.ASSOCIATIONS


def held_maps(cs) -> list[str]:
    """The fhir_cm refsets the edition answers with rows: its association refsets and its map refsets."""
    ids = {*association_refsets(cs), *cs.maps}
    return sorted(ids, key=lambda i: (len(i), i))


def not_held(cs, refset: str, url: str) -> NotFound:
    is_refset = getattr(cs, "is_refset", lambda _c: None)(refset)
    if is_refset:
        why = (f"{refset} is a reference set of SNOMED CT {cs.version} but not an association or map reference "
               "set, so it defines no concept map")
    elif cs.get(refset) is not None:
        why = f"{refset} is not a reference set in SNOMED CT {cs.version}"
    else:
        why = f"SNOMED CT {cs.version} holds no association or map reference set {refset}"
    held = ", ".join(f"{SNOMED}?fhir_cm={r}" for r in held_maps(cs)) or "none"
    return NotFound(f"ConceptMap not found: {url}: {why}; the implicit ConceptMaps it holds: {held}",
                    tx_code="not-found")


def _name(cs, refset: str) -> str:
    known = K.ASSOCIATIONS.get(refset)
    if known:
        return known
    i = cs.pos.get(refset)
    return (cs.display[i] if i is not None and cs.display[i] else None) or f"association {refset}"


def _comment(cs, refset: str, source: str, target: str, candidates: int) -> str:
    said = f"{_name(cs, refset)}: SNOMED CT historical association of {source}"
    i = cs.pos.get(source)
    reason = cs.reason.get(i) if i is not None else None
    if reason:
        said += f", inactive ({K.INACTIVATION_REASONS.get(reason, reason)})"
    if candidates > 1:
        said += f"; one of {candidates} candidates"
    j = cs.pos.get(target)
    if j is not None and not cs.active[j]:
        said += f"; {target} is itself inactive"
    return said


def _match(cs, refset: str, source: str, target: str, other: str, url: str, candidates: int) -> Match:
    """The match answering with `other` (the target, or in reverse the source) of row source -> target."""
    j = cs.pos.get(other)
    return Match(equivalence=EQUIVALENCE.get(refset, "relatedto"), system=SNOMED, code=other,
                 display=cs.display[j] if j is not None else None, version=cs.version, source=url,
                 comment=_comment(cs, refset, source, target, candidates))


def _map_url(refset: str) -> str:
    return f"{SNOMED}?fhir_cm={refset}"


def _unknown(cs, code: str) -> TranslateResult:
    return TranslateResult(result=False, message=f"'{code}' is not a concept of SNOMED CT {cs.version}")


def _active(code: str) -> str:
    return f"{code} is active, and active concepts have no historical association"


def forward(cs, refsets: list[str], code: str, url_of) -> TranslateResult:
    """The rows of `refsets` for `code`; `url_of(refset)` is the map each match names as its source."""
    i = cs.pos.get(code)
    if i is None:
        return _unknown(cs, code)
    rows = [(r, t) for r, t in cs.assoc.get(i, ()) if r in refsets]
    if rows:
        per = {r: sum(1 for q, _t in rows if q == r) for r, _t in rows}
        return TranslateResult(result=True, matches=[_match(cs, r, code, t, t, url_of(r), per[r]) for r, t in rows])
    if len(refsets) == 1:
        message = f"SNOMED CT concept {code} has no row in {url_of(refsets[0])}"
    else:
        message = f"SNOMED CT concept {code} has no historical association that names a concept to use instead"
    if cs.active[i]:
        message += f": {_active(code)}"
    elif len(refsets) == 1:
        # what its other associations say, when they say anything
        message += f"; {inactive_note(cs, code)}"
    else:
        message += f": {inactive_note(cs, code)}"
    return TranslateResult(result=False, message=message)


def reverse_sources(cs, refset: str, target: str) -> list[str]:
    built = _REVERSE.get(cs)
    if built is None:
        built = _REVERSE.setdefault(cs, {})
    rev = built.get(refset)
    if rev is None:
        rev = {}
        for i, rows in cs.assoc.items():
            for r, t in rows:
                if r == refset:
                    rev.setdefault(t, []).append(i)
        built[refset] = rev
    return [cs.codes[i] for i in rev.get(target, ())]


def reverse(cs, refsets: list[str], code: str, url_of) -> TranslateResult:
    """The concepts whose rows of `refsets` name `code` as their target."""
    if cs.pos.get(code) is None:
        return _unknown(cs, code)
    matches = []
    for refset in refsets:
        sources = reverse_sources(cs, refset, code)
        matches += [_match(cs, refset, s, code, s, url_of(refset), 1) for s in sources]
    if matches:
        return TranslateResult(result=True, matches=matches)
    where = url_of(refsets[0]) if len(refsets) == 1 else "the historical association reference sets"
    return TranslateResult(result=False, message=f"no row in {where} names SNOMED CT concept {code} as its target")


def _source_system(catalog, req: TranslateRequest) -> str | None:
    return catalog.canonical_system(req.system) if req.system else None


def _by_url(catalog, req: TranslateRequest, parsed) -> TranslateResult | None:
    module, date, refset = parsed
    canonical, pinned = split_canonical(req.conceptmap_url)
    cs = edition(catalog, module, date, pinned or req.conceptmap_version or req.version)
    if refset in cs.maps:
        return None     # a map refset: mappings.snomed_maps answers
    if not is_association(cs, refset):
        raise not_held(cs, refset, canonical)
    system = _source_system(catalog, req)
    if system not in (None, SNOMED):
        raise InvalidRequest(f"the map {canonical} translates SNOMED CT codes, not {req.system}", location="system")
    if not req.code:
        raise InvalidRequest("$translate needs a code", location="code")
    code = req.code.strip()
    if req.reverse:
        return reverse(cs, [refset], code, lambda _r: canonical)
    return forward(cs, [refset], code, lambda _r: canonical)


def _snomed_target(catalog, req: TranslateRequest) -> bool:
    """Whether the request asks for SNOMED CT answers: targetsystem SNOMED CT, or (none) a SNOMED CT implicit
    value set as target."""
    if req.target_system:
        return catalog.canonical_system(req.target_system) == SNOMED
    return bool(req.target) and parse_valueset_url(split_canonical(req.target)[0] or "")[2] is not None


@provider
def association_map_provider(catalog, req: TranslateRequest):
    parsed = parse(req.conceptmap_url) if req.conceptmap_url else None
    if parsed is not None:
        return _by_url(catalog, req, parsed)
    if req.conceptmap_url or req.conceptmap is not None or not req.code:
        return None
    if _source_system(catalog, req) != SNOMED or not _snomed_target(catalog, req):
        return None
    version = req.version if req.version and req.version.startswith(SNOMED + "/") else None
    cs = catalog.codesystem(SNOMED, version)
    if cs is None or not hasattr(cs, "assoc"):
        return None     # no edition to answer from: the other providers say what is missing
    refsets = list(SUCCESSOR_ASSOCIATIONS)
    code = req.code.strip()
    if req.reverse:
        return reverse(cs, refsets, code, _map_url)
    return forward(cs, refsets, code, _map_url)


def implicit_conceptmap(catalog, url: str) -> dict | None:
    """The ConceptMap header (no group: the rows are read by $translate) of an association refset's implicit map,
    after the spec's template; None when `url` is not such a map or its edition does not hold it."""
    try:
        parsed = parse(url)
        if parsed is None:
            return None
        module, date, refset = parsed
        cs = edition(catalog, module, date)
    except (InvalidRequest, NotFound):
        return None
    if refset in cs.maps or not is_association(cs, refset):
        return None
    name = _name(cs, refset)
    base = url.split("?", 1)[0]
    rows = association_refsets(cs).get(refset, 0)
    return {
        "resourceType": "ConceptMap",
        "id": f"sct-cm-{refset}-{(cs.version or '').rsplit('/', 1)[-1]}",
        "url": url,
        "version": cs.version,
        "name": "SNOMED CT " + name + " Concept Map",
        "title": f"SNOMED CT {name} historical association",
        "status": "active",
        "description": f"The concept map implicitly defined by the {name} Association Reference Set "
                       f"({refset}); {rows} row{'' if rows == 1 else 's'} in {cs.version}. Its rows are "
                       f"answered by ConceptMap/$translate?url={url}",
        "copyright": COPYRIGHT,
        "sourceUri": f"{base}?fhir_vs",
        "targetUri": f"{base}?fhir_vs",
    }
