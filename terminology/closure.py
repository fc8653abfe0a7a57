"""$closure (R4 terminology-service.html#closure): a client's transitive closure table, kept in step by the server.

A client names a table, then sends each code it meets; the answer holds only what is new: every pair, within one
code system, between the new codes and the codes already in the table (and among the new ones) where one
subsumes the other. Pairs are given as R4 ConceptMap reads them, from target to source: source the narrower
code, target the broader, equivalence `subsumes` (the target subsumes the source); two codes that name one
concept (J12.8 and J128) are `equal`. Subsumption is $subsumes's rule (operations/subsumes.relation).

A table is keyed by system and code as the client sent the code; each code system's pairs are worked out in one
edition, the edition of the table's first code of it: the coding's version, else the one a request naming none
reads (for a yearly codebook the edition in force today). When that edition is no longer loaded the table must be
initialised again (422, as the specification asks).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import InvalidRequest, NotFound, StoreUnavailable, TerminologyError, TooCostly, shortened
from .operations.lookup import resolve_codesystem
from .operations.subsumes import EQUIVALENT, SUBSUMED_BY, SUBSUMES, find_code, relation
from .store.closures import ClosureEntry

# bounds on what one call may make the server do (and answer)
MAX_CONCEPTS_PER_CALL = 1000
MAX_CONCEPTS_PER_TABLE = 50_000
MAX_ENTRIES_PER_CALL = 200_000
MAX_NAME = 64
# how often a call works its additions out again when other calls changed the table meanwhile
_ATTEMPTS = 20

_BAD_NAME = re.compile(r"[\s\x00-\x1f\x7f]")
_VERSION = re.compile(r"[0-9]{1,15}")


class MustReinitialise(TerminologyError):
    """The table was worked out on terminology the server no longer has (or was started again since the version
    a client replays from): the client's only way on is to initialise it again and send its codes again."""
    issue_code = "business-rule"
    status = 422


@dataclass
class ClosureAnswer:
    name: str
    version: int
    entries: list[ClosureEntry]
    kind: str           # created | updates | replay
    editions: dict = field(default_factory=dict)    # system -> the edition its entries were worked out in


def check_name(name) -> str:
    if not isinstance(name, str) or not name:
        raise InvalidRequest("$closure needs the closure table's name (parameter 'name', a string)", location="name")
    if len(name) > MAX_NAME or _BAD_NAME.search(name):
        raise InvalidRequest(f"invalid closure name '{shortened(name)}': a name has at most {MAX_NAME} characters, "
                             "none of them spaces or control characters (a UUID is a good name)", location="name")
    return name


def closure(catalog, store, name, concepts: list, version) -> ClosureAnswer:
    """The one entry point: initialise (name alone), add (concepts) or replay (version)."""
    name = check_name(name)
    if concepts and version is not None:
        raise InvalidRequest("$closure takes concepts to add or a version to replay from, not both: send them "
                             "in two calls", location="version")
    if version is not None:
        return replay(store, name, version)
    if not concepts:
        return ClosureAnswer(name, store.closure_initialise(name), [], "created")
    return add(catalog, store, name, concepts)


def _unknown_table(name: str) -> NotFound:
    return NotFound(f"invalid closure name '{shortened(name)}': this server has no closure table of that name. "
                    "Initialise it first ($closure with the name alone), then send its concepts again",
                    location="name")


def replay(store, name: str, since) -> ClosureAnswer:
    """Every entry added after version `since` (0: the whole table), answered at the table's current version."""
    text = str(since).strip() if isinstance(since, (str, int)) and not isinstance(since, bool) else None
    if text is None or not _VERSION.fullmatch(text):
        raise InvalidRequest(f"version must be a version this server answered for the table (a whole number such "
                             f"as 3), or 0 to replay the whole table; not '{shortened(str(since))}'",
                             location="version")
    after = int(text)
    state = store.closure_state(name, concepts=False)
    if state is None:
        raise _unknown_table(name)
    if after > state.version:
        raise InvalidRequest(f"version {after} is later than closure table '{name}' has reached ({state.version}): "
                             "give the last version this server answered, or 0 to replay the whole table",
                             location="version")
    if 0 < after < state.base:
        raise MustReinitialise(f"closure \"{name}\" must be reinitialized: it was initialised again at version "
                               f"{state.base}, after version {after}. Empty your copy and replay from version 0, "
                               "or initialise the table again", location="version")
    return ClosureAnswer(name, state.version, store.closure_entries(name, after, state.version), "replay",
                         state.editions)


@dataclass
class _New:
    system: str
    code: str           # as the client sent it: the table's key
    concept: str        # as the code system holds it
    display: str | None
    cs: object


def add(catalog, store, name: str, codings: list) -> ClosureAnswer:
    if len(codings) > MAX_CONCEPTS_PER_CALL:
        raise TooCostly(f"$closure takes at most {MAX_CONCEPTS_PER_CALL} concepts per call; this one has "
                        f"{len(codings)}. Send them over several calls: each answers the entries its concepts add",
                        location="concept")
    codings = [_coding(c, i) for i, c in enumerate(codings)]
    for _ in range(_ATTEMPTS):
        state = store.closure_state(name)
        if state is None:
            raise _unknown_table(name)
        editions = dict(state.editions)
        new = _new_concepts(catalog, state, editions, codings)
        if not new:
            return ClosureAnswer(name, state.version, [], "updates")
        if len(state.concepts) + len(new) > MAX_CONCEPTS_PER_TABLE:
            raise TooCostly(f"closure table '{name}' would hold {len(state.concepts) + len(new)} concepts; this "
                            f"server keeps at most {MAX_CONCEPTS_PER_TABLE} per table. Split the codes over tables "
                            "(one per code system or use), or initialise this one again", location="concept")
        entries = _entries(state, new)
        version = store.closure_add(name, state.version, editions,
                                    [(n.system, n.code, n.display) for n in new],
                                    [(e.system, e.source, e.target, e.equivalence) for e in entries])
        if version is not None:
            return ClosureAnswer(name, version, entries, "updates", editions)
        # another call changed the table after it was read: worked out again on what it holds now
    raise StoreUnavailable(f"closure table '{name}' kept being changed by other calls while this one was worked "
                           "out; send it again")


def _coding(c, i: int) -> dict:
    where = f"concept[{i}]"
    if not isinstance(c, dict):
        raise InvalidRequest(f"{where} must be a Coding (system and code)", location=where)
    for key in ("system", "code", "version"):
        if key in c and not isinstance(c[key], str):
            raise InvalidRequest(f"{where}.{key} must be a string", location=where)
    if not c.get("system"):
        raise InvalidRequest(f"{where} has no system: a closure table relates codes within one code system, so "
                             "each concept needs its system", location=where)
    if not c.get("code"):
        raise InvalidRequest(f"{where} has no code", location=where)
    return c


def _new_concepts(catalog, state, editions: dict, codings: list[dict]) -> list[_New]:
    """The codings not in the table yet, each found in its code system's edition for the table (which `editions`
    records for a system the table meets for the first time). Raises before anything is written."""
    seen = set(state.concepts)
    new = []
    for i, c in enumerate(codings):
        where = f"concept[{i}]"
        system = catalog.canonical_system(c["system"])
        cs = _edition(catalog, state.name, editions, system, c.get("version"), where)
        if (system, c["code"]) in seen:
            continue
        concept = find_code(cs, c["code"], where)
        seen.add((system, c["code"]))
        new.append(_New(system, c["code"], concept, cs.find(concept)[0].display, cs))
    return new


def _edition(catalog, name: str, editions: dict, system: str, version: str | None, where: str):
    if system not in editions:
        cs = resolve_codesystem(catalog, system, version or None, purpose="its codes cannot be added to a closure "
                                                                         "table")
        editions[system] = cs.version
        return cs
    pinned = editions[system]
    if version:
        cs = resolve_codesystem(catalog, system, version, purpose="its codes cannot be added to a closure table")
        if cs.version != pinned:
            raise InvalidRequest(f"closure table '{name}' relates the codes of {system} in edition '{pinned}'; "
                                 f"{where} names edition '{cs.version}'. A table compares a code system's codes in "
                                 "one edition: leave the version out, or initialise a table for the other edition",
                                 location=where)
        return cs
    cs = catalog.codesystem(system, pinned)
    if cs is None or cs.version != pinned:
        raise MustReinitialise(f"closure \"{name}\" must be reinitialized: its codes of {system} were related in "
                               f"edition '{pinned}', which this server no longer holds. Initialise the table again "
                               "and send its codes again", location=where)
    return cs


def _entries(state, new: list[_New]) -> list[ClosureEntry]:
    """The pairs each new concept makes with the table's codes of its system and with the new ones before it.

    Which pairs are related is relation()'s answer, asked only of candidates: a code system index subsumes `b` by
    `a` exactly when `a` is `b` or one of cs.ancestors(b) (codesystem.py, snomed/index.py), so the codes a concept
    can relate to are its ancestors, those with it among their ancestors, and itself. A call costs the table's
    size times the hierarchy's depth, not the table's size times the new codes."""
    held: dict[str, list[str]] = {n.system: [] for n in new}
    for system, code in state.concepts:
        if system in held:
            held[system].append(code)
    out: list[ClosureEntry] = []
    for system, codes in held.items():
        mine = [n for n in new if n.system == system]
        cs = mine[0].cs                 # the table's edition of the system (_edition)
        by_concept: dict[str, list[tuple[str, str | None]]] = {}     # concept -> (client code, display)
        below: dict[str, list[str]] = {}                             # concept -> table concepts under it

        def keep(code: str, concept: str, display: str | None) -> None:
            if concept not in by_concept:
                for a in cs.ancestors(concept):
                    below.setdefault(a, []).append(concept)
            by_concept.setdefault(concept, []).append((code, display))

        for code in codes:
            found = cs.find(code)[0]
            if found is None:
                # the edition was replaced (same version) by one without the code: its pairs may be stale too
                raise MustReinitialise(f"closure \"{state.name}\" must be reinitialized: its code {code} is no longer "
                                       f"in {system} edition '{cs.version}'. Initialise the table again and send its "
                                       "codes again", location="concept")
            keep(code, found.code, found.display)
        for n in mine:
            candidates = set(below.get(n.concept, ()))
            candidates.update(a for a in cs.ancestors(n.concept) if a in by_concept)
            if n.concept in by_concept:
                candidates.add(n.concept)
            for concept in sorted(candidates):
                rel = relation(cs, n.concept, concept)
                for code, display in by_concept[concept]:
                    if rel == SUBSUMES:
                        out.append(ClosureEntry(system, code, display, n.code, n.display, "subsumes"))
                    elif rel == SUBSUMED_BY:
                        out.append(ClosureEntry(system, n.code, n.display, code, display, "subsumes"))
                    elif rel == EQUIVALENT:
                        out.append(ClosureEntry(system, n.code, n.display, code, display, "equal"))
            if len(out) > MAX_ENTRIES_PER_CALL:
                raise TooCostly(f"these concepts would add more than {MAX_ENTRIES_PER_CALL} entries to closure "
                                f"table '{state.name}' in one call: send fewer concepts per call", location="concept")
            keep(n.code, n.concept, n.display)
    return out
