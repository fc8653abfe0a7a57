"""A code's life in one answer: editions it was in, its texts over time, predecessors and successors.

Plain dicts for the FHIR layer (CodeSystem/$code-history) and the CLI
(`kodebro history`); `summary_lines` is the same history for a person.
"""
from __future__ import annotations

import networkx as nx

from terminology.editions import is_complete, partial_label
from terminology.errors import NotFound
from terminology.norway.properties import who_grouping
from terminology.versions import version_key

from .changelist import label as short_name
from .succession_build import graph_for


def _link(node, d) -> dict:
    return {"system": node[0], "code": node[1], "edition": d["edition"], "kind": d["kind"],
            "alternatives": d.get("alternatives", 1), "note": d.get("note"), "derived": d.get("derived", False)}


class _Editions:
    """The loaded editions of one codebook and which active codes each holds.

    The succession graph holds a codebook's editions when it has two or more (or a change list names it;
    succession_build._build): with one edition there is nothing to compare, so that edition is read from the
    catalog here, and a hospital that has loaded one year still sees its codes' life."""

    def __init__(self, catalog, sg, system: str):
        self.catalog, self.sg, self.system = catalog, sg, system
        self.in_graph = system in sg.loaded
        self.loaded = list(sg.loaded[system]) if self.in_graph else catalog.codesystem_versions(system)

    def index(self, edition: str):
        return self.catalog.codesystem(self.system, edition)

    def spelled(self, code: str) -> str | None:
        """The code as the newest edition holding it writes it (ICD-10 with or without the dot)."""
        for e in reversed(self.loaded):
            cs = self.index(e)
            c, _ = cs.find(code) if cs else (None, None)
            if c is not None:
                return c.code
        return None

    def state(self, edition: str, code: str) -> tuple[str | None, str | None]:
        """('active' | 'inactive' | None when the edition does not list the code, its display there)."""
        if self.in_graph:
            snap = self.sg.editions[(self.system, edition)]
            if code in snap.active:
                return "active", snap.active[code]
            return ("inactive" if code in snap.inactive else None), None
        cs = self.index(edition)
        c = cs.concepts.get(code) if cs is not None else None
        if c is None:
            return None, None
        return ("inactive" if c.inactive else "active"), c.display

    def who(self, edition: str, code: str) -> bool:
        """Whether the edition's display of the code is WHO's grouping text (origin=who: an English grouping text the
        ICD-10-NO importers add), not a Norwegian text of the codebook; by one rule whether the graph holds the
        codebook's editions or not."""
        if self.in_graph:
            return code in self.sg.editions[(self.system, edition)].who
        cs = self.index(edition)
        c = cs.concepts.get(code) if cs is not None else None
        return c is not None and who_grouping(c)

    def partial(self) -> dict:
        """Editions loaded only in part (R4 content fragment/example): their silence about a code says nothing."""
        out = {}
        for e in self.loaded:
            if self.in_graph and (self.system, e) in self.sg.complete:
                continue
            cs = self.index(e)
            if not self.in_graph and cs is not None and is_complete(cs.content):
                continue
            out[e] = partial_label(cs, e)
        return out


# the source of a display that is WHO's English grouping text: shown apart, since it is no change of the code's text
WHO_SOURCE = "WHO ICD-10 grouping, English"


def code_history(catalog, system: str, code: str) -> dict:
    system = catalog.canonical_system(system)
    sg = graph_for(catalog)
    eds = _Editions(catalog, sg, system)
    node = (system, code)
    states = {e: eds.state(e, code) for e in eds.loaded}
    if node not in sg.g and not any(st for st, _ in states.values()):
        # accept another spelling the code system knows (ICD-10 with or without the dot)
        node = (system, eds.spelled(code) or code)
        states = {e: eds.state(e, node[1]) for e in eds.loaded}
    if node not in sg.g and not any(st for st, _ in states.values()):
        if not eds.loaded:
            raise NotFound(f"code system {system} is not known to this server")
        partial = eds.partial()
        loaded = ", ".join(f"{e} ({partial[e]})" if e in partial else e for e in eds.loaded)
        raise NotFound(f"{code} is not a code of {short_name(system)} in any loaded edition or change list "
                       f"(loaded: {loaded})")
    code = node[1]
    editions = [e for e, (st, _) in states.items() if st == "active"]
    inactive = [e for e, (st, _) in states.items() if st == "inactive"]
    texts = []
    for e, (st, disp) in states.items():
        if disp is not None and (not texts or texts[-1]["text"] != disp or texts[-1]["part"] != "display"):
            texts.append({"edition": e, "text": disp, "part": "display",
                          "source": WHO_SOURCE if eds.who(e, code) else "edition"})
    events = []
    for ed, kind, old, new, part, note, derived in sg.local_events(node):
        events.append({"edition": ed, "kind": kind, "old_text": old, "new_text": new, "text_part": part,
                       "note": note, "derived": derived})
        if kind == "text" and new is not None and not derived:
            texts.append({"edition": ed, "text": new, "part": part, "source": "change list"})
    texts.sort(key=lambda t: (version_key(t["edition"]), t["part"]))
    seen, unique = set(), []
    for t in texts:
        if (t["edition"], t["part"], t["text"]) not in seen:
            seen.add((t["edition"], t["part"], t["text"]))
            unique.append(t)
    texts = unique
    preds = [_link(u, d) for u, d in sg.predecessors(node) if u != node]
    succs = [_link(v, d) for v, d in sg.successors(node) if v != node]
    for u, d in sg.predecessors(node):
        if u != node:
            events.append({"edition": d["edition"], "kind": d["kind"], "from": {"system": u[0], "code": u[1]},
                           "note": d.get("note"), "derived": d.get("derived", False)})
    for v, d in sg.successors(node):
        if v != node:
            events.append({"edition": d["edition"], "kind": d["kind"], "to": {"system": v[0], "code": v[1]},
                           "alternatives": d.get("alternatives", 1), "note": d.get("note"),
                           "derived": d.get("derived", False)})
    events.sort(key=lambda ev: version_key(ev["edition"]))
    lineage = _lineage(sg, node)
    return {"system": system, "code": code, "editions": editions, "inactive_editions": inactive,
            "loaded_editions": eds.loaded, "partial_editions": eds.partial(),
            "texts": texts, "events": events,
            "predecessors": preds, "successors": succs, **lineage}


def _lineage(sg, node) -> dict:
    """Every code this one came from or went to, over any number of steps."""
    if node not in sg.g:
        return {"earlier_codes": [], "later_codes": []}
    succ_only = nx.subgraph_view(sg.g, filter_edge=lambda u, v, k: u != v)
    earlier = sorted(nx.ancestors(succ_only, node))
    later = sorted(nx.descendants(succ_only, node))
    return {"earlier_codes": [{"system": s, "code": c} for s, c in earlier],
            "later_codes": [{"system": s, "code": c} for s, c in later]}


def summary_lines(h: dict) -> list[str]:
    book = short_name(h["system"])
    lines = [f"{h['code']} ({book}, {h['system']})"]
    partial = h.get("partial_editions") or {}
    inactive = h.get("inactive_editions") or []
    if len(h["loaded_editions"]) == 1 and h["loaded_editions"] == (h["editions"] or inactive):
        # one edition compares with nothing: say so, or "no history" reads as "no such code"
        e = h["loaded_editions"][0]
        part = f" ({partial[e]})" if e in partial else ""
        listed = ", where it is inactive" if inactive else ""
        line = f"  in {book} {e}{part}, the only edition of {book} loaded{listed}"
        if not (h["predecessors"] or h["successors"] or h["earlier_codes"] or h["later_codes"]):
            line += "; no predecessors or successors known"
        lines.append(line)
    elif h["loaded_editions"]:
        loaded = ", ".join(f"{e} ({partial[e]})" if e in partial else e for e in h["loaded_editions"])
        lines.append(f"  in loaded editions: {', '.join(h['editions']) or 'none'} (loaded: {loaded})")
        if inactive:
            lines.append(f"  listed as inactive in: {', '.join(inactive)}")
    for t in h["texts"]:
        label = "grouping" if t["source"] == WHO_SOURCE else "text" if t["part"] == "display" else "subtext"
        one = t["text"].replace("\n", " / ")
        lines.append(f"  {t['edition']}: {label} \"{one}\" ({t['source']})")
    for ev in h["events"]:
        what = ev["kind"]
        if what == "text":
            continue        # shown with the texts above
        if "to" in ev:
            alt = f", one of {ev['alternatives']} alternatives" if ev.get("alternatives", 1) > 1 else ""
            what += f" -> {short_name(ev['to']['system'])} {ev['to']['code']}{alt}"
        if "from" in ev:
            what += f" <- {short_name(ev['from']['system'])} {ev['from']['code']}"
        src = f" (derived from editions{_why(ev.get('note'))})" if ev.get("derived") else ""
        lines.append(f"  {ev['edition']}: {what}{src}")
    if h["earlier_codes"]:
        lines.append("  came from: " + ", ".join(f"{short_name(c['system'])} {c['code']}" for c in h["earlier_codes"]))
    if h["later_codes"]:
        lines.append("  went to: " + ", ".join(f"{short_name(c['system'])} {c['code']}" for c in h["later_codes"]))
    return lines


def _why(note: str | None) -> str:
    """What dated a derived row besides the two editions compared (`succession_dating.dated`): '; valid to ...'."""
    if not note or "; " not in note:
        return ""
    return "; " + note.split("; ", 1)[1]
