"""The hierarchy of an expansion: its items nested under their nearest listed parent.

Kept apart from expand.py because it is a pure function of the members and their items (expand.py decides
when to nest: the whole result in one page and excludeNested not set). The code system's parents are data a
supplied resource or an importer controls, so every walk here is bounded by a seen-set and MAX_DEPTH.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:   # expand.py imports this module, so its ExpansionItem is named for the annotations only
    from .expand import ExpansionItem
    from .member import Member

MAX_DEPTH = 40


def kept_ancestor(m: Member, by_key: dict, passed_over) -> ExpansionItem | None:
    """The nearest listed ancestor of `m` reached through parents that were passed over (tx.fhir.org walks a
    code system's hierarchy so: a skipped heading's children hang from the heading's parent)."""
    frontier, seen = [p for p in m.concept.parents], set()
    for _depth in range(MAX_DEPTH):
        nxt = []
        for p in frontier:
            if p in seen:
                continue
            seen.add(p)
            concept = m.cs.get(p)
            if concept is None or not passed_over(concept):
                continue
            for g in concept.parents:
                cand = by_key.get((m.system, m.version, g))
                if cand is not None:
                    return cand
                nxt.append(g)
        if not nxt:
            return None
        frontier = nxt
    return None


def nest(members: list[Member], items: list[ExpansionItem],
         flat_whole_systems: bool = False, passed_over=None) -> list[ExpansionItem]:
    """Items nested under their nearest listed parent.

    A code system may be cyclic or absurdly deep (a supplied resource can be
    anything): an item whose parent chain loops or exceeds MAX_DEPTH stays at
    the top level, so the answer is always a finite tree that renders.
    `passed_over(concept)`: a parent left out of a whole code system for this request only (a heading under
    excludeNotForUI); its children go under the nearest kept ancestor instead.
    """
    by_key = {m.vkey: it for m, it in zip(members, items)}
    parent_of: dict[int, ExpansionItem | None] = {}
    for m, it in zip(members, items):
        parent = None
        if not m.enumerated and m.concept is not None and not (flat_whole_systems and m.whole_system):
            for p in m.concept.parents:
                cand = by_key.get((m.system, m.version, p))
                if cand is not None and cand is not it:
                    parent = cand
                    break
            if parent is None and passed_over is not None and m.whole_system and m.cs is not None:
                parent = kept_ancestor(m, by_key, passed_over)
                parent = None if parent is it else parent
        parent_of[id(it)] = parent
    for it in items:
        seen = {id(it)}
        up = parent_of[id(it)]
        depth = 0
        while up is not None:
            depth += 1
            if id(up) in seen or depth > MAX_DEPTH:
                parent_of[id(it)] = None
                break
            seen.add(id(up))
            up = parent_of[id(up)]
    roots = []
    for it in items:
        parent = parent_of[id(it)]
        (roots if parent is None else parent.children).append(it)
    return roots
