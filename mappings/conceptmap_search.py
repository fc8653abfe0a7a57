"""The FHIR R4 search parameters of ConceptMap that look inside a map: source, target, systems, codes.

R4 4.0.1 defines (SearchParameter-ConceptMap-*):

| parameter | type | element |
| --- | --- | --- |
| source, source-uri | reference | sourceCanonical, sourceUri |
| target, target-uri | reference | targetCanonical, targetUri |
| source-system, target-system | uri | group.source, group.target |
| source-code | token | group.element.code |
| target-code | token | group.element.target.code |
| other | reference | group.unmapped.url |
| dependson, product | uri | group.element.target.dependsOn.property, .product.property |

`source`/`target` find a value set whether the map names it in the canonical or the
uri element: which of the two an author picked says nothing about the value set a
client means (Kodebro's own maps use sourceUri for implicit value sets).
`source-uri`/`target-uri` stay strict. A token `system|code` is read against the
group's system; codes are normalised as $translate reads them (ICD-10 `J12.8` is `J128`).

Codes are found through the per-map index $translate keeps (mappings.conceptmap:
code → elements, target code → elements, built once per store revision), so a code
search costs one dictionary lookup per group of each map, never a walk over elements.
Only dependson/product need a walk; it is made once per map and store revision.
Values separated by commas are alternatives; a repeated parameter must hold each time.
"""
from __future__ import annotations

from terminology.catalog import store_view
from terminology.identifiers import split_canonical

from .conceptmap_index import MapIndex as _MapIndex, MapsBySystem as _BySystem, norm_code as _norm, stored_maps
from .search_values import alternatives, canonical_fits as _fits, canonical_reference, parse_token, unescape

# name -> R4 search parameter type
PARAMETERS = {
    "source": "reference", "source-uri": "reference", "target": "reference", "target-uri": "reference",
    "source-system": "uri", "target-system": "uri", "source-code": "token", "target-code": "token",
    "other": "reference", "dependson": "uri", "product": "uri",
}
# where Kodebro reads a parameter more widely than R4 defines it (CapabilityStatement documentation)
NOTES = {
    "source": "Finds the value set in sourceCanonical or sourceUri (R4 defines source on sourceCanonical only).",
    "target": "Finds the value set in targetCanonical or targetUri (R4 defines target on targetCanonical only).",
}
_TABLES_KEY = "mappings.conceptmap_search.tables"


class _Tables:
    """What searching keeps per store revision: indexes of the derived (unstored) edition maps, and the
    dependsOn/product properties of each map once a search has asked for them."""

    def __init__(self, catalog):
        from .edition_maps import derived_edition_maps
        self.derived = _BySystem(list(derived_edition_maps(catalog).values()))
        self.properties: dict[int, tuple[_MapIndex, frozenset, frozenset]] = {}


def _tables(catalog) -> _Tables:
    base = store_view(catalog)
    derived = getattr(base, "derived", None)
    return derived(_TABLES_KEY, _Tables) if derived is not None else _Tables(base)


class ConceptMapQuery:
    """The ConceptMap search parameters of one request, parsed once; `matches(body)` per map."""

    def __init__(self, catalog, args: dict[str, list[str]]):
        self.catalog = catalog
        self.tests: list[tuple[str, list]] = []
        for name, raws in args.items():
            if name not in PARAMETERS:
                continue
            for raw in raws:
                alts = [self._parse(name, v) for v in alternatives(raw, name)]
                if alts:               # an empty value asks nothing (R4: empty parameters are ignored)
                    self.tests.append((name, alts))
        self._tables = _tables(catalog) if self.tests else None
        self._stored = stored_maps(catalog) if self.tests else None

    def __bool__(self) -> bool:
        return bool(self.tests)

    # --- parsing ------------------------------------------------------------------
    def _system(self, value: str | None) -> str | None:
        return self.catalog.canonical_system(value) if value else value

    def _parse(self, name: str, value: str):
        """One alternative, still escaped (R4 search.html#escaping, read as CodeSystem and ValueSet search do)."""
        kind = PARAMETERS[name]
        if kind == "token":
            system, code = parse_token(value)
            # None: any system; "": a group that names no system (R4 `|code`)
            return (self._system(system) if system else system), code
        value = unescape(value)
        if kind == "uri" and name.endswith("-system"):
            url, version = split_canonical(value)
            return self._system(url), version
        if kind == "uri":
            return value
        return self._reference(value, "ConceptMap" if name == "other" else "ValueSet")

    def _reference(self, value: str, rtype: str) -> tuple[str, str | None, bool]:
        return canonical_reference(self.catalog, value, rtype)

    # --- matching -----------------------------------------------------------------
    def matches(self, body: dict) -> bool:
        idx = self._index(body)
        return all(any(self._test(name, want, body, idx) for want in alts) for name, alts in self.tests)

    def _index(self, body: dict) -> _MapIndex:
        idx = self._tables.derived.indexes.get(id(body))
        if idx is not None and idx.body is body:
            return idx
        return self._stored.index(body)

    def _test(self, name: str, want, body: dict, idx: _MapIndex) -> bool:
        side = "target" if name.startswith("target") else "source"
        if name in ("source", "target"):
            return any(_fits(ref, want) for ref in _refs(body, side, ("Canonical", "Uri")))
        if name in ("source-uri", "target-uri"):
            return any(_fits(ref, want) for ref in _refs(body, side, ("Uri",)))
        if name.endswith("-system"):
            system, version = want
            return any(self._system(getattr(g, side)) == system
                       and (not version or getattr(g, f"{side}_version") == version) for g in idx.groups)
        if name.endswith("-code"):
            return self._has_code(idx, side, *want)
        if name == "other":
            return any(_fits(ref, want) for g in idx.groups if isinstance(g.raw.get("unmapped"), dict)
                       for ref in (g.raw["unmapped"].get("url"), g.raw["unmapped"].get("otherMap"))
                       if isinstance(ref, str))
        depends, products = self._properties(idx)
        return want in (depends if name == "dependson" else products)

    def _has_code(self, idx: _MapIndex, side: str, system: str | None, code: str) -> bool:
        for g in idx.groups:
            gsys = getattr(g, side)
            if system is not None and (self._system(gsys) if gsys else "") != system:
                continue
            table = g.forward if side == "source" else g.reverse
            if (_norm(gsys, code) in table) if code else bool(table):
                return True
        return False

    def _properties(self, idx: _MapIndex) -> tuple[frozenset, frozenset]:
        got = self._tables.properties.get(id(idx))
        if got is None or got[0] is not idx:   # the entry holds its index: an id is never read for another
            depends, products = set(), set()
            for g in idx.groups:
                elements = g.raw.get("element")
                for el in elements if isinstance(elements, list) else ():
                    targets = el.get("target") if isinstance(el, dict) else None
                    for t in targets if isinstance(targets, list) else ():
                        if not isinstance(t, dict):
                            continue
                        for key, out in (("dependsOn", depends), ("product", products)):
                            items = t.get(key)
                            for d in items if isinstance(items, list) else ():
                                prop = (d.get("property") or d.get("attribute")) if isinstance(d, dict) else None
                                if isinstance(prop, str):
                                    out.add(idx.attribute_uri(prop))
            got = self._tables.properties[id(idx)] = (idx, frozenset(depends), frozenset(products))
        return got[1], got[2]


def _refs(body: dict, side: str, kinds: tuple[str, ...]) -> list[str]:
    # the R5 names (sourceScopeUri ...) are read too, for maps that reach the engine in that shape
    keys = [f"{side}{k}" for k in kinds] + [f"{side}Scope{k}" for k in kinds]
    return [body[k] for k in keys if isinstance(body.get(k), str) and body[k]]
