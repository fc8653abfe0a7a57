"""$translate over ConceptMap resources: groups, equivalence, dependsOn/product, unmapped.

Which maps apply: the one supplied in the request (`conceptMap`), else the
stored and `tx-resource` maps with the requested url (+ conceptMapVersion, the
latest when none is given), else every map with a group from the source
system (to the target system when one is named) whose declared scope fits
the `source`/`target` value sets (see `candidate_maps` and mappings.scope).
All matches of all applicable maps are returned. R4 (`equivalence`) and R5 (`relationship`) maps are both read; R5
relationships are answered as the R4 equivalence they correspond to.

Each map gets a small index (code → elements, target code → elements) built
on first use and kept while the map object lives, so a translation costs a
dictionary lookup per group rather than a scan of the map.
"""
from __future__ import annotations

import threading

from terminology.codesystem import normalise_code
from terminology.errors import NotFound, TerminologyError
from terminology.identifiers import canonical_system, canonical_url, split_canonical
from terminology.versions import matches_version, version_key

from .scope import ValueSetScope
from .translate import Match, TranslateRequest, TranslateResult, provider, translate

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
_MAX_OTHER_MAP_DEPTH = 5
_CACHE_LIMIT = 512
_local = threading.local()


def equivalence_of(item: dict, default: str = "equivalent") -> str:
    """The R4 equivalence of a target (or unmapped) entry, from R4 or R5 content."""
    e = item.get("equivalence")
    if isinstance(e, str) and e:
        return e
    r = item.get("relationship")
    if isinstance(r, str) and r:
        return RELATIONSHIP_TO_EQUIVALENCE.get(r, "relatedto")
    return default


def _canon(system: str | None) -> str | None:
    if not system:
        return None
    return canonical_system(canonical_url(system))


def _norm(system: str | None, code) -> str | None:
    if not isinstance(code, str):
        return None
    return normalise_code(system, code) if system and code else code


def _text(v) -> str:
    return v if isinstance(v, str) else ""


class _Group:
    __slots__ = ("raw", "source", "source_version", "target", "target_version", "forward", "reverse")

    def __init__(self, g: dict):
        self.raw = g
        src, tgt = _text(g.get("source")), _text(g.get("target"))
        self.source = _canon(src)
        self.target = _canon(tgt)
        # R4 carries versions in sourceVersion/targetVersion, R5 as url|version
        self.source_version = split_canonical(src, _text(g.get("sourceVersion")))[1]
        self.target_version = split_canonical(tgt, _text(g.get("targetVersion")))[1]
        self.forward: dict[str, list[dict]] = {}
        self.reverse: dict[str, list[tuple[dict, dict]]] = {}
        for el in g.get("element") or ():
            if not isinstance(el, dict):
                continue
            code = _norm(self.source, el.get("code"))
            if code is not None:
                self.forward.setdefault(code, []).append(el)
            for t in el.get("target") or ():
                tcode = _norm(self.target, t.get("code")) if isinstance(t, dict) else None
                if tcode is not None:
                    self.reverse.setdefault(tcode, []).append((el, t))


class _MapIndex:
    __slots__ = ("body", "canonical", "groups", "source_scope", "target_scope")

    def __init__(self, cm: dict):
        self.body = cm
        url, version = cm.get("url"), cm.get("version")
        self.canonical = f"{url}|{version}" if url and version else url
        self.groups = [_Group(g) for g in cm.get("group") or () if isinstance(g, dict)]
        self.source_scope = _scope(cm, "source")
        self.target_scope = _scope(cm, "target")


def _scope(cm: dict, side: str) -> str | None:
    for k in (f"{side}Uri", f"{side}Canonical", f"{side}ScopeUri", f"{side}ScopeCanonical"):
        v = cm.get(k)
        if isinstance(v, str) and v:
            return canonical_url(v)
    return None


_indexes: dict[int, _MapIndex] = {}


def map_index(cm: dict) -> _MapIndex:
    idx = _indexes.get(id(cm))
    if idx is None or idx.body is not cm:
        if len(_indexes) > _CACHE_LIMIT:
            _indexes.clear()
        idx = _MapIndex(cm)
        _indexes[id(cm)] = idx
    return idx


# --- choosing maps ------------------------------------------------------------------

def _maps_by_url(maps: list[dict], ref: str, version: str | None) -> list[dict]:
    url, version = split_canonical(ref, version)
    found = [m for m in maps if m.get("url") == url]
    if version:
        return [m for m in found if m.get("version") == version or matches_version(version, m.get("version"))]
    if len(found) > 1:
        newest = max((m.get("version") for m in found), key=lambda v: version_key(v if isinstance(v, str) else None))
        found = [m for m in found if m.get("version") == newest]
    return found


class _BySystem:
    """Maps grouped by url and by the systems their groups map from and to, each with its index."""

    def __init__(self, maps: list):
        self.by_url: dict[str, list[dict]] = {}
        self.by_source: dict[str | None, list[_MapIndex]] = {}
        self.by_target: dict[str | None, list[_MapIndex]] = {}
        # the indexes live here, not only in the bounded map_index cache: a server with more maps than
        # that cache holds must not rebuild them per request
        self.indexes: dict[int, _MapIndex] = {}
        self.scopes: set[str] = set()       # every declared source/target scope (value set url)
        for m in maps:
            if not isinstance(m, dict):
                continue
            idx = self.indexes[id(m)] = _MapIndex(m)
            self.scopes.update(x for x in (idx.source_scope, idx.target_scope) if x)
            if isinstance(m.get("url"), str):
                self.by_url.setdefault(m["url"], []).append(m)
            for g in idx.groups:
                for table, system in ((self.by_source, g.source), (self.by_target, g.target)):
                    got = table.setdefault(system, [])
                    if not got or got[-1] is not idx:
                        got.append(idx)

    def index(self, cm: dict) -> _MapIndex:
        idx = self.indexes.get(id(cm))
        return idx if idx is not None and idx.body is cm else map_index(cm)


_EMPTY = _BySystem([])
_INDEX_KEY = "mappings.conceptmap.by-system"


def stored_maps(catalog) -> _BySystem:
    """The stored maps' index: built once per store revision and kept on the (base) catalog."""
    base = getattr(catalog, "base", catalog)
    derived = getattr(base, "derived", None)
    if derived is None:          # a catalog-like object without the per-revision cache
        return _BySystem(base.conceptmaps())
    return derived(_INDEX_KEY, lambda cat: _BySystem(cat.conceptmaps()))


def supplied_maps(catalog) -> _BySystem:
    """The index of the maps a request brought (tx-resource): only those, built once per overlay."""
    extra = getattr(catalog, "extra", None)
    if not extra:
        return _EMPTY
    got = catalog.__dict__.get("_kodebro_supplied_maps")
    if got is None:
        got = _BySystem([r for (t, _url), rs in extra.items() if t == "ConceptMap" for r in rs])
        catalog.__dict__["_kodebro_supplied_maps"] = got
    return got


def _tables(catalog) -> list[_BySystem]:
    """Supplied maps first, then stored ones (the order OverlayCatalog.conceptmaps() gives)."""
    mine = supplied_maps(catalog)
    stored = stored_maps(catalog)
    return [mine, stored] if mine is not _EMPTY else [stored]


def candidate_maps(catalog, req: TranslateRequest, system: str | None = None) -> list[_MapIndex] | None:
    """The maps this request may use; None when it names a map this provider does not hold."""
    if req.conceptmap is not None:
        return [map_index(req.conceptmap)]
    tables = _tables(catalog)
    if req.conceptmap_url:
        url, _version = split_canonical(req.conceptmap_url, req.conceptmap_version)
        found = [(t, m) for t in tables for m in t.by_url.get(url, ())]
        maps = _maps_by_url([m for _t, m in found], req.conceptmap_url, req.conceptmap_version)
        if maps:
            owner = {id(m): t for t, m in found}
            return [owner[id(m)].index(m) for m in maps]
        # an adjacent-edition map that is served though not stored
        from .edition_maps import derived_edition_maps
        maps = _maps_by_url(list(derived_edition_maps(catalog).values()), req.conceptmap_url,
                            req.conceptmap_version)
        if not maps:
            return None
        return [map_index(m) for m in maps]
    found = [idx for t in tables for idx in (t.by_target if req.reverse else t.by_source).get(system, ())]
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
        idx = map_index(req.conceptmap)
        return url in (idx.source_scope, idx.target_scope)
    return any(url in t.scopes for t in _tables(catalog))


# --- evaluating ---------------------------------------------------------------------

def _version_fits(wanted: str | None, declared: str | None) -> bool:
    return not wanted or not declared or wanted == declared or matches_version(wanted, declared)


def _dependency_value_fits(given, system: str | None, value) -> bool:
    if isinstance(given, dict):
        codings = given.get("coding") if "coding" in given else [given]
        for c in codings or ():
            if isinstance(c, dict) and str(c.get("code")) == str(value) and (
                    not system or not c.get("system") or _canon(c.get("system")) == _canon(system)):
                return True
        if "value" in given and str(given.get("value")) == str(value):
            return True
        return False
    if isinstance(given, bool):
        return str(value).lower() == ("true" if given else "false")
    return str(given) == str(value)


def _depends_value(d: dict) -> tuple[str | None, object]:
    if "value" in d and not isinstance(d["value"], dict):
        return d.get("system"), d["value"]
    for k, v in d.items():
        if k.startswith("value"):
            if isinstance(v, dict):
                return v.get("system"), v.get("code", v.get("value"))
            return d.get("system"), v
    return d.get("system"), None


def check_depends_on(target: dict, deps: list) -> tuple[bool, list[str]]:
    """(applies, unmet conditions the request gave no value for)."""
    unknown = []
    for d in target.get("dependsOn") or ():
        if not isinstance(d, dict):
            continue
        element = d.get("property") or d.get("attribute")
        system, value = _depends_value(d)
        given = [v for el, v in deps if el == element]
        if not given:
            unknown.append(f"{element} = {value}")
        elif not any(_dependency_value_fits(v, system, value) for v in given):
            return False, []
    return True, unknown


def _product(target: dict) -> list[dict]:
    out = []
    for p in target.get("product") or ():
        if not isinstance(p, dict):
            continue
        system, value = _depends_value(p)
        item = {"property": p.get("property") or p.get("attribute"), "system": system, "value": value}
        if p.get("display"):
            item["display"] = p["display"]
        out.append(item)
    return out


def _forward(idx: _MapIndex, g: _Group, req: TranslateRequest, code: str, notes: list) -> list[Match] | None:
    elements = g.forward.get(code)
    if not elements:
        return None
    out = []
    for el in elements:
        targets = el.get("target") or ()
        if el.get("noMap") or not targets:
            out.append(Match("unmatched", source=idx.canonical, comment=el.get("comment")))
            continue
        for t in targets:
            if not isinstance(t, dict):
                continue
            applies, unknown = check_depends_on(t, req.dependencies)
            if not applies:
                continue
            if unknown:
                notes.append(f"the match to {t.get('code')} holds only when {' and '.join(unknown)}")
            out.append(Match(equivalence_of(t), system=g.target, code=_norm(g.target, t.get("code")),
                             display=t.get("display"),
                             version=g.target_version, source=idx.canonical, comment=t.get("comment"),
                             product=_product(t), depends_on=list(t.get("dependsOn") or ())))
    return out


def _unmapped(catalog, idx: _MapIndex, g: _Group, req: TranslateRequest) -> list[Match]:
    um = g.raw.get("unmapped")
    if not isinstance(um, dict):
        return []
    mode = um.get("mode")
    if mode in ("provided", "use-source-code"):     # R4 and R5 names of one mode
        return [Match(equivalence_of(um, "equal"), system=g.target, code=_norm(g.target, req.code),
                      display=req.display,
                      version=g.target_version, source=idx.canonical)]
    if mode == "fixed" and um.get("code"):
        return [Match(equivalence_of(um, "relatedto"), system=g.target, code=um["code"],
                      display=um.get("display"), version=g.target_version, source=idx.canonical)]
    other = um.get("url") or um.get("otherMap")
    if mode == "other-map" and other:
        depth = getattr(_local, "depth", 0)
        if depth >= _MAX_OTHER_MAP_DEPTH:
            return []
        _local.depth = depth + 1
        try:
            sub = TranslateRequest(code=req.code, system=req.system, version=req.version,
                                   target_system=req.target_system, target_version=req.target_version,
                                   conceptmap_url=other, dependencies=req.dependencies, display=req.display)
            return translate(catalog, sub).matches
        except NotFound:      # the other map is not loaded: the code stays unmapped
            return []
        finally:
            _local.depth = depth
    return []


def _reverse(idx: _MapIndex, g: _Group, code: str) -> list[Match]:
    out = []
    for el, t in g.reverse.get(code, ()):
        out.append(Match(equivalence_of(t), system=g.source, code=_norm(g.source, el.get("code")),
                         display=el.get("display"),
                         version=g.source_version, source=idx.canonical, comment=t.get("comment"),
                         product=_product(t), depends_on=list(t.get("dependsOn") or ())))
    return out


def _in_own_scope(catalog, idx: _MapIndex, req: TranslateRequest, system: str, code: str) -> bool:
    """Whether the code given is in the value set the map declares for its side (R5 sourceScope, R4 source;
    the target side when walking backwards): a map only speaks for the codes it was made for. A scope the
    server cannot read is taken on the author's word."""
    ref = idx.target_scope if req.reverse else idx.source_scope
    if not ref:
        return True
    scope = ValueSetScope(catalog, ref, "target" if req.reverse else "source")
    if not scope.known:
        return True
    try:
        return scope.holds(system, code, req.version)
    except TerminologyError:
        return True


@provider
def conceptmap_provider(catalog, req: TranslateRequest):
    if not req.code or not req.system:
        return None
    system = catalog.canonical_system(req.system)
    maps = candidate_maps(catalog, req, system)
    if maps is None:
        return None
    wanted = catalog.canonical_system(req.target_system) if req.target_system else None
    code = _norm(system, req.code)
    matches: list[Match] = []
    notes: list[str] = []
    handled = bool(req.conceptmap is not None or req.conceptmap_url)
    _given_vs, answer_vs = _scope_urls(req)
    for idx in maps:
        if not _in_own_scope(catalog, idx, req, system, code):
            continue
        first = len(matches)
        for g in idx.groups:
            if req.reverse:
                if g.target != system or (wanted and g.source != wanted):
                    continue
                if not _version_fits(req.version, g.target_version) or \
                        not _version_fits(req.target_version, g.source_version):
                    continue
                handled = True
                matches.extend(_reverse(idx, g, code))
                continue
            if g.source != system or (wanted and g.target != wanted):
                continue
            if not _version_fits(req.version, g.source_version) or \
                    not _version_fits(req.target_version, g.target_version):
                continue
            handled = True
            got = _forward(idx, g, req, code, notes)
            matches.extend(got if got is not None else _unmapped(catalog, idx, g, req))
        if answer_vs and answer_vs == (idx.source_scope if req.reverse else idx.target_scope):
            # the map's author declared its answers to be in that value set
            for m in matches[first:]:
                m.in_target = True
    if not handled:
        return None
    if notes:
        return TranslateResult(result=bool(matches), message="; ".join(notes), matches=matches)
    return matches
