"""The implicit value set of all codes of a code system (`CodeSystem.valueSet`, `{system}?fhir_vs`),
registered with terminology.implicit when compose.py (which resolves implicit value sets) is imported.
"""
from __future__ import annotations

from itertools import chain
from urllib.parse import unquote

from ..errors import InvalidRequest
from ..identifiers import split_canonical
from ..implicit import code_filter, resolver


@resolver
def _codesystem_valueset(catalog, url: str) -> dict | None:
    """`CodeSystem.valueSet` and `{system}?fhir_vs`: the value set of all codes of a code system.

    `{system}?fhir_vs=isa/{code}` is the code and its descendants (the FHIR
    convention for SNOMED CT and LOINC, harmless for any hierarchical system).
    """
    if "?fhir_vs" in url:
        system, _, query = url.partition("?fhir_vs")
        if catalog.codesystem(system) is None:
            return None
        include: dict = {"system": system}
        if query.startswith("=isa/"):
            # a code the latest version lacks may be in the version the request uses (system-version, a pin of
            # an including value set): only a missing code is refused here
            code = unquote(query[5:]).strip()     # URL-encoded, as the SNOMED CT isa/ is read
            if not code:
                raise InvalidRequest(f"'{url}' names no code: use {system}?fhir_vs=isa/<code>")
            include["filter"] = [code_filter(catalog, url, system, "concept", "is-a", code)]
        elif query:
            raise InvalidRequest(f"'{url}' is not an implicit value set of {system}: use {system}?fhir_vs (all "
                                 f"its codes) or {system}?fhir_vs=isa/<code> (a code and its descendants)")
        return {"resourceType": "ValueSet", "url": url, "status": "active", "compose": {"include": [include]}}
    base, version = split_canonical(url)
    supplied = [r for (rtype, _u), rs in (getattr(catalog, "extra", None) or {}).items()
                if rtype == "CodeSystem" for r in rs]
    stored = (catalog.body(h.pk) for h in catalog.headers("CodeSystem"))
    for body in chain(supplied, stored):
        if body is None:        # deleted by another request since this one's catalog was refreshed
            continue
        if body.get("valueSet") == base or body.get("valueSet") == url:
            include = {"system": body.get("url")}
            if body.get("version") and version:
                include["version"] = body["version"]
            return {"resourceType": "ValueSet", "url": base, "status": body.get("status", "active"),
                    "name": body.get("name"), "compose": {"include": [include]}}
    return None
