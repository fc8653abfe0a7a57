"""Adjacent-edition ConceptMaps that no change list provides, derived from the editions themselves.

Every pair of adjacent loaded editions of a codebook is served as a plain
ConceptMap, so standard clients can use it. A curated change list (stored as
a ConceptMap) is that map when it exists; otherwise the map is derived here
from the two code lists by the rules of `edition_diff` (new, retired,
reactivated, subdivided and text changes; other successions need a curator;
what other change lists state wins), the same rows the succession graph
derives. Derived rows are marked as such in their comments, and a derived text
change is `inexact` (changelist.kind_equivalence): nobody has read whether the
meaning changed. A complete pair without changes is served too, as a map with no
groups, so that a missing map means "not computed" and never "nothing changed".
Only complete editions are compared: a fragment does not prove that a code is
gone. Maps are built once per store generation.
"""
from __future__ import annotations

from terminology.catalog import store_view
from terminology.editions import is_year
from terminology.identifiers import split_canonical
from terminology.versions import version_key

from .changelist import (EXT_CHANGELIST, EXT_KIND, MAP_PREFIX, SUCCESSION_KINDS, Change, edition_code, is_changelist_map,
                         kind_equivalence, not_a_code_of, to_conceptmaps)
from .edition_diff import DERIVED_SPLIT, DERIVED_TEXT, edition_changes

_CACHE_KEY = "mappings.edition_maps.derived"
DERIVED_NOTE = ("Derived by Kodebro from the two editions' code lists (no curated change list is loaded "
                "for this pair): new, retired, reactivated, subdivided and text changes only, none of them "
                "checked by a curator.")
NO_CHANGES_NOTE = ("Derived by Kodebro from the two editions' code lists (no curated change list is loaded "
                   "for this pair): the two complete editions hold the same codes with the same texts, so "
                   "there were no changes.")


def derived_edition_maps(catalog) -> dict[str, dict]:
    """Derived adjacent-edition ConceptMaps by id, in URL and version order."""
    catalog = store_view(catalog)  # stored editions only, cached on the shared catalog
    derived = getattr(catalog, "derived", None)
    if derived is None:
        return _derive(catalog)
    return derived(_CACHE_KEY, _derive)


def _derive(catalog) -> dict[str, dict]:
    curated = set()
    for h in catalog.headers("ConceptMap"):
        body = catalog.body(h.pk)
        if body is not None and is_changelist_map(body):    # None: deleted since the catalog's refresh
            curated.add((h.url, h.version))
    taken_ids = {h.id for h in catalog.headers("ConceptMap")}
    out = []
    for system in sorted({h.url for h in catalog.headers("CodeSystem") if h.url}):
        editions = [v for v in catalog.codesystem_versions(system) if is_year(v)]
        for a, b in zip(editions, editions[1:]):
            ca, cb = catalog.codesystem(system, a), catalog.codesystem(system, b)
            if ca is None or cb is None or ca.content != "complete" or cb.content != "complete":
                continue
            changes = edition_changes(catalog, system, a, b)
            maps = to_conceptmaps(changes) if changes else _no_changes(system, b)
            for cm in maps:
                if (cm["url"], cm["version"]) in curated or cm["id"] in taken_ids:
                    continue
                for g in cm.get("group", ()):
                    g["sourceVersion"] = a   # the previous loaded edition, which need not be year - 1
                    for el in g["element"]:
                        _mark_derived(el)
                cm["description"] = DERIVED_NOTE if changes else NO_CHANGES_NOTE
                cm["title"] = cm["title"].split(":")[0] + f": endringer {a} → {b} (avledet)"
                out.append(cm)
    out.sort(key=lambda cm: (cm["url"], version_key(cm["version"])))
    return {cm["id"]: cm for cm in out}


def _no_changes(system: str, edition: str) -> list[dict]:
    """The map of a pair without changes: the change-list map's identity and shape, with no group (R4 wants at
    least one element in a group)."""
    # a placeholder row gives the map its id, url, name and extension as `to_conceptmaps` words them
    (cm,) = to_conceptmaps([Change(system, edition, "new", "-")])
    del cm["group"]
    return [cm]


def _mark_derived(el: dict) -> None:
    """Equivalence and comment of a derived row's targets: what the row rests on is the code lists alone."""
    kind = next((e.get("valueCode") for e in el.get("extension", ()) if e.get("url") == EXT_KIND), None)
    targets = [t for t in el.get("target", ()) if t.get("code")]
    if kind == "text":
        for t in targets:
            t["equivalence"] = kind_equivalence(kind, derived=True)
            t["comment"] = DERIVED_TEXT
    elif kind in SUCCESSION_KINDS:
        for t in targets:
            t["equivalence"] = kind_equivalence(kind, len(targets), derived=True)
            t["comment"] = f"{t['comment']}; {DERIVED_SPLIT}" if t.get("comment") else DERIVED_SPLIT


def unchanged_by_empty_map(catalog, req):
    """$translate with the derived map of a pair without changes (`url=`, or the map itself): it lists no code, so
    it answers every code as a change-list map answers one it does not list (changelist.not_in_edition: unchanged,
    `equal`); without groups the map itself cannot say so (R4 wants an element in a group). None for any other map
    (a stored one without groups too, by url or by id alike), or a code of another codebook: the ConceptMap
    providers answer."""
    from .translate import Match, TranslateResult
    cm = req.conceptmap
    if cm is not None and not req.conceptmap_stored:
        return None         # a map the client sent: its groups are the whole answer
    if cm is None:
        wanted, version = split_canonical(req.conceptmap_url or "", req.conceptmap_version)
        if not wanted or not wanted.startswith(MAP_PREFIX):
            return None     # not a change map: the derived maps are not worked out for it
        cm = next((m for m in derived_edition_maps(catalog).values()
                   if m["url"] == wanted and "group" not in m and version in (None, m["version"])), None)
        if cm is None:
            return None
    elif cm.get("group") or not is_changelist_map(cm) \
            or (derived_edition_maps(catalog).get(cm.get("id")) or {}).get("url") != cm.get("url"):
        # a stored map (no derived map takes a stored one's id): the providers read it. Decided on the map
        # itself first, so a map with groups does not have every derived map worked out
        return None
    ext = next(e for e in cm["extension"] if e.get("url") == EXT_CHANGELIST)
    parts = {p.get("url"): p for p in ext.get("extension") or () if isinstance(p, dict)}
    system = (parts.get("codebook") or {}).get("valueUri")
    edition = (parts.get("edition") or {}).get("valueString")
    if not system or not edition or catalog.canonical_system(req.system or system) != system:
        return None
    if req.reverse or (req.target_system and catalog.canonical_system(req.target_system) != system):
        return None     # the map's own direction and codebook only; any other question goes to the providers
    absent, concept = edition_code(catalog, system, edition, req.code)
    if absent:
        return TranslateResult(result=False, exclusive=True, message=not_a_code_of(req.code, system, edition))
    res = TranslateResult(result=True, exclusive=True)
    res.matches.append(Match(equivalence="equal", system=system, code=concept.code if concept else req.code,
                             display=concept.display if concept else req.display, version=edition,
                             source=cm["url"], comment=f"unchanged in {edition}: the two editions hold the same codes"))
    return res
