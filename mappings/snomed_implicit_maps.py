"""SNOMED CT historical association reference sets as implicit ConceptMaps (FHIR R4 snomedct.html, "Implicit
Concept Maps"): http://snomed.info/sct[/<module>[/version/<YYYYMMDD>]]?fhir_cm=<association refset>.

Each association row of the edition the URL picks is one mapping, from the referenced component (the inactive
concept; for MOVED FROM the moved-in one) to the target. The equivalences (four from the spec's table, the others
Kodebro's choice) are EQUIVALENCE below; docs/snomed.md ("Historical associations as ConceptMaps") says why each.
Every match carries a comment naming the association, which R4's cmd-1 requires of `inexact` and `narrower`.

Every `?fhir_cm=` URL is read and its edition picked here, once (terminology.snomed.implicit: map_url,
map_edition); a map refset (ICD-10, ICPC-2: `cs.maps`) is then answered by mappings.snomed_maps. This module also
decides the errors for a `fhir_cm` URL neither holds (400 malformed, 404 not held).

Without a url, `system` and `targetsystem` (or a `target` value set http://snomed.info/sct[...]?fhir_vs) both
SNOMED CT ask what the concept became: the successor associations of terminology/snomed/successors.py -- unless
the request names a version, which is the succession graph's question (mappings.succession_translate).
"""
from __future__ import annotations

import re
import weakref

from terminology.errors import InvalidRequest, NotFound
from terminology.identifiers import SNOMED, split_canonical
from terminology.snomed import constants as K
from terminology.snomed.implicit import MapUrl, map_edition, map_url, map_url_of, module_and_date
from terminology.snomed.implicit import parse as parse_valueset_url
from terminology.snomed.successors import SUCCESSOR_ASSOCIATIONS, inactive_note
from terminology.validation import RESERVED_MAP_ID

from . import snomed_maps
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
COPYRIGHT = ("This value set includes content from SNOMED CT, which is copyright © 2002+ International Health "
             "Terminology Standards Development Organisation (SNOMED International), and distributed by agreement "
             "between SNOMED International and HL7. Implementer use of SNOMED CT is not covered by this agreement")
# the id a search gives an implicit map's header, read back by ConceptMap/<id>: the refset, the url's base
# (-<module>[-<date>]) and the edition the header shows where the base leaves it open (.<module>-<date> or .<date>)
_ID = re.compile(re.escape(RESERVED_MAP_ID) + r"([0-9]{6,18})(?:-([0-9]{6,18})(?:-([0-9]{8}))?)?(?:\.(?:([0-9]{6,18})-)?([0-9]{8}))?\Z")
# index -> {refset: row count}, and index -> {refset: {target: [source numbers]}}: read once per edition; a weak
# key lets them go with the edition's index
_COUNTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_REVERSE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


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
    return refset in K.ASSOCIATIONS or refset in association_refsets(cs)


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
    held = ", ".join(map_url_of(r) for r in held_maps(cs)) or "none"
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


def _unknown(cs, code: str) -> TranslateResult:
    return TranslateResult(result=False, message=f"'{code}' is not a concept of SNOMED CT {cs.version}")


def _active(cs, code: str) -> str:
    return f"{code} is active in SNOMED CT {cs.version}, and active concepts have no historical association"


def _inactive_targets(cs, rows) -> str | None:
    """R4's match has no comment: a target that is itself inactive is said in the message, with what it became."""
    said = []
    for _r, t in rows:
        j = cs.pos.get(t)
        if j is not None and not cs.active[j] and t not in said:
            said.append(t)
    if not said:
        return None
    return "; ".join(f"the concept named is itself inactive in SNOMED CT {cs.version}: {inactive_note(cs, t)}"
                     for t in said)


def forward(cs, refsets: list[str], code: str, url_of) -> TranslateResult:
    """The rows of `refsets` for `code`; `url_of(refset)` is the map each match names as its source."""
    i = cs.pos.get(code)
    if i is None:
        return _unknown(cs, code)
    rows = [(r, t) for r, t in cs.assoc.get(i, ()) if r in refsets]
    if rows:
        per = {r: sum(1 for q, _t in rows if q == r) for r, _t in rows}
        return TranslateResult(result=True, message=_inactive_targets(cs, rows),
                               matches=[_match(cs, r, code, t, t, url_of(r), per[r]) for r, t in rows])
    if len(refsets) == 1:
        message = f"SNOMED CT concept {code} has no row in {url_of(refsets[0])}"
    else:
        message = f"SNOMED CT concept {code} has no historical association that names a concept to use instead"
    if cs.active[i]:
        message += f": {_active(cs, code)}"
    elif len(refsets) == 1:
        # what its other associations say, when they say anything
        message += f"; {inactive_note(cs, code)}"
    else:
        message += f": {inactive_note(cs, code)}"
    return TranslateResult(result=False, message=message)


def reverse_sources(cs, refset: str, target: str) -> list[str]:
    """The inactive concepts whose row in association refset `refset` names `target`."""
    def build():
        rev: dict = {}
        for i, rows in cs.assoc.items():
            for r, t in rows:
                if r == refset:
                    rev.setdefault(t, []).append(i)
        return rev
    return [cs.codes[i] for i in snomed_maps.kept_per_refset(_REVERSE, cs, refset, build).get(target, ())]


def reverse(cs, refsets: list[str], code: str, url_of) -> TranslateResult:
    """The concepts whose rows of `refsets` name `code` as their target."""
    if cs.pos.get(code) is None:
        return _unknown(cs, code)
    matches = []
    for refset in refsets:
        sources = reverse_sources(cs, refset, code)
        matches += [_match(cs, refset, s, code, s, url_of(refset), 1) for s in sources]
    if matches:
        return TranslateResult(result=True, matches=matches, message=_reverse_warning(cs, matches, code))
    where = url_of(refsets[0]) if len(refsets) == 1 else "the historical association reference sets"
    return TranslateResult(result=False, message=f"no row in {where} names SNOMED CT concept {code} as its target")


def _reverse_warning(cs, matches: list[Match], code: str) -> str:
    """R4's match has no comment, so the message says what a reverse answer is: the concepts the given one took the
    place of, for finding old records -- not substitutes for it (an `equivalent` here reads the row forward)."""
    sources = ", ".join(dict.fromkeys(m.code for m in matches))
    return (f"Reverse historical association look-up in SNOMED CT {cs.version}: the concepts listed ({sources}) "
            f"are inactive concepts that {code} replaced (their historical association rows name {code}); they "
            f"are listed for finding old records and are NOT substitutes for {code}")


def _source_system(catalog, req: TranslateRequest) -> str | None:
    return catalog.canonical_system(req.system) if req.system else None


def _edition_of(catalog, req: TranslateRequest, parsed: MapUrl):
    """The edition the map's url (base or `|version`) or conceptMapVersion picks, else the default edition
    (terminology.snomed.implicit.map_edition). Not the code's `version`: that says which release the code was
    picked from, and a coding picked long ago must get today's replacement, as $validate-code's note and the
    answer without a url give it."""
    return map_edition(catalog, parsed.module, parsed.date, pinned=parsed.pinned,
                       conceptmap_version=req.conceptmap_version)


def _by_url(catalog, req: TranslateRequest, parsed: MapUrl) -> TranslateResult | None:
    cs = _edition_of(catalog, req, parsed)
    refset, canonical = parsed.refset, parsed.url
    if refset in cs.maps:
        return snomed_maps.by_url(catalog, req, cs, refset, canonical)
    if not is_association(cs, refset):
        raise not_held(cs, refset, canonical)
    system = _source_system(catalog, req)
    if system not in (None, SNOMED):
        # one coding of a codeableConcept may be of another system: the others are still translated
        return snomed_maps.not_served(canonical, f"maps SNOMED CT codes, not {req.system}")
    if req.target_system and catalog.canonical_system(req.target_system) != SNOMED:
        return snomed_maps.not_served(canonical, f"maps SNOMED CT to SNOMED CT, not to {req.target_system}")
    if req.target_version and req.target_version != cs.version:
        # the answers are concepts of the edition the map is read in: another edition asked for them is not served
        return snomed_maps.not_served(canonical, f"is read in SNOMED CT {cs.version}, so its answers are of that "
                                                 f"edition, not of {req.target_version}")
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
    if req.conceptmap_url:
        parsed = map_url(req.conceptmap_url)
        return _by_url(catalog, req, parsed) if parsed is not None else None
    if req.conceptmap is not None or not req.code or req.version or req.target_version:
        # a version named is a question between editions: the succession graph answers it alone
        return None
    if _source_system(catalog, req) != SNOMED or not _snomed_target(catalog, req):
        return None
    # a SNOMED CT conceptMapVersion picks the edition by the url path's rule (a 404 when it is not loaded), as it
    # picks the map refsets' edition
    cs = snomed_maps.edition_asked(catalog, req)
    if cs is None:
        return None     # no edition to answer from: the other providers say what is missing
    url_of = lambda r: map_url_of(r, cs.version, catalog)   # noqa: E731  (the bare url names the default edition)
    refsets = list(SUCCESSOR_ASSOCIATIONS)
    code = req.code.strip()
    if req.reverse:
        return reverse(cs, refsets, code, url_of)
    return forward(cs, refsets, code, url_of)


# --- the ConceptMap header a search by url (and a read by id) shows ----------------------------------------------

def implicit_conceptmap(catalog, url: str) -> dict | None:
    """The ConceptMap header (no group: the rows are read by $translate) of an association refset's implicit map,
    after the spec's template; None when `url` (`url|version` too) is not such a map or no loaded edition holds
    it. Its url is the plain url, its version the edition read."""
    try:
        parsed = map_url(url)
        if parsed is None:
            return None
        cs = map_edition(catalog, parsed.module, parsed.date, pinned=parsed.pinned)
    except (InvalidRequest, NotFound):
        return None
    refset, plain = parsed.refset, parsed.url
    if refset in cs.maps or not is_association(cs, refset):
        return None
    rid = _header_id(parsed, cs)
    if rid is None:
        return None
    name = _name(cs, refset)
    base = plain.split("?", 1)[0]
    rows = association_refsets(cs).get(refset, 0)
    asked = f"{plain}|{cs.version}" if parsed.module is None or parsed.date is None else plain
    return {
        "resourceType": "ConceptMap",
        "id": rid,
        "url": plain,
        "version": cs.version,
        "name": "SNOMED CT " + name + " Concept Map",
        "title": f"SNOMED CT {name} historical association",
        "status": "active",
        "description": f"The concept map implicitly defined by the {name} Association Reference Set "
                       f"({refset}); {rows} row{'' if rows == 1 else 's'} in {cs.version}. Its rows are "
                       f"answered by ConceptMap/$translate?url={asked}",
        "copyright": COPYRIGHT,
        "sourceUri": f"{base}?fhir_vs",
        "targetUri": f"{base}?fhir_vs",
    }


def _header_id(parsed: MapUrl, cs) -> str | None:
    """The id of the header of `parsed` read in edition `cs`: one per url and edition, so two urls (or one url in
    two editions) never share one, and `conceptmap_by_id` can read it back."""
    edition = module_and_date(cs.version)
    if edition is None:
        return None
    rid = f"{RESERVED_MAP_ID}{parsed.refset}"
    if parsed.module is None:
        return f"{rid}.{edition[0]}-{edition[1]}"
    rid += f"-{parsed.module}"
    return f"{rid}-{parsed.date}" if parsed.date else f"{rid}.{edition[1]}"


def conceptmap_by_id(catalog, rid: str) -> dict | None:
    """The header whose id is `rid` (as `implicit_conceptmap` gave it); None when no loaded edition holds it."""
    m = _ID.match(rid or "")
    if m is None:
        return None
    refset, module, date, pin_module, pin_date = m.groups()
    if pin_date and not (pin_module or module):
        return None
    base = f"{SNOMED}/{module}" + (f"/version/{date}" if date else "") if module else SNOMED
    url = map_url_of(refset, base)
    if pin_date:
        url += f"|{SNOMED}/{pin_module or module}/version/{pin_date}"
    cm = implicit_conceptmap(catalog, url)
    return cm if cm is not None and cm["id"] == rid else None
