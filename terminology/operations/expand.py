"""ValueSet/$expand: from a ValueSet (stored or supplied) to an expansion, as plain objects.

The members stream out of `ComposeEvaluator`; this module de-duplicates,
applies activeOnly / excludeNotForUI (to whole-system walks) / the text
filter, counts the total and keeps only the requested page, so a large
system is never turned into FHIR dicts beyond the page. Hierarchy is rebuilt from the code system's parents
(expand_nesting.py) when the whole result fits in one page and excludeNested is not set.
"""
from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone


from ..codesystem import STANDARDS_STATUS, STATUS_URI, AliasedConcept, Concept
from ..editions import day_of
from ..elements import typed_value, value_of
from ..errors import InvalidRequest, TooCostly
from ..identifiers import KODEBRO_BASE, canonical_url
from ..languages import in_language_range
from ..textsearch import TextFilter, TextIndex, ranked_hits
from ..snomed.ecl_budget import per_operation
from .compose import ComposeEvaluator, whole_system_include
from .compose_checks import vs_canonical
from .compose_versions import version_texts_differ, versions_match
from .concept_status import (PARTIAL_CONTENT, expansion_status, flagged_status, is_abstract, status_day,
                             validity_problem)
from .display_choice import EntryText, choose, other_displays
from .expand_nesting import nest
from .expand_shortcuts import single_filter, whole_system
from .member import Member
from .version_rules import SystemVersionRules

LANG_SYSTEM = "urn:ietf:bcp:47"
_EXT = "http://hl7.org/fhir/StructureDefinition/"
# concept extensions that R5 turned into concept properties: url -> (property code, value key, uri)
EXTENSION_PROPERTIES = {
    _EXT + "codesystem-conceptOrder": ("order", "valueDecimal", "http://hl7.org/fhir/concept-properties#order"),
    _EXT + "valueset-conceptOrder": ("order", "valueDecimal", "http://hl7.org/fhir/concept-properties#order"),
    _EXT + "codesystem-label": ("label", "valueString", "http://hl7.org/fhir/concept-properties#label"),
    _EXT + "valueset-label": ("label", "valueString", "http://hl7.org/fhir/concept-properties#label"),
    _EXT + "itemWeight": ("weight", "valueDecimal", "http://hl7.org/fhir/concept-properties#itemWeight"),
    _EXT + "ordinalValue": ("weight", "valueDecimal", "http://hl7.org/fhir/concept-properties#itemWeight"),
}
_RENDERING = {_EXT + "rendering-style", _EXT + "rendering-xhtml"}
# code system (and supplement) concept extensions carried into the expansion, as tx.fhir.org copies them: how to
# show the concept, its alternate codes and its SNOMED CT description id
PASS_THROUGH = _RENDERING | {_EXT + "codesystem-alternate", _EXT + "coding-sctdescid"}
# value set concept extensions an expansion carries (the rest say something about the value set's definition,
# or are unknown to this server, and stay there): how to show it, its deprecation and its definition there,
# its description id and the supplement it comes with (tx.fhir.org's list; an alternate code stays in the value set)
VS_CONCEPT_EXTENSIONS = _RENDERING | {_EXT + "valueset-deprecated", _EXT + "valueset-concept-definition",
                                     STANDARDS_STATUS, _EXT + "coding-sctdescid", _EXT + "valueset-supplement"}
# designation extensions an expansion carries: the SNOMED CT description id and acceptability (preferred or
# acceptable in its language reference set), the designation's status, how to show it and its alternate code
DESIGNATION_EXTENSIONS = _RENDERING | {_EXT + "coding-sctdescid", STANDARDS_STATUS, _EXT + "codesystem-alternate",
                                       KODEBRO_BASE + "/StructureDefinition/snomed-acceptability"}
CONCEPT_PROPERTIES = "http://hl7.org/fhir/concept-properties#"
# properties every concept has by its place in the code system, asked for with `property`
COMPUTED_PROPERTIES = {
    "parent": lambda c: list(c.parents),
    "child": lambda c: list(c.children),
    "inactive": lambda c: [c.inactive],
    # the values stated under whatever code the system gives the notSelectable URI (none stated: no value)
    "notSelectable": lambda c: c.not_selectable_values(),
}
DEFINITION_URI = "http://hl7.org/fhir/concept-properties#definition"
# the concepts of a code system given as a FHIR resource (stored or supplied): the ones whose flags (inactive,
# deprecated, retired) are stated, not computed (a SNOMED CT concept's `inactive` is its component's state)
_RESOURCE_CONCEPTS = (Concept, AliasedConcept)
VS_EXPANSION_PARAMETER = "http://hl7.org/fhir/StructureDefinition/valueset-expansion-parameter"
MAX_COUNT = 1_000_000
# an expansion asked for without `count` is refused beyond this many codes (the reference servers' limit);
# a page asked for with `count` may hold up to MAX_PAGE codes, larger counts are cut to it
DEFAULT_MAX_EXPANSION = 1000
MAX_PAGE = 10_000
# a value set made only of value set imports (no include names a system) is not cut at max_expansion: as on
# tx.fhir.org, the imports are expanded with the internal limit (this, or max_expansion when larger), their
# codes are all taken and the total is kept; an import beyond it is too costly
IMPORT_LIMIT = 10_000
# one thread builds a code system's text index; the others wait for it instead of building their own
_INDEX_BUILD = threading.Lock()


@dataclass
class ExpandRequest:
    valueset: dict
    filter: str | None = None
    date: str | None = None
    offset: int = 0
    offset_given: bool = False                            # `offset` was in the request (0 too): echoed as paging
    count: int | None = None
    include_designations: bool = False
    designations: list = field(default_factory=list)     # "system|code" uses or "urn:ietf:bcp:47|lang"
    include_definition: bool = False
    active_only: bool = False
    exclude_nested: bool = False
    exclude_not_for_ui: bool = False
    languages: list = field(default_factory=list)         # parsed, best first
    strict_language: bool = False                         # '*;q=0': no display in another language
    properties: list = field(default_factory=list)
    rules: SystemVersionRules = field(default_factory=SystemVersionRules)
    exclude_systems: list = field(default_factory=list)
    max_expansion: int = DEFAULT_MAX_EXPANSION
    supplements: object = None                            # callable(cs) -> cs, or None
    echo: list = field(default_factory=list)              # (name, fhir value key, value) to echo


@dataclass
class ExpansionItem:
    system: str
    code: str
    version: str | None = None
    display: str | None = None
    inactive: bool = False
    abstract: bool = False
    designations: list = field(default_factory=list)
    properties: list = field(default_factory=list)        # (code, value key, value)
    extensions: list = field(default_factory=list)
    children: list = field(default_factory=list)
    display_extensions: list | None = None                # on the display (`_display`), from where it came


@dataclass
class Expansion:
    valueset: dict
    identifier: str
    timestamp: str
    total: int | None                                     # None: a page of a value set over the limit (see _finish)
    offset: int | None                                    # None when the request did not page
    parameters: list                                      # (name, value key, value)
    properties: list                                      # (code, uri) used in items
    items: list
    unclosed: bool = False                                # codes the value set holds may be missing (fragments)
    unclosed_reasons: list = field(default_factory=list)  # why, in words, one per partial code system


def vs_parameter(vs: dict, name: str):
    """A default expansion parameter the value set carries (valueset-expansion-parameter extension)."""
    for holder in (vs.get("compose") or {}, vs):
        for ext in holder.get("extension") or ():
            if ext.get("url") != VS_EXPANSION_PARAMETER:
                continue
            parts = {e.get("url"): e for e in ext.get("extension") or ()}
            n = parts.get("name") or {}
            if n.get("valueCode") == name or n.get("valueString") == name:
                return value_of(parts.get("value") or {})
    return None


class _TextHits:
    """Text filter answers from the word index of each code system (built once, kept on the index)."""

    def __init__(self, text: str):
        self.text = text
        self.filter = TextFilter(text)
        self._by_cs: dict[int, tuple] = {}

    def _hits(self, cs) -> dict:
        """{code: rank} of the codes of `cs` that match; a TooCostly when `cs` cannot be listed (a grammar)."""
        got = self._by_cs.get(id(cs))
        if got is None:
            try:
                if getattr(cs, TextIndex.ATTR, None) is None:
                    with _INDEX_BUILD:
                        ranked = ranked_hits(cs, self.text)
                else:
                    ranked = ranked_hits(cs, self.text)
            except TooCostly as e:
                ranked = e
            got = (cs, ranked)   # the index object is kept alive while its id is a key
            self._by_cs[id(cs)] = got
        return got[1]

    def codes(self, cs) -> list:
        """Codes of `cs` that match, best first."""
        ranked = self._hits(cs)
        if isinstance(ranked, TooCostly):
            raise ranked.with_traceback(None)
        return sorted(ranked, key=ranked.__getitem__)

    def matches(self, m: Member) -> bool:
        # designations given in the value set are not in the code system's index: test the member itself;
        # so too a code of a system that has no word index (a grammar's codes cannot be listed to build one)
        if m.cs is not None and not m.designations:
            hits = self._hits(m.cs)
            if not isinstance(hits, TooCostly):
                return m.code in hits
        return self.filter.matches(m.concept if m.concept is not None else _VSConcept(m))

    def rank(self, m: Member) -> tuple:
        return self.filter.rank(m.concept if m.concept is not None else _VSConcept(m))


class _VSConcept:
    """A member known only from the value set (no code system loaded): enough for the text filter."""
    __slots__ = ("code", "display", "designations")

    def __init__(self, m: Member):
        self.code, self.display, self.designations = m.code, m.display, m.designations or []


@per_operation     # one ECL work budget for all of the request's value sets and codings
def expand(catalog, req: ExpandRequest) -> Expansion:
    if req.date:
        req.date = day_of(req.date)
    vs = req.valueset
    if req.count is not None and req.count > MAX_COUNT:
        raise InvalidRequest(f"count {req.count} is larger than this server accepts ({MAX_COUNT})", location="count")
    if req.offset < 0 or req.offset > MAX_COUNT:
        raise InvalidRequest(f"offset {req.offset} is outside what this server accepts (0 to {MAX_COUNT})",
                             location="offset")
    if req.count is not None and req.count > max(MAX_PAGE, req.max_expansion):
        # a page never holds more than MAX_PAGE codes; the client pages on with offset (until a short page),
        # so the echo says the count used: a client stepping offset by its own count would skip codes
        req.count = max(MAX_PAGE, req.max_expansion)
        req.echo = [(n, k, req.count if n == "count" else v) for n, k, v in req.echo]
    # compose.lockedDate fixes the editions of unversioned includes, unless the request names a date
    ev = ComposeEvaluator(catalog, rules=req.rules, date=req.date or (vs.get("compose") or {}).get("lockedDate"),
                          supplements=req.supplements, exclude_systems=req.exclude_systems)
    ev.root_valueset = vs
    ev.refuse_before = req.date
    ev.listed_need_definition = True
    include_inactive = (vs.get("compose") or {}).get("inactive")
    active_only = req.active_only or include_inactive is False
    tf = _TextHits(req.filter) if req.filter else None
    if tf is not None:
        ev.text_hits = tf.codes
    else:
        _refuse_large_supplied(ev, vs, req)
    if tf is None and not active_only and not req.exclude_not_for_ui and not req.date and \
            (req.offset or req.count is not None):
        cs = whole_system(ev, vs)
        if cs is not None and (req.exclude_nested or req.offset > 0 or
                               (req.count is not None and req.count < len(cs))):
            return _page_of_system(ev, cs, req)
        got = single_filter(ev, vs)
        if got is not None and (req.offset > 0 or (req.count is not None and req.count < len(got[1]))):
            return _page_of_codes(ev, got[0], got[1], req)
    imports_only = _imports_only(vs)
    limit = max(IMPORT_LIMIT, req.max_expansion) if imports_only else req.max_expansion
    seen: set = set()
    reached: set = set()           # the systems of the whole expansion, before paging and the text filter
    kept: list[Member] = []        # members in the page (or all, when ranking/nesting needs them)
    total = 0
    need_all = tf is not None
    lo = req.offset
    hi = None if req.count is None else req.offset + req.count
    twice = False                  # a code reached by two includes: no tree holds it once
    for m in ev.members(vs):
        if m.vkey in seen:
            twice = True
            continue
        reached.add(m.system)
        c = m.concept
        # only a walk over a whole code system passes over its headings (tx.fhir.org's rule): a code a value
        # set lists or a filter selects was chosen, and stays, marked abstract; so a heading passed over here
        # is not `seen`: another include of the value set that lists it still adds it
        if req.exclude_not_for_ui and c is not None and (m.whole_system or m.from_expansion) and is_abstract(c):
            continue
        seen.add(m.vkey)
        if c is not None:
            if active_only and c.inactive:
                continue
            if req.date and validity_problem(c, req.date):
                continue
        if tf is not None and not m.prefiltered and not tf.matches(m):
            continue
        if need_all or (total >= lo and (hi is None or total < hi)):
            kept.append(m)
            if hi is None and len(kept) > limit:
                raise _too_costly(_too_large(ev, vs, limit), limit, req)
        total += 1
    if tf is not None:
        if not all(m.prefiltered for m in kept):   # hits of one text index come ranked already
            kept.sort(key=tf.rank)
        kept = kept[lo:hi]
    if req.count is None and len(kept) > limit:
        raise _too_costly(_too_large(ev, vs, limit), limit, req)

    used_props: dict[str, str] = {}
    on = status_day(catalog, req.date)
    items = [_item(m, req, used_props, on) for m in kept]
    urls = [canonical_url(c) for c in ev.used_codesystems]
    # tx.fhir.org's one flag for the whole expansion: a system its includes and excludes name in several
    # version texts. Its imports' codes come as their own expansions give them; Kodebro keeps telling the
    # versions apart there (two versions of a code stay two entries), so shows them when they differ
    versioned = version_texts_differ(catalog, vs.get("compose") or {})
    imports = any(isinstance(e, dict) and e.get("valueSet")
                  for kind in ("include", "exclude") for e in (vs.get("compose") or {}).get(kind) or ())
    for m, it in zip(kept, items):
        # the version is in used-codesystem; it is repeated per code only under the flag above. A code of a
        # stated expansion keeps the version its entry states; one of a system the server does not hold, or
        # of a value set that imports others, also keeps it when its system comes in several versions
        n = urls.count(it.system)
        several = n > 1 or (n == 0 and m.cs is None)
        if not m.from_expansion and not (m.cs is not None and versioned) and \
                not (several and (m.cs is None or imports)):
            it.version = None
    # as the reference servers: a count that takes every code (and no more) is still paging, so flat
    paged = req.offset > 0 or (req.count is not None and req.count <= total)
    if not req.exclude_nested and not paged and not twice and not _flat_shape(vs, kept):
        # a text search over a whole system is a list of hits; within a filtered branch the tree stays
        items = nest(kept, items, flat_whole_systems=tf is not None,
                     passed_over=is_abstract if req.exclude_not_for_ui else None)

    return _finish(ev, req, total, items, used_props, reached, keep_total=imports_only and total <= limit)


def _refuse_large_supplied(ev: ComposeEvaluator, vs: dict, req: ExpandRequest) -> None:
    """TooCostly for a whole-system include of a code system sent with the request that holds more than
    max_expansion codes, unless the request counts (count=0) or asks for a page ending within the limit: the
    reference server's guard (FHIRsmith expand.js checkSource). A stored code system is paged past the limit
    (hospitals page whole codebooks); a client that sends a code system holds it already."""
    limit = req.max_expansion
    if req.count == 0 or (req.count is not None and req.offset + req.count <= limit):
        return
    supplies = getattr(ev.catalog, "supplies", None)
    if supplies is None:
        return
    for inc in (vs.get("compose") or {}).get("include") or ():
        if not isinstance(inc, dict) or not whole_system_include(inc) or not isinstance(inc["system"], str) or \
                not isinstance(inc.get("version"), (str, type(None))):
            continue    # (a malformed include is the member walk's to report)
        system = ev.catalog.canonical_system(inc["system"])
        if ev._system_excluded(system, None):
            continue
        version = ev.resolve_version(system, inc.get("version"))
        if not supplies("CodeSystem", system, version):
            continue
        # (the catalog's index, not the evaluator's: the include itself reports a system it lacks)
        cs = ev.catalog.codesystem(system, version)
        if cs is not None and len(cs) > limit:
            raise _too_costly(vs, limit, req)


def _flat_shape(vs: dict, kept: list[Member]) -> bool:
    """Whether the expansion is flat whatever its codes' hierarchy, as the reference server decides it for the
    whole expansion (FHIRsmith expand.js canBeHierarchy): an include or exclude that imports a value set, lists
    concepts or has more than one filter, or a code of a whole-system walk under two parents (the walk reaches it
    twice). Codes reached twice through two includes are found by the caller."""
    compose = vs.get("compose") or {}
    for kind in ("include", "exclude"):
        for part in compose.get(kind) or ():
            if isinstance(part, dict) and (part.get("valueSet") or part.get("concept") or
                                           len(part.get("filter") or ()) > 1):
                return True
    return any(m.whole_system and m.concept is not None and len(m.concept.parents) > 1 for m in kept)


def _imports_only(vs: dict) -> bool:
    """Whether every include of the compose only imports value sets (names no system)."""
    incs = (vs.get("compose") or {}).get("include") or []
    return bool(incs) and all(isinstance(inc, dict) and inc.get("valueSet") and not inc.get("system")
                              for inc in incs)


def _too_large(ev: ComposeEvaluator, vs: dict, limit: int) -> dict:
    """The value set to name as too large: an import that alone holds more than `limit` codes (the one the
    reference names, its own expansion failing), else `vs`."""
    for sub, size in ev.enumerated_imports():
        if size > limit and sub is not vs:
            return sub
    return vs


def _page_of_system(ev: ComposeEvaluator, cs, req: ExpandRequest) -> Expansion:
    """A page of "all codes of one system" straight from the index: no walk over the codes before it."""
    from itertools import islice
    # skip over codes (keys), so that an index building concepts on demand builds only the page
    return _page(ev, cs, req, len(cs), lambda lo, hi: islice(iter(cs.concepts), lo, hi), whole_system=True)


def _page_of_codes(ev: ComposeEvaluator, cs, codes: list, req: ExpandRequest) -> Expansion:
    """A page of the codes one filter selects: the total is the length of the index's answer."""
    return _page(ev, cs, req, len(codes), lambda lo, hi: codes[lo:hi])


def _page(ev: ComposeEvaluator, cs, req: ExpandRequest, total: int, codes_between, whole_system: bool = False
          ) -> Expansion:
    """The page [offset, offset+count) of `total` codes of one index, `codes_between(lo, hi)` giving its codes."""
    hi = total if req.count is None else min(total, req.offset + req.count)
    if req.count is None and hi - req.offset > req.max_expansion:
        raise _too_costly(req.valueset, req.max_expansion, req)
    page = [Member(cs.url, cs.version, code, cs.get(code), cs, whole_system=whole_system)
            for code in codes_between(req.offset, hi)]
    used_props: dict[str, str] = {}
    on = status_day(ev.catalog, req.date)
    items = [_item(m, req, used_props, on) for m in page]
    for it in items:
        it.version = None
    return _finish(ev, req, total, items, used_props, {cs.url})


def _finish(ev: ComposeEvaluator, req: ExpandRequest, total: int, items: list, used_props: dict,
            reached: set, keep_total: bool = False) -> Expansion:
    if req.supplements is not None and hasattr(req.supplements, "require_applied"):
        # a supplement of a version not used fails the request, so does one of a system no code comes from (one
        # exclude-system removes); codes of a system listed without opening it (a stated expansion) keep theirs.
        # `reached`: the systems of the whole expansion, so that the answer does not hang on the page or the
        # text filter asked for
        req.supplements.require_applied(reached=reached)
    imported_supplements = ev.import_supplement_sets()
    for own in imported_supplements:
        # an imported value set's own supplements must be applied within it, as the request's are
        own.require_applied()
    params = list(req.echo)
    stored = _stored_expansion(req.valueset)
    if stored is not None:
        # a value set that is only an expansion: the reference servers answer it as stored, naming no systems
        # of their own; its own parameters stay when nothing was asked of it
        if not req.echo:
            params.extend(_stored_parameters(stored))
    else:
        for canon in ev.used_codesystems:
            params.append(("used-codesystem", "valueUri", canon))
        if versions_match(ev.catalog, req.valueset.get("compose") or {}):
            # tx.fhir.org names its "exclude another version" case so (the excludes removed by code)
            params.append(("versionsMatch", "valueBoolean", True))
    for canon in ev.used_valuesets:
        params.append(("used-valueset", "valueUri", canon))
    partial: dict[str, str] = {}     # canonical -> content, of the code systems only partly held
    for kind, res, canon in ev.used_resources():
        # weighed against the root value set, the root itself too (FHIRsmith checkCanonicalStatus): its own draft or
        # retired status is no warning, its being experimental is; an import's status is (FHIRsmith includeCodes)
        status = expansion_status(res, req.valueset)
        if status is not None:
            params.append((f"warning-{status}", "valueUri", canon))
        if kind == "CodeSystem" and res.get("content") in PARTIAL_CONTENT:
            partial[canon] = res["content"]
    used_supplements = list(getattr(req.supplements, "used", ()) or ())
    for own in imported_supplements:
        # the import's expansion parameters are the outer one's too (tx.fhir.org copies them), each named once
        used_supplements += [canon for canon in own.used if canon not in used_supplements]
    for canon in used_supplements:
        params.append(("used-supplement", "valueUri", canon))
    # a fragment is named as the reference servers name it; an example is not a fragment of anything
    params.extend(("used-fragment", "valueUri", canon) for canon, content in partial.items() if content == "fragment")
    if req.count and (req.offset or req.count < total) and not req.filter and total > req.max_expansion and \
            not keep_total and not (req.valueset.get("compose") or {}).get("exclude"):
        # tx.fhir.org (FHIRsmith) stops its walk at the page of a value set larger than its limit and gives no
        # total: the client pages until a short page. With an exclude it walks (and counts) everything; an
        # answer that holds every code is no page, and says how many
        total = None
    paging = req.offset or req.offset_given or req.count is not None
    # as the reference server marks it (FHIRsmith checkSource): any code system drawn on that holds only part of
    # its codes leaves the expansion open, a listed code included (the part held may lack a code the value set
    # names, which is left out); its words, for an example as for a fragment: the code system's url, no version
    unclosed = bool(partial)
    reasons = [f"This extension is based on a fragment of the code system {url}"
               for url in dict.fromkeys(canonical_url(canon) for canon in partial)] if unclosed else []
    return Expansion(valueset=req.valueset, identifier="urn:uuid:" + str(uuid.uuid4()),
                     timestamp=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     total=total, offset=req.offset if paging else None,
                     parameters=params, properties=list(used_props.items()), items=items,
                     unclosed=unclosed, unclosed_reasons=reasons)


def _stored_expansion(vs: dict) -> dict | None:
    """The expansion of a value set that has no compose (its members are that expansion's), else None."""
    expansion = vs.get("expansion")
    return expansion if not vs.get("compose") and isinstance(expansion, dict) else None


def _stored_parameters(expansion: dict) -> list:
    """(name, value key, value) of the expansion parameters a stored expansion carries."""
    out = []
    for p in expansion.get("parameter") or ():
        if isinstance(p, dict) and isinstance(p.get("name"), str):
            typed = typed_value(p)
            if typed is not None and typed[1] is not None:
                out.append((p["name"], *typed))
    return out


def _too_costly(vs: dict, limit: int, req: ExpandRequest) -> TooCostly:
    # the reference servers' sentence, which clients compare; how to get the codes anyway is for a person
    narrower = "a narrower text filter" if req.filter else "a text filter"
    return TooCostly(f"The value set '{vs_canonical(vs)}' expansion has too many codes to produce (>{limit})",
                     tx_code="too-costly", diagnostics=f"Use count and offset to page, or {narrower}")


def _designation_wanted(d: dict, wanted: list) -> bool:
    if not wanted:
        return True
    for w in wanted:
        system, _, code = w.partition("|") if "|" in w else ("", "", w)
        # a token without a system matches in any system (R4 token search), so also a language
        if system in (LANG_SYSTEM, ""):
            # a bare language is a range ('de' takes de-CH too); urn:ietf:bcp:47|de names one code of that
            # system, so only 'de' (the reference servers and their test suite match it so)
            lang = d.get("language")
            if in_language_range(code, lang) if not system else (lang or "").lower() == code.lower():
                return True
        if system != LANG_SYSTEM:
            use = d.get("use") or {}
            if use.get("code") == code and (not system or use.get("system") == system):
                return True
    return False


def _item(m: Member, req: ExpandRequest, used_props: dict, on: str) -> ExpansionItem:
    # `on`: the day a deprecation date is read on (the request's date, else the server's today)
    c, cs = m.concept, m.cs
    it = ExpansionItem(system=m.system, code=m.code, version=m.version)
    # the value set's own text for the concept (display, its translations, designations) against the code
    # system's (display_choice.py), in the language of the value set that gave it (an imported one's own)
    entry = EntryText.make(m.display, m.language, m.designations, m.display_extensions) \
        if m.display is not None or m.designations or m.display_extensions else None
    choice = choose(entry, c, cs, req.languages, req.strict_language)
    display = choice.display
    if c is not None:
        it.inactive = c.inactive
        it.abstract = is_abstract(c)
    it.display = display
    if choice.designation is None and display is not None:
        # extensions on the display go with it from where it came, not onto a designation that replaced it
        it.display_extensions = m.display_extensions if choice.from_valueset else \
            (getattr(cs, "display_extensions", None) or {}).get(c.code) if c is not None else None
    if req.include_designations or req.designations:
        des = []
        for d in other_displays(choice, entry, c, cs):
            if not _designation_wanted(d, req.designations):
                continue
            d = _known_extensions(d, DESIGNATION_EXTENSIONS)
            if d not in des:
                des.append(d)
        it.designations = des
    if c is not None:
        asked = req.properties
        if "*" in asked:
            asked = _every_property(asked, c)
        # a property is declared (expansion.property) only once some entry carries a value for it, as
        # tx.fhir.org declares them: one asked for that no listed concept has is not in the answer
        for p in asked:
            if p == "definition":
                if c.definition:
                    it.properties.append(("definition", "valueString", c.definition))
                    used_props.setdefault("definition", DEFINITION_URI)
                continue
            if p in COMPUTED_PROPERTIES and not c.property_values(p):
                values = COMPUTED_PROPERTIES[p](c)
                for v in values:
                    it.properties.append((p, "valueBoolean" if isinstance(v, bool) else "valueCode", v))
                if values and p not in used_props:
                    used_props[p] = _property_uri(cs, p) or CONCEPT_PROPERTIES + p
                continue
            for prop in c.properties:
                typed = typed_value(prop) if prop.get("code") == p else None
                if typed is not None:
                    it.properties.append((p, *typed))
                    if p not in used_props:
                        used_props[p] = _property_uri(cs, p)
    derived: dict[str, tuple] = {}
    status = c.lifecycle if c is not None else None     # the status property, else the standards status
    if status is None and type(c) in _RESOURCE_CONCEPTS and cs is not None and not m.from_expansion \
            and c.properties:
        status = flagged_status(c, cs, on)
    passed = []
    for ext in (list(c.extensions) if c is not None else []):
        url = ext.get("url")
        if url in EXTENSION_PROPERTIES:
            derived[EXTENSION_PROPERTIES[url][0]] = (url, value_of(ext))
        elif url in PASS_THROUGH:
            passed.append(ext)
    for ext in m.extensions or ():
        url = ext.get("url")
        if url in EXTENSION_PROPERTIES:
            derived[EXTENSION_PROPERTIES[url][0]] = (url, value_of(ext))
        elif url in VS_CONCEPT_EXTENSIONS:
            passed.append(ext)
    for code, (url, value) in derived.items():
        _pcode, key, uri = EXTENSION_PROPERTIES[url]
        it.properties.append((code, key, value))
        used_props.setdefault(code, uri)
    # a status the code system states as a property was added above when asked for; one that comes from the
    # standards-status extension, a property under another code or the concept's flags is added here, asked for
    # or not; 'active' goes without saying (tx.fhir.org writes only another status)
    if status is not None and status != "active" and not any(p[0] == "status" for p in it.properties):
        it.properties.append(("status", "valueCode", status))
        used_props.setdefault("status", STATUS_URI)
    it.extensions = passed
    return it


def _known_extensions(d: dict, known: set) -> dict:
    """`d` without the extensions not in `known` (a copy only when some are dropped)."""
    exts = d.get("extension")
    if not exts:
        return d
    kept = [e for e in exts if isinstance(e, dict) and e.get("url") in known]
    if len(kept) == len(exts):
        return d
    out = {k: v for k, v in d.items() if k != "extension"}
    if kept:
        out["extension"] = kept
    return out


def _every_property(asked: list, c) -> list:
    """`property=*`: every property the concept carries (its code system's and its supplements'), in its
    order, as FHIRsmith's expand.js answers '*'; other codes asked for beside it stay."""
    out = [p for p in asked if p != "*"]
    for prop in c.properties:
        code = prop.get("code")
        if isinstance(code, str) and code not in out:
            out.append(code)
    return out


def _property_uri(cs, code: str) -> str | None:
    for pd in cs.property_definitions() if cs is not None else ():
        if pd.get("code") == code:
            return pd.get("uri")
    return None
