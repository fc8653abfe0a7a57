"""The succession graph: how codes live on, merge, split, move and die across editions.

One directed multigraph (networkx) over `(system, code)` nodes. An edge u -> v
says "u became v" and carries the edition in which that took effect and its
kind: replaced (1:1), merged (n:1), split (1:n alternatives), moved (to another
codebook). Changes that keep the code — text changed, retired without
successor, reactivated, new — are self-loops on the node, so one structure holds
a code's whole history. Edges are keyed by edition; a node can have several.

Sources: the changes a catalog's ConceptMaps state (read by
`succession_build`, which also builds and caches the graph of a catalog) and
the loaded editions themselves (a code that disappears, appears or changes text
between two complete loaded editions is a derived change unless a change list
already says what happened; the rules are `edition_diff.diff`, shared with
diff-editions and the derived ConceptMaps; `succession_dating.dated` gives such
a change the year the editions between and the code's validTo/validFrom show).
A partial edition (fragment, example) never makes a change by leaving a code out.

Walks: `walk(node, from_edition, to_edition)` follows the changes that took
effect in (from, to], forward or backward, across codebooks, and returns every
end point with the steps that led there. Per-node timelines are built lazily
so building the graph stays cheap and hot walks touch plain tuples only.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import networkx as nx

from terminology.versions import version_key

from .changelist import SUCCESSION_KINDS, Change, kind_equivalence
from .edition_diff import GONE, NEW, SUBTEXT, TEXT, EditionCodes, diff, listed_retirements
from .succession_dating import DATED_KINDS, dated

LOCAL_KINDS = ("new", "retired", "text", "reactivated")
# paths a walk keeps open before it stops branching: splits of splits multiply, and a walk answers one request
WALK_LIMIT = 10_000

# how much a kind says about what became of the code; the strongest names the outcome
_OUTCOME_RANK = {"identity": 0, "text": 1, "reactivated": 2, "replaced": 3, "moved": 4, "merged": 5,
                 "alternative": 6}


def chain_equivalence(a: str, b: str) -> str:
    """Equivalence of two steps in a row (a then b)."""
    if a == "equal":
        return b
    if b == "equal":
        return a
    if a == "equivalent":
        return b
    if b == "equivalent":
        return a
    if a == b and a in ("wider", "narrower"):
        return a
    if "unmatched" in (a, b):
        return "unmatched"
    return "inexact"


@dataclass(slots=True, frozen=True)
class Step:
    edition: str
    kind: str                      # replaced|merged|split|moved|text|retired|reactivated
    source: tuple                  # (system, code) before
    target: tuple | None           # (system, code) after; None when retired
    alternatives: int = 1
    note: str | None = None
    derived: bool = False          # found by comparing editions, not stated in a change list


@dataclass
class Path:
    node: tuple | None             # end point; None when the code was retired without successor
    steps: tuple = ()
    equivalence: str = "equal"
    ambiguous: bool = False
    retired_in: str | None = None  # edition of a retirement without successor that ended the walk
    not_in_force: str | None = None  # backward walks: edition in which the code did not exist

    @property
    def outcome(self) -> str:
        if self.node is None:
            return "retired"
        best = "identity"
        for s in self.steps:
            k = "alternative" if (s.kind == "split" or s.alternatives > 1) else s.kind
            if k in _OUTCOME_RANK and _OUTCOME_RANK[k] > _OUTCOME_RANK[best]:
                best = k
        return best


@dataclass(slots=True)
class _Event:
    ekey: tuple
    edition: str
    succ: list = field(default_factory=list)     # [(target node, kind, alternatives, note, derived)]
    local: list = field(default_factory=list)    # [(kind, old_text, new_text, text_part, note, derived)]


@contextmanager
def quiet_gc(long_lived: bool):
    """Building a graph makes many small objects that all live on: cyclic GC passes over them only cost time. A
    graph that lives as long as the process (`long_lived`) is frozen after, so later full collections do not walk
    it again and again (long pauses under load otherwise); one built for a request must not be."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if long_lived:
            gc.freeze()
    finally:
        if was_enabled:
            gc.enable()


class SuccessionGraph:
    def __init__(self):
        self.g = nx.MultiDiGraph()
        self.systems_editions: dict[str, set] = {}
        # system -> sorted loaded editions; (system, edition) -> {code: display} for editions in the catalog
        self.loaded: dict[str, list] = {}
        self.present: dict[tuple, dict] = {}
        self.complete: set = set()
        self._fw: dict[tuple, list] = {}
        self._bw: dict[tuple, list] = {}
        self.editions: dict[tuple, EditionCodes] = {}
        self._sorted_editions: dict[str, list] = {}
        self._lock = threading.Lock()
        self._links: dict | None = None
        self._stated_idx: dict | None = None
        self._gone: dict = {}
        # system -> function(edition) -> family: editions are compared (derived changes) only within their family
        # (SNOMED CT: the module; another country's extension is no predecessor)
        self.families: dict = {}
        # system -> an object whose pick(catalog, version, target_version) gives the graph a walk between two of
        # its editions uses (SNOMED CT: one lineage, mappings/snomed_history.SnomedLineages)
        self.lineages: dict = {}
        # kept for the process (succession_build.graph_for's cache): graphs built later on its behalf (SNOMED CT
        # lineages) get the same GC handling
        self.long_lived = False

    # --- building -------------------------------------------------------------------
    def _note_edition(self, system: str, edition: str) -> None:
        eds = self.systems_editions.setdefault(system, set())
        if edition not in eds:
            eds.add(edition)
            self._sorted_editions.pop(system, None)

    def add_change(self, c: Change, derived: bool = False) -> None:
        u = (c.codebook, c.code)
        self._note_edition(c.codebook, c.edition)
        if c.kind in SUCCESSION_KINDS:
            tb = c.target_codebook
            self._note_edition(tb, c.edition)
            n = len(c.successor)
            more = {"refsets": c.refsets} if c.refsets else {}
            for s in c.successor:
                self.g.add_edge(u, (tb, s), key=c.edition, kind=c.kind, edition=c.edition,
                                alternatives=n, note=c.note, derived=derived, **more)
        else:
            # several local changes may share an edition (display and subtext): key them apart
            key = f"{c.edition}:{c.kind}:{c.text_part}"
            self.g.add_edge(u, u, key=key, kind=c.kind, edition=c.edition, old_text=c.old_text,
                            new_text=c.new_text, text_part=c.text_part, note=c.note, derived=derived,
                            successors_unnamed=c.successors_unnamed)
        self._fw.clear()
        self._bw.clear()
        self._links = None
        if not derived:
            self._stated_idx = None

    def codebook_links(self) -> dict:
        """system -> systems its codes moved or were replaced into."""
        if self._links is None:
            links: dict[str, set] = {}
            for u, v in self.g.edges():
                if u[0] != v[0]:
                    links.setdefault(u[0], set()).add(v[0])
            self._links = links
        return self._links

    def add_changes(self, changes, derived: bool = False) -> None:
        for c in changes:
            self.add_change(c, derived)

    def add_edition(self, system: str, edition: str, codes: dict, complete: bool = True,
                    inactive=(), subtext: dict | None = None) -> None:
        """Register a loaded edition: `codes` maps active code -> display.

        Only complete editions say anything by leaving a code out; a fragment
        gives displays but no evidence that a code is absent.
        """
        self.add_snapshot(EditionCodes(system, edition, codes, subtext or {}, frozenset(inactive), complete))

    def add_snapshot(self, snap: EditionCodes) -> None:
        system, edition = snap.system, snap.edition
        self.editions[(system, edition)] = snap
        self.present[(system, edition)] = snap.active
        if snap.complete:
            self.complete.add((system, edition))
        eds = self.loaded.setdefault(system, [])
        if edition not in eds:
            eds.append(edition)
            eds.sort(key=version_key)
        self._note_edition(system, edition)

    def derive_from_editions(self) -> int:
        """Changes between adjacent complete loaded editions that no change list states; returns how many.

        The rules are `edition_diff.diff`, shared with `kodebro diff-editions` and the derived
        adjacent-edition ConceptMaps. A partial edition (fragment, example) between two complete ones
        makes no row by leaving a code out; what it and the codes' validity periods do say dates a row
        earlier than the newer complete edition (`dated`). Editions of a system with `families` are compared
        only within their family: two SNOMED CT modules' releases are no succession of each other.
        """
        rows = []
        for system, every_ed in self.loaded.items():
            family = self.families.get(system)
            for all_eds in _by_family(every_ed, family):
                rows += self._derive(system, all_eds)
        rows += self._listed_retirements(rows)
        # all compared against the stated changes only: derived rows never suppress one another
        self.add_changes(rows, derived=True)
        return len(rows)

    def _derive(self, system: str, all_eds: list) -> list:
        """Derived rows between adjacent complete editions of one family (oldest first)."""
        rows = []
        eds = [e for e in all_eds if (system, e) in self.complete]
        for prev, cur in zip(eds, eds[1:]):
            lo, hi = version_key(prev), version_key(cur)
            earlier = [self.editions[(system, e)] for e in all_eds if version_key(e) < lo]
            between = [self.editions[(system, e)] for e in all_eds if lo < version_key(e) < hi]
            found = diff(self.editions[(system, prev)], self.editions[(system, cur)],
                         stated=self.stated(system, lo, hi),
                         known_before=lambda code, s=system, h=hi, ea=earlier:
                         self.gone_before((s, code), h) or any(x.lists(code) for x in ea))
            rows += [dated(r, self.editions[(system, prev)], self.editions[(system, cur)], between)
                     for r in found]
        return rows

    def _listed_retirements(self, derived: list) -> list:
        """Retirements an edition lists by a code's validTo (`edition_diff.listed_retirements`) that neither a
        change list nor a comparison of two complete editions (`derived`) gives: the edition before may be a
        fragment (review s16 M1)."""
        self._stated_index()
        gone = {(r.codebook, r.code) for r in derived if r.kind == "retired"} | set(self._gone)
        out = []
        for snap in sorted(self.editions.values(), key=lambda e: version_key(e.edition)):
            for r in listed_retirements(snap):
                if (r.codebook, r.code) not in gone:
                    gone.add((r.codebook, r.code))
                    out.append(r)
        return out

    def partial_gap(self, node: tuple, edition: str) -> list:
        """Editions loaded only in part between the complete edition before `edition` (itself complete) and
        `edition`, that leave the code out: a derived change dated `edition` may have taken effect in any."""
        system, code = node
        if (system, edition) not in self.complete:
            return []
        k, eds = version_key(edition), self.loaded.get(system, ())
        prev = max((version_key(e) for e in eds if version_key(e) < k and (system, e) in self.complete), default=None)
        if prev is None:
            return []
        return [e for e in eds if prev < version_key(e) < k and (system, e) not in self.complete
                and not self.editions[(system, e)].lists(code)]

    def unsure_in(self, node: tuple, edition: str) -> str | None:
        """Whether the code's state in `edition` is unknown: `edition` is loaded only in part (fragment,
        example) and does not list the code, and the next complete edition retires it (or has it as new) by a
        derived row that nothing dates earlier: it went (came) in `edition` or in the complete one. Returns
        that complete edition; None when the graph can tell (nothing happened to the code by the next complete
        edition, no complete edition follows, a change list dates the change, or the part lists it)."""
        system, code = node
        snap = self.editions.get((system, edition))
        if snap is None or snap.complete or snap.lists(code):
            return None
        k = version_key(edition)
        nxt = next((e for e in self.loaded.get(system, ()) if version_key(e) > k and (system, e) in self.complete),
                   None)
        if nxt is None:
            # nothing complete after it: no edition says the code went, so what the change lists say stands
            # (the demo's NCMP 2021 is a fragment; its codes' successions still answer into it)
            return None
        for ev in self._timeline(node, False):
            if ev.edition == nxt:
                return nxt if any(kind in DATED_KINDS and derived for kind, *_r, derived in ev.local) else None
        return None

    def _stated_index(self) -> dict:
        """system -> [(edition key, code, what)] for every stated (not derived) change."""
        if self._stated_idx is None:
            out: dict[str, list] = {}
            # a split that keeps the old code as one alternative (WMAA10 -> WMAA10 | WMAA11) does not end it
            kept = {(u, d["edition"]) for u, v, d in self.g.edges(data=True)
                    if u == v and d["kind"] in SUCCESSION_KINDS and not d.get("derived")}
            for u, v, d in self.g.edges(data=True):
                if d.get("derived"):
                    continue
                kind, ek = d["kind"], version_key(d["edition"])
                mine = out.setdefault(u[0], [])
                if kind == "retired" or (kind in SUCCESSION_KINDS and v != u and (u, d["edition"]) not in kept):
                    mine.append((ek, u[1], GONE))
                if kind in ("new", "reactivated"):
                    mine.append((ek, u[1], NEW))
                if kind == "text":
                    mine.append((ek, u[1], SUBTEXT if d.get("text_part") == "subtext" else TEXT))
                if v != u:
                    out.setdefault(v[0], []).append((ek, v[1], NEW))
            self._stated_idx = out
            self._gone = {}
            for system, facts in out.items():
                for ek, code, what in facts:
                    if what == GONE:
                        node = (system, code)
                        if node not in self._gone or ek < self._gone[node]:
                            self._gone[node] = ek
        return self._stated_idx

    def stated(self, system: str, after_key: tuple, upto_key: tuple) -> set:
        """(code, what) the change lists state for `system` in editions after one key, up to another."""
        return {(code, what) for ek, code, what in self._stated_index().get(system, ())
                if after_key < ek <= upto_key}

    def gone_before(self, node: tuple, ekey: tuple) -> bool:
        """Whether a change list took the code out of use in an edition before `ekey`."""
        self._stated_index()
        first = self._gone.get(node)
        return first is not None and first < ekey

    # --- timelines --------------------------------------------------------------------
    def _timeline(self, node: tuple, backward: bool) -> list:
        cache = self._bw if backward else self._fw
        tl = cache.get(node)
        if tl is not None:
            return tl
        events: dict[str, _Event] = {}
        if node in self.g:
            edges = self.g.in_edges(node, data=True) if backward else self.g.out_edges(node, data=True)
            for u, v, d in edges:
                ed = d["edition"]
                ev = events.get(ed)
                if ev is None:
                    ev = events[ed] = _Event(version_key(ed), ed)
                if d["kind"] in SUCCESSION_KINDS:
                    other = u if backward else v
                    ev.succ.append((other, d["kind"], d["alternatives"], d.get("note"), d.get("derived", False)))
                elif u == v:
                    ev.local.append((d["kind"], d.get("old_text"), d.get("new_text"),
                                     d.get("text_part", "display"), d.get("note"), d.get("derived", False)))
        tl = sorted(events.values(), key=lambda e: e.ekey, reverse=backward)
        with self._lock:
            cache[node] = tl
        return tl

    def local_events(self, node: tuple) -> list:
        """(edition, kind, old_text, new_text, text_part, note, derived), oldest first."""
        out = []
        for ev in self._timeline(node, False):
            for k, old, new, part, note, derived in ev.local:
                out.append((ev.edition, k, old, new, part, note, derived))
        return out

    def successors(self, node: tuple) -> list:
        return [(v, d) for _, v, d in self.g.out_edges(node, data=True) if d["kind"] in SUCCESSION_KINDS]

    def predecessors(self, node: tuple) -> list:
        return [(u, d) for u, _, d in self.g.in_edges(node, data=True) if d["kind"] in SUCCESSION_KINDS]

    def knows(self, node: tuple) -> bool:
        return node in self.g or any(node[1] in self.present[(node[0], e)] for e in self.loaded.get(node[0], ()))

    def editions_of(self, system: str) -> list:
        """Every edition the graph knows of the codebook, oldest first (callers must not modify the list)."""
        got = self._sorted_editions.get(system)
        if got is None:
            got = self._sorted_editions[system] = sorted(self.systems_editions.get(system, ()), key=version_key)
        return got

    def latest_edition(self, system: str) -> str | None:
        eds = self.loaded.get(system) or self.editions_of(system)
        return eds[-1] if eds else None

    def earliest_edition(self, system: str) -> str | None:
        eds = self.loaded.get(system) or self.editions_of(system)
        return eds[0] if eds else None

    def existed_before(self, node: tuple, ekey: tuple) -> bool:
        """Did the code exist just before the edition with key `ekey`?"""
        system, code = node
        loaded = [e for e in self.loaded.get(system, ()) if version_key(e) < ekey and (system, e) in self.complete]
        if loaded:
            return code in self.present[(system, loaded[-1])]
        for ev in self._timeline(node, False):
            if ev.ekey < ekey:
                return True
            if ev.ekey == ekey:
                if any(k == "new" for k, *_ in ev.local):
                    return False
                # a split that keeps the code as one alternative says it existed
                if any(t == node for t, *_ in ev.succ):
                    return True
        for ev in self._timeline(node, True):
            if ev.ekey == ekey and any(o != node for o, *_ in ev.succ):
                return False     # the target of a merge/replacement with no other history: new then
        return True

    # --- walking ----------------------------------------------------------------------
    def walk(self, node: tuple, from_edition: str, to_edition: str) -> list[Path]:
        """Every end point of `node` from one edition to another (either direction)."""
        fk, tk = version_key(from_edition), version_key(to_edition)
        if tk >= fk:
            return self._forward(node, fk, tk, WALK_LIMIT)
        return self._backward(node, fk, tk, WALK_LIMIT)

    def _forward(self, start, fk, tk, limit) -> list[Path]:
        out: list[Path] = []
        stack = [(start, fk, (), "equal", False)]
        while stack:
            node, after, steps, eq, amb = stack.pop()
            retired = None
            branched = False
            for ev in self._timeline(node, False):
                if ev.ekey <= after:
                    continue
                if ev.ekey > tk:
                    break
                for kind, old, new, part, note, derived in ev.local:
                    if kind == "retired":
                        retired = (ev.edition, note, derived)
                    elif kind in ("text", "reactivated"):
                        if kind == "reactivated" and retired is not None:
                            ed, rnote, rder = retired
                            steps = steps + (Step(ed, "retired", node, None, 1, rnote, rder),)
                            retired = None
                        steps = steps + (Step(ev.edition, kind, node, node, 1, note, derived),)
                        eq = chain_equivalence(eq, kind_equivalence(kind, derived=derived))
                if ev.succ:
                    n = len(ev.succ)
                    for tgt, kind, alts, note, derived in ev.succ:
                        st = Step(ev.edition, kind, node, tgt, alts, note, derived)
                        stack.append((tgt, ev.ekey, steps + (st,),
                                      chain_equivalence(eq, kind_equivalence(kind, alts, derived)),
                                      amb or n > 1 or alts > 1))
                    branched = True
                    break
            if branched:
                if len(stack) > limit:
                    break
                continue
            if retired is not None:
                ed, note, derived = retired
                out.append(Path(None, steps + (Step(ed, "retired", node, None, 1, note, derived),),
                                "unmatched", amb, retired_in=ed))
            else:
                out.append(Path(node, steps, eq, amb))
        return _dedupe(out)

    def _backward(self, start, fk, tk, limit) -> list[Path]:
        out: list[Path] = []
        stack = [(start, fk, (), "equal", False)]
        while stack:
            node, before, steps, eq, amb = stack.pop()
            branched = False
            ended = None
            for ev in self._timeline(node, True):
                if ev.ekey > before:
                    continue
                if ev.ekey <= tk:
                    break
                # walking back through edition E: undo what E did to this code
                new_here = False
                for kind, old, new, part, note, derived in ev.local:
                    if kind == "text":
                        steps = steps + (Step(ev.edition, kind, node, node, 1, note, derived),)
                        eq = chain_equivalence(eq, kind_equivalence("text", derived=derived))
                    elif kind == "new":
                        new_here = True
                    elif kind == "reactivated":
                        ret = self._retired_before(node, ev.ekey)
                        if ret is not None and version_key(ret) <= tk:
                            ended = ("not_in_force", ev.edition, ret)
                        else:
                            steps = steps + (Step(ev.edition, kind, node, node, 1, note, derived),)
                            if ret is not None:
                                steps = steps + (Step(ret, "retired", node, None, 1, None, False),)
                    elif kind == "retired":
                        pass
                if ended:
                    break
                preds = [p for p in ev.succ if p[0] != node]
                keeps = not new_here and (any(p[0] == node for p in ev.succ) or
                                          (not preds) or self.existed_before(node, ev.ekey))
                if preds:
                    n = len(preds) + (1 if keeps else 0)
                    for src, kind, alts, note, derived in preds:
                        st = Step(ev.edition, kind, src, node, alts, note, derived)
                        stack.append((src, ev.ekey, steps + (st,),
                                      chain_equivalence(eq, kind_equivalence(kind, alts, derived)),
                                      amb or n > 1 or kind == "merged"))
                    if keeps:
                        stack.append((node, ev.ekey, steps, eq, True))
                    branched = True
                    break
                if new_here:
                    ended = ("new", ev.edition, None)
                    break
            if branched:
                if len(stack) > limit:
                    break
                continue
            if ended:
                why, ed, ret = ended
                p = Path(None, steps, "unmatched", amb)
                p.not_in_force = ret if why == "not_in_force" else ed
                p.retired_in = ret
                out.append(p)
            else:
                out.append(Path(node, steps, eq, amb))
        return _dedupe(out)

    def gone_at(self, node: tuple, edition: str) -> str | None:
        """The edition in which the code went out of use, if it was out of use in `edition`."""
        k, gone = version_key(edition), None
        for ev in self._timeline(node, False):
            if ev.ekey > k:
                break
            for kind, *_ in ev.local:
                if kind == "retired":
                    gone = ev.edition
                elif kind in ("reactivated", "new"):
                    gone = None
            if ev.succ and not any(t == node for t, *_ in ev.succ):
                gone = ev.edition
        return gone

    def _retired_before(self, node, ekey) -> str | None:
        best = None
        for ev in self._timeline(node, False):
            if ev.ekey >= ekey:
                break
            if any(k == "retired" for k, *_ in ev.local):
                best = ev.edition
        return best


def _by_family(editions: list, family) -> list:
    """The editions (oldest first) split by `family(edition)`, each part oldest first; all one part without one."""
    if family is None:
        return [editions]
    parts: dict = {}
    for e in editions:
        parts.setdefault(family(e), []).append(e)
    return list(parts.values())


def _dedupe(paths: list[Path]) -> list[Path]:
    """One path per end point (a re-converging split gives the same code twice): keep the shortest."""
    seen: dict = {}
    for p in paths:
        key = p.node if p.node is not None else ("retired", p.retired_in, p.not_in_force)
        old = seen.get(key)
        if old is None:
            seen[key] = p
            continue
        keep, other = (p, old) if len(p.steps) < len(old.steps) else (old, p)
        if keep.equivalence != other.equivalence:
            keep.equivalence = "inexact"
        keep.ambiguous = keep.ambiguous or other.ambiguous
        seen[key] = keep
    res = list(seen.values())
    if len([p for p in res if p.node is not None]) > 1:
        for p in res:
            p.ambiguous = True
    res.sort(key=lambda p: (p.node is None, p.node or ()))
    return res
