"""The succession graph's answers for the engine's $validate-code advice (terminology/norway/advice.py).

The engine may not import mappings, so mappings tells it: this module registers a successor source when it is
imported, which mappings/__init__.py does, so every process that loads mappings (the server through fhir_api,
the CLI through mappings.cli) has it. The graph itself (networkx) is loaded only when a refusal asks.
"""
from __future__ import annotations

from terminology.norway.advice import Successor, register_successors


def succession_successors(catalog, system: str, code: str, version: str | None) -> list[Successor] | None:
    """What `code` of `system` became in the change that took it out of use by edition `version`: the facts
    $translate words as "… was no longer in use …: merged into NCRP SAA0AP in 2017" (succession_translate._went)."""
    if not version:
        return None
    from .succession_build import graph_for
    from .succession_translate import canonical_code, successors_at
    # the stored graph: a request's own edition of a codebook would have graph_for build a graph for that request
    # alone, every time, for an information note (its $translate does that; advice need not)
    sg = graph_for(getattr(catalog, "base", None) or catalog)
    if system not in sg.systems_editions:
        return None
    node = (system, canonical_code(catalog, sg, system, code))
    gone = sg.gone_at(node, version)
    if gone is None:
        return None
    return [Successor(v[0], v[1], gone, d["kind"]) for v, d in successors_at(sg, node, gone)] or None


register_successors(succession_successors)
