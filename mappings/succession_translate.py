"""Version-aware $translate: what a code of one edition became in another, over the succession graph.

An edition question names the source edition (`system` + `version`) and/or the
target edition (Kodebro's `target-version`); `targetsystem` is the same codebook
or one the codebook's codes moved to. Anything else (a concept map by url,
ICPC-2 to ICD-10 without editions ...) is not ours: we return None and the other
providers answer.

Each match carries Kodebro extensions: the outcome (identity, text, replaced,
merged, alternative, moved, reactivated), whether the answer is ambiguous, and
one step per change walked (edition, kind, from, to). Equivalences follow the R4
definitions, always read from the code sent to the code returned (see
docs/successions.md).
"""
from __future__ import annotations

from terminology.errors import InvalidRequest
from terminology.identifiers import KODEBRO_BASE
from terminology.versions import version_key

from .changelist import map_url, short_name
from .succession import Path, graph_for
from .translate import PROVIDERS, Match, TranslateRequest, TranslateResult, provider

SD = KODEBRO_BASE + "/StructureDefinition/"
EXT_OUTCOME = SD + "succession-outcome"
EXT_AMBIGUOUS = SD + "succession-ambiguous"
EXT_STEP = SD + "succession-step"
EXT_EDITIONS = SD + "succession-editions"


def _coding(node, edition=None) -> dict:
    d = {"system": node[0], "code": node[1]}
    if edition:
        d["version"] = edition
    return d


def _step_ext(s) -> dict:
    parts = [{"url": "edition", "valueString": s.edition}, {"url": "kind", "valueCode": s.kind},
             {"url": "from", "valueCoding": _coding(s.source)}]
    if s.target is not None:
        parts.append({"url": "to", "valueCoding": _coding(s.target)})
    if s.alternatives > 1:
        parts.append({"url": "alternatives", "valueInteger": s.alternatives})
    if s.derived:
        parts.append({"url": "derived", "valueBoolean": True})
    if s.note:
        parts.append({"url": "note", "valueString": s.note})
    return {"url": EXT_STEP, "extension": parts}


_VERBS = {"replaced": "replaced by", "merged": "merged into", "split": "split into", "moved": "moved to"}


def describe(path: Path, start, from_ed: str, to_ed: str) -> str:
    src = f"{start[1]} ({short_name(start[0])} {from_ed})"
    if path.node is None:
        if path.not_in_force and path.not_in_force != path.retired_in:
            return f"{src} did not exist in {short_name(start[0])} {to_ed}: it is new in {path.not_in_force}"
        if path.not_in_force:
            return f"{start[1]} was not in force in {short_name(start[0])} {to_ed}: retired in {path.retired_in}"
        return f"{src} was retired in {path.retired_in} without a successor"
    if not path.steps:
        return f"{src} is unchanged in {to_ed}"
    parts = []
    for s in path.steps:
        if s.kind == "text":
            parts.append(f"text changed in {s.edition}")
        elif s.kind == "retired":
            parts.append(f"retired in {s.edition}")
        elif s.kind == "reactivated":
            parts.append(f"reactivated in {s.edition}")
        else:
            alt = f" (one of {s.alternatives} alternatives)" if s.alternatives > 1 else ""
            verb = _VERBS.get(s.kind, s.kind)
            parts.append(f"{s.source[1]} {verb} {short_name(s.target[0])} {s.target[1]} in {s.edition}{alt}")
    return f"{src}: " + "; ".join(parts)


def _source_map(path: Path) -> str | None:
    for s in path.steps:
        if not s.derived and s.kind not in ("retired",):
            return map_url(s.source[0], s.edition)
    return None


def _display(sg, catalog, node, edition) -> str | None:
    codes = sg.present.get((node[0], edition))
    if codes is not None:
        return codes.get(node[1])
    return None


def _reaches(sg, system: str, target: str) -> bool:
    if system == target:
        return True
    seen, todo = {system}, [system]
    pairs = sg.codebook_links()
    while todo:
        s = todo.pop()
        for t in pairs.get(s, ()):
            if t == target:
                return True
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return False


def succession_translate(catalog, req: TranslateRequest):
    if req.conceptmap_url or req.conceptmap or not req.code or not req.system:
        return None
    if not (req.version or req.target_version):
        return None
    system = catalog.canonical_system(req.system)
    target_system = catalog.canonical_system(req.target_system) if req.target_system else None
    sg = graph_for(catalog)
    if system not in sg.systems_editions:
        return None
    if target_system and not (_reaches(sg, system, target_system) or _reaches(sg, target_system, system)):
        return None
    from_ed = req.version or sg.latest_edition(system)
    backward = bool(req.reverse)
    if req.target_version:
        to_ed = req.target_version
        if backward and version_key(to_ed) > version_key(from_ed):
            raise InvalidRequest(f"reverse=true walks back in time, but target-version {to_ed} is later than "
                                 f"version {from_ed}", location="target-version")
    else:
        to_ed = _default_target_edition(sg, system, target_system, backward) or from_ed
        if (version_key(to_ed) < version_key(from_ed)) != backward:
            to_ed = from_ed
    unknown = _unknown_edition(sg, system, from_ed, "version") or \
        _unknown_edition(sg, target_system, to_ed, "target-version",
                         also=[system] + sorted(_reachable(sg, system, backward)))
    if unknown:
        return unknown
    res = answer(catalog, sg, system, req.code, from_ed, target_system, to_ed)
    # the stored change-list maps hold single edition steps; this answer covers them (see translate())
    res.exclusive = True
    return res


def _unknown_edition(sg, system, edition, name, also=()) -> TranslateResult | None:
    """A result=false answer when `edition` is no edition the graph knows of the codebook(s) in question."""
    books = [b for b in ([system] if system else []) + list(also) if b]
    if any(edition in sg.systems_editions.get(b, ()) for b in books):
        return None      # the common case, answered without sorting on every request
    known_set = {e for b in books for e in sg.systems_editions.get(b, ())}
    if not known_set:
        return None
    if edition.isdigit() and len(edition) == 4 and all(e.isdigit() and len(e) == 4 for e in known_set):
        return None  # another year: before, between or after the known changes, which is a fair question
    known = sorted(known_set, key=version_key)
    names = " or ".join(short_name(b) for b in dict.fromkeys(books))
    return TranslateResult(result=False, message=f"{name} {edition} is not a known edition of {names}; "
                                                 f"known editions: {', '.join(known) or 'none'}")


def _default_target_edition(sg, system, target_system, backward) -> str | None:
    """Latest (reverse: earliest) edition of the target codebook; without one, of every codebook reachable."""
    books = [target_system] if target_system else [system] + sorted(_reachable(sg, system, backward))
    eds = [e for b in books for e in [sg.earliest_edition(b) if backward else sg.latest_edition(b)] if e]
    if not eds:
        return None
    return (min if backward else max)(eds, key=version_key)


def _reachable(sg, system, backward) -> set:
    links = sg.codebook_links()
    if backward:
        rev: dict = {}
        for s, ts in links.items():
            for t in ts:
                rev.setdefault(t, set()).add(s)
        links = rev
    seen, todo = set(), [system]
    while todo:
        for t in links.get(todo.pop(), ()):
            if t not in seen and t != system:
                seen.add(t)
                todo.append(t)
    return seen


def answer(catalog, sg, system: str, code: str, from_ed: str, target_system: str, to_ed: str) -> TranslateResult:
    res = TranslateResult(result=True)
    out = res.matches
    cs = catalog.codesystem(system, from_ed) if catalog is not None and sg.loaded.get(system) else None
    if cs is not None and cs.version == from_ed:
        concept, _how = cs.find(code)
        if (concept is None and cs.content == "complete") or (concept is not None and concept.inactive):
            res.result = False
            res.message = f"{code} is not a code of {short_name(system)} edition {from_ed}"
            return res
        code = concept.code if concept is not None else code
    elif sg.loaded.get(system) and all((system, e) in sg.complete for e in sg.loaded[system]) \
            and not sg.knows((system, code)):
        res.result = False
        res.message = f"{code} is not known in any loaded edition of {short_name(system)}"
        return res
    start = (system, code)
    gone = sg.gone_at(start, from_ed)
    if gone is not None:
        res.result = False
        res.message = (f"{code} is not a code of {short_name(system)} edition {from_ed}: "
                       f"it went out of use in {gone}")
        return res
    paths = sg.walk(start, from_ed, to_ed)
    elsewhere = []
    for p in paths:
        if p.node is not None and target_system and p.node[0] != target_system:
            elsewhere.append(p)
            continue
        ext = [{"url": EXT_OUTCOME, "valueCode": p.outcome},
               {"url": EXT_AMBIGUOUS, "valueBoolean": p.ambiguous},
               {"url": EXT_EDITIONS, "valueString": f"{from_ed}..{to_ed}"}]
        ext.extend(_step_ext(s) for s in p.steps)
        if p.node is None:
            out.append(Match(equivalence="unmatched", comment=describe(p, start, from_ed, to_ed), extensions=ext))
            continue
        out.append(Match(equivalence=p.equivalence, system=p.node[0], code=p.node[1],
                         display=_display(sg, catalog, p.node, to_ed), version=to_ed,
                         source=_source_map(p), comment=describe(p, start, from_ed, to_ed), extensions=ext))
    found = [m for m in out if m.code]
    if not found:
        res.result = False
        if elsewhere:
            where = ", ".join(f"{short_name(p.node[0])} {p.node[1]}" for p in elsewhere)
            book = short_name(target_system or system)
            res.message = (f"{code} ({short_name(system)} {from_ed}) has no successor in {book}"
                           f" {to_ed}; it became {where}")
        else:
            res.message = "; ".join(m.comment for m in out if m.comment) or \
                f"{code} has no counterpart in {short_name(target_system or system)} {to_ed}"
    elif len(found) > 1:
        res.message = (f"{code} ({short_name(system)} {from_ed}) has {len(found)} possible counterparts in "
                       f"edition {to_ed}; choose by meaning")
    return res


# Edition questions must be answered here before a generic ConceptMap provider sees the stored
# change-list maps (which hold one edition step each): so this provider goes first.
provider(succession_translate)
PROVIDERS.remove(succession_translate)
PROVIDERS.insert(0, succession_translate)

__all__ = ["succession_translate", "answer"]
