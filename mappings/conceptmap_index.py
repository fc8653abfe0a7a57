"""The per-map index $translate and ConceptMap search read: code → elements, target code → elements.

A map is indexed once, when first asked, and the index is kept as long as the map
object lives: the stored maps' indexes once per store revision (`stored_maps`, on
the catalog), the maps a request brought once per request (`supplied_maps`). A
translation then costs a dictionary lookup per group, not a scan of the map.

The index reads R4 and R5 content alike and never trusts the JSON types: a stored
map is read as well as it can be, and a map a request brought has been checked for
shape before it gets here (fhir_api.supplied), which is what refuses it when broken.
"""
from __future__ import annotations

from terminology.catalog import store_view
from terminology.codesystem import normalise_code
from terminology.identifiers import canonical, canonical_system, canonical_url, split_canonical

_CACHE_LIMIT = 512
# membership answers a kept scope remembers before it starts afresh (a long-lived stored map is asked about
# the codes it maps, in whatever versions clients name; the evaluator's memos grow with them), counted in
# answers and in the characters of the codes and versions asked about: a client picks their length
_SCOPE_LIMIT = 4096
_SCOPE_CHARS = 256 * 1024


def system_url(system: str | None) -> str | None:
    """The canonical form of a code system URL the way maps and requests are compared (aliases, OIDs)."""
    if not system:
        return None
    return canonical_system(canonical_url(system))


def norm_code(system: str | None, code) -> str | None:
    """A code as the index keys it (ICD-10 `J12.8` is `J128`); None for a code that is not a string."""
    if not isinstance(code, str):
        return None
    return normalise_code(system, code) if system and code else code


def _text(v) -> str:
    return v if isinstance(v, str) else ""


class MapGroup:
    """One group: `source`/`target` as the group states them (what ConceptMap search reads), and
    `from_system`/`to_system`, the systems $translate maps between -- the same, or for a group that names
    none, the one system of the map's value set on that side: R4 group.source/target "is not needed if the
    source/target value set is specified and it contains concepts from only a single system"."""
    __slots__ = ("raw", "position", "source", "source_version", "target", "target_version", "from_system",
                 "to_system", "forward", "reverse", "by_set")

    def __init__(self, g: dict, position: int = 0, implied: tuple = (None, None)):
        self.raw = g
        self.position = position
        src, tgt = _text(g.get("source")), _text(g.get("target"))
        self.source = system_url(src)
        self.target = system_url(tgt)
        self.from_system = self.source or system_url(implied[0])
        self.to_system = self.target or system_url(implied[1])
        # R4 carries versions in sourceVersion/targetVersion, R5 as url|version
        self.source_version = split_canonical(src, _text(g.get("sourceVersion")))[1]
        self.target_version = split_canonical(tgt, _text(g.get("targetVersion")))[1]
        self.forward: dict[str, list[dict]] = {}
        self.reverse: dict[str, list[tuple[dict, dict]]] = {}
        # R5 elements that map every code of a value set (element.valueSet instead of element.code)
        self.by_set: list[tuple[str, dict]] = []
        elements = g.get("element")
        for el in elements if isinstance(elements, list) else ():
            if not isinstance(el, dict):
                continue
            code = norm_code(self.from_system, el.get("code"))
            if code is not None:
                self.forward.setdefault(code, []).append(el)
            elif isinstance(el.get("valueSet"), str) and el["valueSet"]:
                self.by_set.append((el["valueSet"], el))
            targets = el.get("target")
            for t in targets if isinstance(targets, list) else ():
                tcode = norm_code(self.to_system, t.get("code")) if isinstance(t, dict) else None
                if tcode is not None:
                    self.reverse.setdefault(tcode, []).append((el, t))


class MapIndex:
    __slots__ = ("body", "canonical", "groups", "source_scope", "target_scope", "scope_refs", "attributes",
                 "supplied", "problems_found", "scope_problems", "_scopes")

    def __init__(self, cm: dict, supplied: bool = False, catalog=None):
        self.body = cm
        url, version = cm.get("url"), cm.get("version")
        self.canonical = canonical(url if isinstance(url, str) else None,
                                   version if isinstance(version, str) else None)
        self.source_scope = _scope(cm, "source")
        self.target_scope = _scope(cm, "target")
        # the scopes as written, `url|version`: the value set whose membership counts is that version (the urls
        # above are what the map is found and compared by)
        self.scope_refs = {"source": _scope(cm, "source", versioned=True),
                           "target": _scope(cm, "target", versioned=True)}
        groups = cm.get("group") if isinstance(cm.get("group"), list) else []
        implied = (None, None)
        if catalog is not None and any(isinstance(g, dict) and not (_text(g.get("source")) and _text(g.get("target")))
                                       for g in groups):
            implied = (_single_system(catalog, self.scope_refs["source"]),
                       _single_system(catalog, self.scope_refs["target"]))
        self.groups = [MapGroup(g, i, implied) for i, g in enumerate(groups) if isinstance(g, dict)]
        # R5 dependsOn/product name an `attribute` by a code the map declares in additionalAttribute
        attributes = cm.get("additionalAttribute")
        self.attributes = {a["code"]: a["uri"] for a in (attributes if isinstance(attributes, list) else ())
                           if isinstance(a, dict) and isinstance(a.get("code"), str) and isinstance(a.get("uri"), str)}
        # maps a request brought (conceptMap, tx-resource) are the client's: a broken one is refused (400);
        # a broken stored map is the server's and is read as well as it can be
        self.supplied = supplied
        self.problems_found: list[str] | None = None
        self.scope_problems: dict[str, str | None] = {}
        self._scopes: dict = {}

    @property
    def name(self) -> str:
        return self.canonical or (f"ConceptMap/{self.body['id']}" if isinstance(self.body.get("id"), str)
                                  else "(a ConceptMap without url)")

    def problems(self) -> list[str]:
        if self.problems_found is None:
            from .conceptmap_checks import map_problems
            self.problems_found = map_problems(self.body)
        return self.problems_found

    def attribute_uri(self, attribute):
        return self.attributes.get(attribute, attribute) if isinstance(attribute, str) else attribute

    def scope(self, catalog, ref: str, role: str, keep: bool = True):
        """The ValueSetScope of `ref` (a scope or element value set of this map) for this catalog.

        Kept on the index for a stored map asked through the stored catalog: that index lives one store
        revision, as the value set it reads does. A map the request brought, or a request with its own
        resources (which may shadow the value set), gets a scope kept for that request only. `keep=False` (a
        code the map has no element for: what is asked about it would only fill the kept memo with what
        clients send) gets a fresh scope from the stored catalog."""
        from .scope import ValueSetScope
        key = (ref, role)
        if self.supplied or getattr(catalog, "extra", None):
            # what lives for the request: a map it brought, or its own catalog (the codings of a codeableConcept
            # ask the same scopes of the same maps, and their evaluator's memos serve them all)
            table = self._scopes if self.supplied else request_memo(catalog).setdefault("scopes", {})
            got = table.get(key)
            if got is None or got.catalog is not catalog:
                got = table[key] = ValueSetScope(catalog, ref, role)
            return got
        if not keep or not hasattr(catalog, "derived"):
            return ValueSetScope(catalog, ref, role)
        got = self._scopes.get(key)
        if got is None or got.catalog is not catalog or got.asked > _SCOPE_LIMIT or got.chars > _SCOPE_CHARS:
            got = self._scopes[key] = ValueSetScope(catalog, ref, role, shared=True)
        return got

    def scope_problem(self, catalog, ref: str) -> str | None:
        """`mappings.scope.scope_problem`, worked out once per map for the store revision, or (a stored map
        asked with a request's own resources, which may shadow the value set) once per request."""
        from .scope import scope_problem
        if self.supplied or not getattr(catalog, "extra", None):
            table = self.scope_problems
        else:
            table = request_memo(catalog).setdefault("scope_problems", {})
        if ref not in table:
            table[ref] = scope_problem(catalog, ref)
        return table[ref]


def _single_system(catalog, ref: str | None) -> str | None:
    """The one code system the value set `ref` takes its codes from (its includes by system), if it is one."""
    if not ref:
        return None
    from terminology.errors import TerminologyError

    from .scope import named_valueset
    try:
        vs = named_valueset(catalog, ref)
    except TerminologyError:
        return None
    compose = vs.get("compose") if isinstance(vs, dict) else None
    includes = compose.get("include") if isinstance(compose, dict) else None
    systems = {inc.get("system") for inc in includes if isinstance(inc, dict)} if isinstance(includes, list) else set()
    if len(systems) != 1:
        return None
    (system,) = systems
    return system if isinstance(system, str) and system else None


def _scope(cm: dict, side: str, versioned: bool = False) -> str | None:
    for k in (f"{side}Uri", f"{side}Canonical", f"{side}ScopeUri", f"{side}ScopeCanonical"):
        v = cm.get(k)
        if isinstance(v, str) and v:
            return v if versioned else canonical_url(v)
    return None


_indexes: dict[int, MapIndex] = {}


def map_index(cm: dict, supplied: bool = False, catalog=None) -> MapIndex:
    """The index of `cm`, kept while the map object lives. `catalog` reads the value sets a group without
    source or target takes its system from (a map sent with a request is read against that request's).

    A map a request brought (`supplied`) is indexed afresh and never kept here: this cache outlives the
    request and would hold the client's body (the caller keeps it for the request: conceptmap.sent_map)."""
    if supplied:
        return MapIndex(cm, True, catalog)
    idx = _indexes.get(id(cm))
    if idx is None or idx.body is not cm:
        if len(_indexes) > _CACHE_LIMIT:
            _indexes.clear()
        idx = MapIndex(cm, supplied, catalog)
        _indexes[id(cm)] = idx
    return idx


class MapsBySystem:
    """Maps grouped by url and by the systems their groups map from and to, each with its index."""

    def __init__(self, maps: list, supplied: bool = False, catalog=None):
        self.supplied, self.catalog = supplied, catalog     # (for a map asked about that is not one of these)
        self.by_url: dict[str, list[dict]] = {}
        self.by_source: dict[str | None, list[MapIndex]] = {}
        self.by_target: dict[str | None, list[MapIndex]] = {}
        # the indexes live here, not only in the bounded map_index cache: a server with more maps than
        # that cache holds must not rebuild them per request
        self.indexes: dict[int, MapIndex] = {}
        self.scopes: set[str] = set()       # every declared source/target scope (value set url)
        for m in maps:
            if not isinstance(m, dict):
                continue
            idx = self.indexes[id(m)] = MapIndex(m, supplied, catalog)
            self.scopes.update(x for x in (idx.source_scope, idx.target_scope) if x)
            if isinstance(m.get("url"), str):
                self.by_url.setdefault(m["url"], []).append(m)
            for g in idx.groups:
                for table, system in ((self.by_source, g.from_system), (self.by_target, g.to_system)):
                    got = table.setdefault(system, [])
                    if not got or got[-1] is not idx:
                        got.append(idx)

    def index(self, cm: dict) -> MapIndex:
        idx = self.indexes.get(id(cm))
        return idx if idx is not None and idx.body is cm else map_index(cm, self.supplied, self.catalog)


EMPTY = MapsBySystem([])
_INDEX_KEY = "mappings.conceptmap.by-system"


def stored_maps(catalog) -> MapsBySystem:
    """The stored maps' index: built once per store revision and kept on the (base) catalog."""
    base = store_view(catalog)
    derived = getattr(base, "derived", None)
    if derived is None:          # a catalog-like object without the per-revision cache
        return MapsBySystem(base.conceptmaps(), catalog=base)
    return derived(_INDEX_KEY, lambda cat: MapsBySystem(cat.conceptmaps(), catalog=cat))


def request_memo(catalog) -> dict:
    """What is worked out against a request's own catalog (an overlay of its tx-resources), kept on it: that
    catalog lives as long as the request does, and every coding of the request is asked with it."""
    return catalog.__dict__.setdefault("_kodebro_translate_memo", {})


def supplied_maps(catalog) -> MapsBySystem:
    """The index of the maps a request brought (tx-resource): only those, built once per overlay."""
    extra = getattr(catalog, "extra", None)
    if not extra:
        return EMPTY
    got = catalog.__dict__.get("_kodebro_supplied_maps")
    if got is None:
        got = MapsBySystem([r for (t, _url), rs in extra.items() if t == "ConceptMap" for r in rs], supplied=True,
                           catalog=catalog)
        catalog.__dict__["_kodebro_supplied_maps"] = got
    return got
