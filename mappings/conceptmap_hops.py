"""Other-map hops of ConceptMap $translate: a group's `unmapped` (mode other-map) sends the codes it does not
map on to another map, which may send them on again.

The walk is carried by the requests themselves: a hop asks the other map with a `HopRequest` that holds the
maps walked so far and the budget of the outermost translation, shared by all its hops. Nothing is kept
between translations or per thread, so an exception half-way down a chain leaves nothing behind, and every
translation (every coding of a codeableConcept) starts with the whole budget.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from terminology.errors import NotFound
from terminology.identifiers import split_canonical

from .translate import Match, TranslateRequest, ask

MAX_DEPTH = 5
# hops taken by one translation in all: maps whose groups each send unmapped codes to several other maps
# branch at every hop, and a few small maps would otherwise make millions of hops
MAX_HOPS = 100


class HopBudget:
    """The hops one translation has taken, counted across every branch of its walk."""
    __slots__ = ("taken",)

    def __init__(self):
        self.taken = 0


@dataclass
class HopRequest(TranslateRequest):
    """The question a hop asks of the other map: the code as it was given, and where the walk has been."""
    chain: tuple = ()                        # the map urls walked so far, the first map's first
    budget: HopBudget = field(default_factory=HopBudget, repr=False, compare=False)


def hop_budget(req: TranslateRequest) -> HopBudget:
    """The budget a translation's hops draw on: the outermost translation's when `req` is itself a hop, else
    a fresh one (the ConceptMap provider asks once per translation, and hands it to every group it reads)."""
    return req.budget if isinstance(req, HopRequest) else HopBudget()


def other_map(catalog, name: str, canonical: str | None, other: str, req: TranslateRequest,
              budget: HopBudget, notes: list) -> list[Match]:
    """The matches the map `other` gives for the code the map `name` (`canonical`) leaves unmapped; why the
    walk stops, when it does, goes in `notes`."""
    chain = req.chain if isinstance(req, HopRequest) else (split_canonical(canonical)[0] or name,)
    target = split_canonical(other)[0]
    walked = " → ".join(chain + (target,))
    if target in chain:
        notes.append(f"The unmapped codes of {name} go to {other}, which was walked already "
                     f"({walked}): the chain stops there")
        return []
    if len(chain) > MAX_DEPTH:
        notes.append(f"The unmapped codes of {name} go to {other}, more than {MAX_DEPTH} "
                     f"other maps away ({walked}): the chain stops there")
        return []
    if budget.taken >= MAX_HOPS:
        note = (f"The unmapped codes were sent on to other maps {MAX_HOPS} times for this code: "
                "the other maps named after that were not asked")
        if note not in notes:
            notes.append(note)
        return []
    budget.taken += 1
    sub = HopRequest(code=req.code, system=req.system, version=req.version, target_system=req.target_system,
                     target_version=req.target_version, conceptmap_url=other, dependencies=req.dependencies,
                     display=req.display, chain=chain + (target,), budget=budget)
    try:
        # `ask`, not `translate`: a hop answers with its own notes, not the "No translation" a client would
        # read as the answer
        got = ask(catalog, sub)
    except NotFound:      # the other map is not loaded: the code stays unmapped, and the note says why
        notes.append(f"The unmapped codes of {name} go to {other}, which is not known to this server")
        return []
    if got.message and got.message not in notes:
        notes.append(got.message)
    return got.matches
