"""Adjacent-edition ConceptMaps that no change list provides, derived from the editions themselves.

Every pair of adjacent loaded editions of a codebook is served as a plain
ConceptMap, so standard clients can use it. A curated change list (stored as
a ConceptMap) is that map when it exists; otherwise the map is derived here
from the two code lists by the rules of `edition_diff` (new, retired,
reactivated and text changes only — successions need a curator; what other
change lists state wins), the same rows the succession graph derives. Only
complete editions are compared: a fragment does not prove that a code is gone.
Maps are built once per store generation.
"""
from __future__ import annotations

import re

from terminology.versions import version_key

from .changelist import is_changelist_map, to_conceptmaps
from .edition_diff import edition_changes

_YEAR = re.compile(r"^[0-9]{4}$")
_CACHE_KEY = "mappings.edition_maps.derived"
DERIVED_NOTE = ("Derived by Kodebro from the two editions' code lists (no curated change list is loaded "
                "for this pair): new, retired, reactivated and text changes only.")


def derived_edition_maps(catalog) -> dict[str, dict]:
    """Derived adjacent-edition ConceptMaps by id, in URL and version order."""
    catalog = getattr(catalog, "base", catalog)  # stored editions only, cached on the shared catalog
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
        editions = [v for v in catalog.codesystem_versions(system) if _YEAR.match(v)]
        for a, b in zip(editions, editions[1:]):
            ca, cb = catalog.codesystem(system, a), catalog.codesystem(system, b)
            if ca is None or cb is None or ca.content != "complete" or cb.content != "complete":
                continue
            for cm in to_conceptmaps(edition_changes(catalog, system, a, b)):
                if (cm["url"], cm["version"]) in curated or cm["id"] in taken_ids:
                    continue
                for g in cm["group"]:
                    g["sourceVersion"] = a   # the previous loaded edition, which need not be year - 1
                cm["description"] = DERIVED_NOTE
                cm["title"] = cm["title"].split(":")[0] + f": endringer {a} → {b} (avledet)"
                out.append(cm)
    out.sort(key=lambda cm: (cm["url"], version_key(cm["version"])))
    return {cm["id"]: cm for cm in out}
