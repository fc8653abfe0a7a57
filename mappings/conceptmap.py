"""$translate over ConceptMap resources: groups, equivalence, dependsOn/product, unmapped.

Which maps apply: the one supplied in the request (`conceptMap`), else the
stored and `tx-resource` maps with the requested url (+ conceptMapVersion, the
latest when none is given), else every map with a group from the source
system (to the target system when one is named) whose declared scope fits
the `source`/`target` value sets (see `candidate_maps` and mappings.scope).
All matches of all applicable maps are returned. R4 (`equivalence`) and R5 (`relationship`) maps are both read; R5
relationships are answered as the R4 equivalence they correspond to, and R5 attribute codes as the uris the
map's additionalAttribute gives them.

A map the request brought is the client's: when it is not a valid ConceptMap (mappings.conceptmap_checks),
has a group whose code system cannot be told, or declares a scope that cannot be evaluated, it is refused
(400). A stored map is read as well as it can be; one whose scope cannot be evaluated is left out, with a
message.

Each map gets a small index (mappings.conceptmap_index) built on first use and
kept while the map object lives, so a translation costs a dictionary lookup per
group rather than a scan of the map; a stored map also keeps the value sets of
its scopes there, for the store revision (asked with a request's own resources,
for that request: all its codings share them). What makes a map sent with a
request unusable is in mappings.conceptmap_checks; the other-map walk of
`unmapped` is in mappings.conceptmap_hops.
"""
from __future__ import annotations

from terminology.catalog import pick_version
from terminology.editions import dated_by_year, in_force
from terminology.elements import value_of
from terminology.errors import InvalidRequest, TerminologyError
from terminology.identifiers import canonical_url, split_canonical
from terminology.versions import matches_version

from .conceptmap_index import (EMPTY, MapGroup, MapIndex, MapsBySystem, map_index, norm_code, stored_maps,
                               supplied_maps, system_url)
from .changelist import is_changelist_map, not_a_code_of, not_in_edition
from .conceptmap_hops import HopBudget, hop_budget, other_map
from .icd10_targets import check as check_icd10_targets
from .succession_displays import fill as fill_changelist_displays
from .translate import NO_TRANSLATIONS, NOT_A_MATCH, Match, TranslateRequest, TranslateResult, direction, provider

# R5 ConceptMapRelationship -> R4 ConceptMapEquivalence (direction: source relative to target)
RELATIONSHIP_TO_EQUIVALENCE = {
    "related-to": "relatedto",
    "equivalent": "equivalent",
    "source-is-narrower-than-target": "wider",
    "source-is-broader-than-target": "narrower",
    "not-related-to": "disjoint",
}
EQUIVALENCE_TO_RELATIONSHIP = {
    "relatedto": "related-to", "equivalent": "equivalent", "equal": "equivalent", "wider": "source-is-narrower-than-target",
    "subsumes": "source-is-narrower-than-target", "narrower": "source-is-broader-than-target",
    "specializes": "source-is-broader-than-target", "inexact": "related-to", "unmatched": "not-related-to",
    "disjoint": "not-related-to",
}


def equivalence_of(item: dict, default: str = "relatedto") -> str:
    """The R4 equivalence of a target (or unmapped) entry, from R4 or R5 content.

    Both R4 `equivalence` and R5 `relationship` are required on a target; a stored map that lacks
    them is read as `relatedto`, the weakest claim (what the HL7 R5→R4 converter writes), never as
    an equivalence its author did not state. Maps sent with a request are refused instead
    (mappings.conceptmap_checks)."""
    e = item.get("equivalence")
    if isinstance(e, str) and e:
        return e
    r = item.get("relationship")
    if isinstance(r, str) and r:
        return RELATIONSHIP_TO_EQUIVALENCE.get(r, "relatedto")
    return default


# --- choosing maps ------------------------------------------------------------------

def _maps_by_url(maps: list[dict], ref: str, version: str | None, catalog=None,
                 supplied=lambda m: False) -> list[dict]:
    """The maps a request names by url: the version is chosen by the rule of every lookup by url (the named one,
    else the newest a pattern names, else the newest; edition years: the one in force), and every map holding it
    answers, as maps of one url and version (a supplied one and a stored one) do when the request names none."""
    url, version = split_canonical(ref, version)
    found = [m for m in maps if m.get("url") == url]
    if not version:
        found = in_force_only(catalog, found, supplied=supplied)
    if not found:
        return []
    held = [v if isinstance(v, str) else None for v in (m.get("version") for m in found)]
    k = pick_version(held, version or None)
    return [] if k is None else [m for m, v in zip(found, held) if v == held[k]]


def in_force_only(catalog, maps: list, body=lambda m: m, supplied=lambda m: False) -> list:
    """Of maps of one url held in several edition-year versions (the directorate's ICPC-2 -> ICD-10 conversion,
    one per year), only the one in force today answers a request naming no version, as a yearly codebook's
    edition does (Catalog.find_header); when the request brought a map of such a url, the versions it brought
    answer instead (with a stored map of such a version): its own resources win, as a code system's do. Maps of
    other urls are kept as they are."""
    day = getattr(catalog, "in_force_day", None)
    if day is None or len(maps) < 2:
        return maps
    versions: dict = {}
    own: dict = {}
    for m in maps:
        b = body(m)
        versions.setdefault(b.get("url"), set()).add(b.get("version"))
        if supplied(m):
            own.setdefault(b.get("url"), set()).add(b.get("version"))
    keep = {url: own.get(url) or {in_force(vs, day())} for url, vs in versions.items()
            if dated_by_year("ConceptMap", url, vs)}
    if not keep:
        return maps
    return [m for m in maps if body(m).get("url") not in keep or body(m).get("version") in keep[body(m).get("url")]]


def _tables(catalog) -> list[MapsBySystem]:
    """Supplied maps first, then stored ones (the order OverlayCatalog.conceptmaps() gives)."""
    mine = supplied_maps(catalog)
    stored = stored_maps(catalog)
    return [mine, stored] if mine is not EMPTY else [stored]


def sent_map(catalog, req: TranslateRequest) -> MapIndex:
    """The index of the map the request brought (`conceptMap`), kept on the request for the request only: a
    process-wide cache would hold every client's body. The codings of one codeableConcept share it
    (fhir_api.ops_translate hands them one `sent_map_index`)."""
    got = getattr(req, "sent_map_index", None)
    if got is None or got.body is not req.conceptmap:
        got = map_index(req.conceptmap, supplied=True, catalog=catalog)
        req.sent_map_index = got
    return got


def candidate_maps(catalog, req: TranslateRequest, system: str | None = None) -> list[MapIndex] | None:
    """The maps this request may use; None when it names a map this provider does not hold."""
    if req.conceptmap is not None:
        if req.conceptmap_stored:
            return [stored_maps(catalog).index(req.conceptmap)]
        return [sent_map(catalog, req)]
    tables = _tables(catalog)
    if req.conceptmap_url:
        url, _version = split_canonical(req.conceptmap_url, req.conceptmap_version)
        found = [(t, m) for t in tables for m in t.by_url.get(url, ())]
        mine = {id(m) for t, m in found if len(tables) > 1 and t is tables[0]}
        maps = _maps_by_url([m for _t, m in found], req.conceptmap_url, req.conceptmap_version, catalog,
                            lambda m: id(m) in mine)
        if maps:
            owner = {id(m): t for t, m in found}
            return [owner[id(m)].index(m) for m in maps]
        # an adjacent-edition map that is served though not stored
        from .edition_maps import derived_edition_maps
        maps = _maps_by_url(list(derived_edition_maps(catalog).values()), req.conceptmap_url,
                            req.conceptmap_version)
        if not maps:
            return None
        return [map_index(m, catalog=catalog) for m in maps]
    found = in_force_only(catalog, [idx for t in tables for idx in (t.by_target if req.reverse else t.by_source)
                                    .get(system, ())], lambda idx: idx.body, lambda idx: idx.supplied)
    if not (req.source or req.target):
        return found
    # `source` is the value set of the code given, `target` that of the answers, in either direction
    given_vs, answer_vs = _scope_urls(req)
    given_known, answer_known = _known(req)
    out = []
    for idx in found:
        given_scope, answer_scope = (idx.target_scope, idx.source_scope) if req.reverse else \
            (idx.source_scope, idx.target_scope)
        # a map made for another source context is not applied; one without a declared context is,
        # when the code is known to be in `source` (checked before any map is asked)
        if given_vs and not (given_scope == given_vs or (given_known and given_scope is None)):
            continue
        # any map may answer into a known `target` (its matches are checked one by one); an unknown
        # `target` only by the maps declared for it
        if answer_vs and not answer_known and answer_scope != answer_vs:
            continue
        out.append(idx)
    return out


def _scope_urls(req: TranslateRequest) -> tuple[str | None, str | None]:
    return canonical_url(req.source) or None, canonical_url(req.target) or None


def _known(req: TranslateRequest) -> tuple[bool, bool]:
    """Whether the server holds the source and target value sets (resolved by `translate`)."""
    sc = req.scopes
    if sc is None:
        return False, False
    return (sc.source is not None and sc.source.known, sc.target is not None and sc.target.known)


def declares_scope(catalog, req: TranslateRequest, url: str) -> bool:
    """Whether a map this request could use declares value set `url` as its source or target scope."""
    if req.conceptmap is not None:
        (idx,) = candidate_maps(catalog, req)
        return url in (idx.source_scope, idx.target_scope)
    return any(url in t.scopes for t in _tables(catalog))


# --- evaluating ---------------------------------------------------------------------

def _version_fits(wanted: str | None, declared: str | None) -> bool:
    return not wanted or not declared or matches_version(wanted, declared)


def _dependency_value_fits(given, system: str | None, value) -> bool:
    if isinstance(given, dict):
        codings = given.get("coding") if "coding" in given else [given]
        for c in codings or ():
            if isinstance(c, dict) and str(c.get("code")) == str(value) and (
                    not system or not c.get("system") or system_url(c.get("system")) == system_url(system)):
                return True
        if "value" in given and str(given.get("value")) == str(value):
            return True
        return False
    if isinstance(given, bool):
        return str(value).lower() == ("true" if given else "false")
    return str(given) == str(value)


def _depends_value(d: dict) -> tuple[str | None, object]:
    v = d["value"] if "value" in d else value_of(d)
    if isinstance(v, dict):
        return v.get("system"), v.get("code", v.get("value"))
    return d.get("system"), v


def check_depends_on(target: dict, deps: list, attributes: dict | None = None) -> tuple[bool, list[str]]:
    """(applies, unmet conditions the request gave no value for).

    An R5 condition names its attribute by a code declared in the map's additionalAttribute (code → uri);
    a dependency may name it by that uri (what R4 clients and the R5→R4 conversion send) or by the code."""
    unknown = []
    for d in _items(target.get("dependsOn")):
        element = d.get("property") or d.get("attribute")
        uri = (attributes or {}).get(element, element) if isinstance(element, str) else element
        system, value = _depends_value(d)
        given = [v for el, v in deps if el == element or el == uri]
        if not given:
            unknown.append(f"{uri} = {value}")
        elif not any(_dependency_value_fits(v, system, value) for v in given):
            return False, []
    return True, unknown


def _items(value) -> list[dict]:
    return [d for d in value if isinstance(d, dict)] if isinstance(value, list) else []


def _conditions(idx: MapIndex, target: dict) -> list[dict]:
    """The target's dependsOn, with R5 attribute codes replaced by the uris the map declares for them."""
    out = []
    for d in _items(target.get("dependsOn")):
        if "attribute" in d and idx.attributes:
            d = {**d, "attribute": idx.attribute_uri(d["attribute"])}
        out.append(d)
    return out


def _product(target: dict, idx: MapIndex | None = None) -> list[dict]:
    out = []
    for p in _items(target.get("product")):
        system, value = _depends_value(p)
        prop = p.get("property") or p.get("attribute")
        if idx is not None:
            prop = idx.attribute_uri(prop)
        item = {"property": prop, "system": system, "value": value}
        if p.get("display"):
            item["display"] = p["display"]
        out.append(item)
    return out


def _set_elements(catalog, idx: MapIndex, g: MapGroup, req: TranslateRequest, code: str) -> list[dict]:
    """The R5 elements whose value set holds the code (membership as `source`/`target` are judged; a value
    set the server cannot evaluate holds nothing it can vouch for)."""
    out = []
    # a kept scope is asked only about codes of the code system, not about anything a client sends
    keep = _held_by_system(catalog, g.from_system, code)
    for ref, el in g.by_set:
        try:
            if idx.scope(catalog, ref, "source", keep).holds(g.from_system, code, req.version):
                out.append(el)
        except TerminologyError:
            continue
    return out


def _forward(catalog, idx: MapIndex, g: MapGroup, req: TranslateRequest, code: str,
             notes: list) -> list[Match] | None:
    elements = g.forward.get(code) or []
    if g.by_set:
        elements = elements + _set_elements(catalog, idx, g, req, code)
    if not elements:
        return None
    out = []
    for el in elements:
        targets = el.get("target") if isinstance(el.get("target"), list) else ()
        if el.get("noMap") or not targets:
            out.append(Match("unmatched", source=idx.canonical, comment=el.get("comment")))
            continue
        for t in targets:
            if isinstance(t, dict):
                out += _conditional(idx, t, req, notes, f"the match to {t.get('code')}",
                                    g.to_system, t, g.target_version)
    return out


def _conditional(idx: MapIndex, t: dict, req: TranslateRequest, notes: list, what: str,
                 system: str | None, concept: dict, version: str | None) -> list[Match]:
    """The match target `t` gives (to `concept` of `system`), unless a `dependency` of the request rules it
    out; conditions the request says nothing about are noted, since the match holds only under them."""
    applies, unknown = check_depends_on(t, req.dependencies, idx.attributes)
    if not applies:
        return []
    if unknown:
        notes.append(f"{what} holds only when {' and '.join(unknown)}")
    return [Match(equivalence_of(t), system=system, code=norm_code(system, concept.get("code")),
                  display=concept.get("display"), version=version, source=idx.canonical,
                  comment=t.get("comment"), product=_product(t, idx), depends_on=_conditions(idx, t))]


def _unmapped(catalog, idx: MapIndex, g: MapGroup, req: TranslateRequest, notes: list,
              budget: HopBudget) -> list[Match]:
    um = g.raw.get("unmapped")
    if not isinstance(um, dict):
        return []
    mode = um.get("mode")
    if mode in ("provided", "use-source-code"):     # R4 and R5 names of one mode
        code = norm_code(g.to_system, req.code)
        if _not_in_edition(catalog, idx, g, code):
            notes.append(not_a_code_of(req.code, g.to_system, g.target_version))
            return []
        return [Match(equivalence_of(um, "equal"), system=g.to_system, code=code, display=req.display,
                      version=g.target_version, source=idx.canonical)]
    if mode == "fixed" and um.get("code"):
        return [Match(equivalence_of(um, "relatedto"), system=g.to_system, code=um["code"],
                      display=um.get("display"), version=g.target_version, source=idx.canonical)]
    other = um.get("url") or um.get("otherMap")
    if mode == "other-map" and other:
        return other_map(catalog, idx.name, idx.canonical, other, req, budget, notes)
    return []


def _not_in_edition(catalog, idx: MapIndex, g: MapGroup, code: str) -> bool:
    """A Kodebro change-list map says "unchanged" of a code it does not list by the change lists' rule
    (changelist.not_in_edition). Other maps mean `provided` as R4 words it, for any code."""
    return bool(g.to_system and g.target_version and is_changelist_map(idx.body)) and \
        not_in_edition(catalog, g.to_system, g.target_version, code)


def _reverse(idx: MapIndex, g: MapGroup, req: TranslateRequest, code: str, notes: list) -> list[Match]:
    out = []
    for el, t in g.reverse.get(code, ()):
        # a mapping that holds only under conditions holds backwards under the same ones
        out += _conditional(idx, t, req, notes, f"the mapping from {el.get('code')}",
                            g.from_system, el, g.source_version)
    return out


class _Unusable(Exception):
    """A stored map that cannot be applied (its scope cannot be evaluated): left out, with a note."""


def _refuse_or_skip(idx: MapIndex, req: TranslateRequest, why: str):
    if idx.supplied:
        raise InvalidRequest(f"The ConceptMap {idx.name} cannot be used: {why}",
                             location="conceptMap" if req.conceptmap is not None else "tx-resource")
    raise _Unusable(f"The ConceptMap {idx.name} was not used: {why}")


def _check_usable(catalog, idx: MapIndex, req: TranslateRequest) -> None:
    """Refuse a map the request brought when it is not a valid ConceptMap; refuse it, or leave a stored one
    out, when a scope it declares cannot be evaluated (a malformed implicit value set, ECL that does not
    parse). Checked before the code is looked at: a broken map is broken whichever code is asked."""
    if idx.supplied:
        problems = idx.problems() + _systemless(idx)
        if problems:
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            _refuse_or_skip(idx, req, "; ".join(problems[:3]) + more)
    for side, ref in idx.scope_refs.items():
        # a stored map's index outlives this request: what the request's own resources say about the scope
        # is kept for the request only (MapIndex.scope_problem)
        why = idx.scope_problem(catalog, ref) if ref else None
        if why:
            _refuse_or_skip(idx, req, f"its {side} scope '{ref}' cannot be evaluated: {why}")
    if idx.supplied:
        # so is an R5 element's value set (of a stored map, one that cannot be evaluated just holds nothing)
        for g in idx.groups:
            for ref, _el in g.by_set:
                why = idx.scope_problem(catalog, ref)
                if why:
                    _refuse_or_skip(idx, req, f"the value set '{ref}' of an element cannot be evaluated: {why}")


def _systemless(idx: MapIndex) -> list[str]:
    """The groups whose codes have no system: no source (or, with target codes, no target) given, and none the
    map's value set implies (R4: not needed "if the source value set ... contains concepts from only a
    single system")."""
    out = []
    for g in idx.groups:
        for side, system, scope in (("source", g.from_system, idx.source_scope), ("target", g.to_system, idx.target_scope)):
            if system or (side == "target" and not g.reverse and not _fixed_code(g)):
                continue
            where = (f"its {side} value set '{scope}' does not take its codes from a single code system that "
                     f"this request can read" if scope else f"it declares no {side} value set")
            out.append(f"group[{g.position}] has no {side} (the code system of its {side} codes), and {where}")
    return out


def _fixed_code(g: MapGroup) -> bool:
    um = g.raw.get("unmapped")
    return isinstance(um, dict) and um.get("mode") == "fixed" and bool(um.get("code"))


def _in_own_scope(catalog, idx: MapIndex, req: TranslateRequest, system: str, code: str) -> bool:
    """Whether the code given is in the value set the map declares for its side (R5 sourceScope, R4 source;
    the target side when walking backwards): a map only speaks for the codes it was made for. A scope the
    server cannot read (not held, a code system or edition not loaded) is taken on the author's word; one
    that names what cannot be (ECL on a concept the edition lacks) makes the map unusable."""
    ref = idx.scope_refs["target" if req.reverse else "source"]
    if not ref:
        return True
    # the map's kept scope remembers only codes the map has an element for (a bounded set): any other code,
    # which a client may make up by the million, is asked of a scope that lives for this request
    try:
        scope = idx.scope(catalog, ref, "target" if req.reverse else "source", _has_element(idx, req, system, code))
        if not scope.known:
            return True
        return scope.holds(system, code, req.version)
    except InvalidRequest as e:
        _refuse_or_skip(idx, req, f"its {'target' if req.reverse else 'source'} scope '{ref}' cannot be "
                                  f"evaluated: {e.message}")
    except TerminologyError:
        return True


def _has_element(idx: MapIndex, req: TranslateRequest, system: str, code: str | None) -> bool:
    """Whether a group of the map has an element for system#code on the side the request gives."""
    for g in idx.groups:
        if (g.to_system if req.reverse else g.from_system) == system and \
                code in (g.reverse if req.reverse else g.forward):
            return True
    return False


def _held_by_system(catalog, system: str | None, code: str | None) -> bool:
    try:
        cs = catalog.codesystem(system) if system and code else None
        return cs is not None and cs.find(code)[0] is not None
    except TerminologyError:
        return False


# a `conceptMap` sent with the request is the map to use: this provider alone answers it
@provider(serves_supplied_map=True)
def conceptmap_provider(catalog, req: TranslateRequest):
    if not req.code or not req.system:
        return None
    system = catalog.canonical_system(req.system)
    maps = candidate_maps(catalog, req, system)
    if maps is None:
        return None
    wanted = catalog.canonical_system(req.target_system) if req.target_system else None
    code = norm_code(system, req.code)
    matches: list[Match] = []
    notes: list[str] = []
    misses: list[str] = []      # why a map that was asked gave nothing: said only when no map gave anything
    handled = bool(req.conceptmap is not None or req.conceptmap_url)
    # a map whose declared scope leaves the code out does not apply; said (once) only when no map did
    scoped_out = applied = False
    no_group: list[str] = []    # maps named (url, sent) without a group for the request's systems
    budget = hop_budget(req)
    _given_vs, answer_vs = _scope_urls(req)
    for idx in maps:
        try:
            _check_usable(catalog, idx, req)
            if not _in_own_scope(catalog, idx, req, system, code):
                scoped_out = handled = True
                continue
        except _Unusable as e:
            notes.append(str(e))
            handled = True
            continue
        first = len(matches)
        from_system, other_versions = False, []
        for g in idx.groups:
            given_system, answer_system = (g.to_system, g.from_system) if req.reverse else (g.from_system, g.to_system)
            given_version, answer_version = (g.target_version, g.source_version) if req.reverse else \
                (g.source_version, g.target_version)
            if given_system != system or (wanted and answer_system != wanted):
                continue
            from_system = True
            if not _version_fits(req.version, given_version):
                other_versions.append(given_version)
                continue
            if not _version_fits(req.target_version, answer_version):
                continue
            handled = True
            if req.reverse:
                matches.extend(_reverse(idx, g, req, code, notes))
            else:
                got = _forward(catalog, idx, g, req, code, notes)
                matches.extend(got if got is not None else _unmapped(catalog, idx, g, req, notes, budget))
        # in scope, with a group for the request's systems: a map that applies, whatever it had for the code
        applied = applied or from_system
        if other_versions and len(matches) == first:
            handled = True
            versions = ", ".join(dict.fromkeys(other_versions))
            misses.append(f"The ConceptMap {idx.name} maps version {versions} of {system}, "
                          f"not version {req.version}")
        elif not from_system and (req.conceptmap is not None or req.conceptmap_url):
            where = f" {'from' if req.reverse else 'to'} {wanted}" if wanted else ""
            unread = "; ".join(_systemless(idx))
            # the reference server's words first (the map applies, and has nothing for the code), then why
            no_group.append(f"{NO_TRANSLATIONS} (the ConceptMap {idx.name} has no group that maps "
                            f"{'to' if req.reverse else 'from'} {system}{where}"
                            + (f"; {unread}" if unread else "") + ")")
        if answer_vs and answer_vs == (idx.source_scope if req.reverse else idx.target_scope):
            # the map's author declared its answers to be in that value set
            for m in matches[first:]:
                m.in_target = True
    if not matches:
        if scoped_out and not applied:
            # the reference server's wording (FHIRsmith): maps exist, and none has this code in scope
            start, end = direction(req)
            misses.insert(0, f"No ConceptMap that translates from {start} to {end} has "
                             f"'{req.system}#{req.code}' in scope")
        elif not applied:
            # a map that does have a group for the systems is the better word; these maps just do not
            misses[:0] = no_group
        notes.extend(misses)
    # Norwegian rules kept out of here: see their modules
    fill_changelist_displays(catalog, matches)
    notes.extend(check_icd10_targets(catalog, req, matches))
    if not handled:
        return None
    if notes:
        # R4: result "can only be true if at least one returned match has an equivalence which is not
        # unmatched or disjoint" -- a note never makes it true
        return TranslateResult(result=any(m.equivalence not in NOT_A_MATCH for m in matches),
                               message="; ".join(notes), matches=matches)
    return matches
