"""The engine's pairs are $subsumes's answers: a whole code system added in random batches gives exactly the pairs
that asking relation() of every two codes gives."""
from __future__ import annotations

import random

from terminology import Catalog
from terminology.closure import closure, replay
from terminology.operations.subsumes import EQUIVALENT, SUBSUMED_BY, SUBSUMES, relation
from tests.closure.conftest import ICD, ICPC


def _every_pair(cs, codes):
    out = set()
    for i, a in enumerate(codes):
        for b in codes[:i]:
            rel = relation(cs, cs.find(a)[0].code, cs.find(b)[0].code)
            if rel == SUBSUMES:
                out.add((b, "subsumes", a))
            elif rel == SUBSUMED_BY:
                out.add((a, "subsumes", b))
            elif rel == EQUIVALENT:
                out.add((frozenset((a, b)), "equal"))
    return out


def test_batches_of_a_whole_code_system_give_every_related_pair(demo_app):
    store = demo_app.extensions["kodebro.store"]
    catalog = Catalog(store)
    rng = random.Random(7)
    for system in (ICD, ICPC):
        cs = catalog.codesystem(system)
        codes = sorted(cs.concepts) + (["J12.8", "A00.0"] if system == ICD else [])    # spellings of one concept
        rng.shuffle(codes)
        name = "all-" + system.rsplit("/", 1)[-1]
        closure(catalog, store, name, [], None)
        at = 0
        while at < len(codes):
            size = rng.randint(1, 40)
            closure(catalog, store, name, [{"system": system, "code": c} for c in codes[at:at + size]], None)
            at += size
        got = {(e.source, e.equivalence, e.target) if e.equivalence != "equal" else
               (frozenset((e.source, e.target)), "equal") for e in replay(store, name, "0").entries}
        expected = _every_pair(cs, codes)
        assert len(expected) > len(codes) // 2
        assert got == expected
