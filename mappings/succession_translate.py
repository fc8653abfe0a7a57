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

from dataclasses import replace

from terminology.editions import is_complete, is_year, partial_label
from terminology.errors import InvalidRequest
from terminology.identifiers import ICD10_NO, KODEBRO_BASE
from terminology.operations.validate_problems import first_held_later
from terminology.versions import version_key

from .changelist import MAP_PREFIX, label, map_url, not_a_code_of, previous_edition
from .edition_diff import DERIVED_SPLIT, UNCHECKED
from .edition_maps import unchanged_by_empty_map
from .icd10_targets import check as check_icd10_targets, with_article
from .succession import Path
from .succession_build import graph_for
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


def describe(path: Path, start, from_ed: str, to_ed: str, back_in: str | None = None, sg=None) -> str:
    """`back_in`: the later edition a code retired without successor was reactivated in, if any; `sg`: the
    succession graph, which says whether that retirement's successors are unnamed."""
    src = f"{start[1]} ({label(start[0])} {from_ed})"
    if path.node is None:
        if path.not_in_force and path.not_in_force != path.retired_in:
            ended = path.steps[-1].source if path.steps else start
            return (f"{src} did not exist in {label(start[0])} {to_ed}: it is new in {path.not_in_force}"
                    f"{_or_in(sg, ended, path.not_in_force)}")
        if path.not_in_force:
            return f"{start[1]} was not in force in {label(start[0])} {to_ed}: retired in {path.retired_in}"
        again = f" (reactivated in {back_in})" if back_in else ""
        if sg is not None and _unnamed_successors(sg, path):
            # the source says new codes took over but does not print them (6XX04, seed 001): not "no successor"
            note = path.steps[-1].note
            return (f"{src} was retired in {path.retired_in}{again}; its successors are not named in the change "
                    f"list{': ' + note if note else ''}")
        last = path.steps[-1] if path.steps else None
        gap = _or_in(sg, last.source, path.retired_in) if last is not None and last.derived else ""
        return f"{src} was retired in {path.retired_in}{gap} without a successor{again}"
    if not path.steps:
        return f"{src} is unchanged in {to_ed}"
    parts = []
    for s in path.steps:
        if s.kind == "text":
            # a text change found by comparing code lists may have changed the meaning (P73, 2025): say so
            parts.append(f"text changed in {s.edition}" + (f" ({UNCHECKED})" if s.derived else ""))
        elif s.kind == "retired":
            parts.append(f"retired in {s.edition}")
        elif s.kind == "reactivated":
            parts.append(f"reactivated in {s.edition}")
        else:
            said = [f"one of {s.alternatives} alternatives"] if s.alternatives > 1 else []
            if s.derived:
                said.append(DERIVED_SPLIT)
            alt = f" ({'; '.join(said)})" if said else ""
            verb = _VERBS.get(s.kind, s.kind)
            parts.append(f"{s.source[1]} {verb} {label(s.target[0])} {s.target[1]} in {s.edition}{alt}")
    return f"{src}: " + "; ".join(parts)


def _or_in(sg, node, edition: str) -> str:
    """' (or in 2026, loaded only in part without it)': a derived change dated by the complete edition that first shows
    it may have taken effect in a partial edition between, which leaves the code out."""
    gap = sg.partial_gap(node, edition) if sg is not None else []
    if not gap:
        return ""
    return f" (or in {' or '.join(gap)}, loaded only in part without it)"


def _unnamed_successors(sg, path: Path) -> bool:
    """Whether the retirement that ended the walk is a change-list row marked successors_unnamed."""
    last = path.steps[-1] if path.steps else None
    if last is None or last.kind != "retired":
        return False
    edges = sg.g.get_edge_data(last.source, last.source) or {}
    return any(d.get("kind") == "retired" and d.get("edition") == last.edition and d.get("successors_unnamed")
               for d in edges.values())


def _time_reading(path: Path, start, from_ed: str, to_ed: str) -> str:
    """A backward walk keeps the change list's equivalence, read old -> new: say so, or a reader of the
    reverse of a merge takes 'wider' to mean the older code is the wider one."""
    new = f"{start[1]} ({label(start[0])} {from_ed})"
    old = f"{path.node[1]} ({label(path.node[0])} {to_ed})"
    if path.equivalence == "inexact":
        return f"the equivalence reads old -> new, from {old} to {new}"
    return f"the equivalence reads old -> new: {new} is {path.equivalence} than {old}"


def _source_map(catalog, sg, path: Path) -> str | None:
    """The map that states the first stated step: its change list, or for a codebook whose history its own
    releases state (SNOMED CT), the refset map whose rows state it (kept on the step's edge); never the URL of a
    map that does not exist."""
    for s in path.steps:
        if not s.derived and s.kind not in ("retired",):
            lineages = sg.lineages.get(s.source[0])
            if lineages is None:
                return map_url(s.source[0], s.edition)
            return lineages.source_of(catalog, sg.g.get_edge_data(s.source, s.target, key=s.edition))
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
    if (req.conceptmap_url or req.conceptmap) and req.code:
        # the derived map of a pair without changes says nothing by itself (no groups): answered here, first
        return unchanged_by_empty_map(catalog, req)
    if req.conceptmap_url or req.conceptmap or not req.code or not req.system:
        return None
    system = catalog.canonical_system(req.system)
    target_system = catalog.canonical_system(req.target_system) if req.target_system else None
    # into the same codebook without editions named is an edition question too: what the code is in the
    # latest edition. Left to the change-list maps, each edition step answers alone and a retired code
    # comes back "equal" to itself in the editions before it went (ZWUU40, review s15 F9)
    same_book = target_system == system
    if not (req.version or req.target_version or same_book):
        return None
    sg = graph_for(catalog)
    if system not in sg.systems_editions:
        return None
    if not (req.version or req.target_version) and not is_year(sg.latest_edition(system)):
        # only the yearly codebooks: SNOMED CT's history (REPLACED BY ...) is other providers' to tell
        return None
    version, target_version = req.version, req.target_version
    lineages = sg.lineages.get(system)
    if lineages is not None:
        # SNOMED CT: the versions read as the edition URIs they name (a module alone: its latest loaded edition),
        # and a walk stays within one edition's lineage, never through another country's extension
        version = lineages.edition(catalog, version)
        if target_system in (None, system):
            target_version = lineages.edition(catalog, target_version)
        sg, why = lineages.pick(catalog, version, target_version)
        if why is not None:
            res = TranslateResult(result=False, message=why)
            res.exclusive = True
            return res
    if target_system and not (_reaches(sg, system, target_system) or _reaches(sg, target_system, system)):
        return None
    # no `version`: the code as it was last in use, not the latest edition, which a code that went out
    # of use (B0014, split into NCMP codes in 2020) is not in; only a named edition without it is refused
    from_ed = version or last_in_use(catalog, sg, system, req.code)
    backward = bool(req.reverse)
    if target_version:
        to_ed = target_version
        if backward and version_key(to_ed) > version_key(from_ed):
            given = f"version {from_ed}" if version else \
                f"edition {from_ed} (the last in which {req.code} was in use)"
            raise InvalidRequest(f"reverse=true walks back in time, but target-version {to_ed} is later than "
                                 f"{given}", location="target-version")
    else:
        to_ed = _default_target_edition(catalog, sg, system, target_system, backward) or from_ed
        if (version_key(to_ed) < version_key(from_ed)) != backward:
            to_ed = from_ed
    unknown = _unknown_edition(sg, system, from_ed, "version") or \
        _unknown_edition(sg, target_system, to_ed, "target-version",
                         also=[system] + sorted(_reachable(sg, system, backward)))
    if unknown:
        return unknown
    res = answer(catalog, sg, system, req.code, from_ed, target_system, to_ed, version_given=bool(version))
    # an ICD-10-NO code that is a grouping in the target edition (R17 from 2026 to 2027) is no code to report:
    # the one target check every map into ICD-10-NO gets, judged by the edition walked to
    if any(m.system == ICD10_NO for m in res.matches):
        notes = check_icd10_targets(catalog, replace(req, target_version=to_ed), res.matches)
        if notes:
            res.message = "; ".join(([res.message] if res.message else []) + notes)
    # the stored change-list maps hold single edition steps; this answer covers them (see translate()). With
    # editions named it is the whole answer; without, into the same codebook, it covers only the change-list
    # steps: another map of the codebook (a local follow-up map) still answers beside it
    if version or target_version:
        res.exclusive = True
    else:
        res.covers = _from_change_lists
    return res


def _from_change_lists(match) -> bool:
    return bool(match.source) and match.source.startswith(MAP_PREFIX)


def canonical_code(catalog, sg, system: str, code: str) -> str:
    """The code as the graph holds it (ICD-10 with or without the dot, case), found in a loaded edition.
    Public: the $validate-code advice (advice_hooks.py) reads codes as $translate does."""
    if sg.knows((system, code)) or catalog is None:
        return code
    for e in reversed(sg.loaded.get(system, [])):
        cs = catalog.codesystem(system, e)
        c, _how = cs.find(code) if cs is not None else (None, None)
        if c is not None:
            return c.code
    return code


def last_in_use(catalog, sg, system: str, code: str) -> str | None:
    """The latest edition of the codebook in which the code was in use: the latest edition, unless the code
    went out of use by then; then the last loaded edition before that which lists it, else the edition
    before the one it went out of use in."""
    latest = current_edition(catalog, sg, system)
    if latest is None:
        return None
    node = (system, canonical_code(catalog, sg, system, code))
    gone = sg.gone_at(node, latest)
    if gone is None:
        return latest
    gk = version_key(gone)
    before = [e for e in sg.editions_of(system) if version_key(e) < gk]
    listed = [e for e in before if node[1] in sg.present.get((system, e), ())]
    if listed:
        return listed[-1]
    if system in sg.lineages:
        # no edition before lists it, and a release states its own history (SNOMED CT): the edition the code
        # went out of use in is where it is listed, as inactive; an edition before that does not hold it
        return gone
    return before[-1] if before else (previous_edition(gone) or latest)


def current_edition(catalog, sg, system: str) -> str | None:
    """The edition a request naming none walks to: the one in force today when the store holds the codebook's
    editions (catalog.default_version: next year's, loaded in December, answers from 1 January), else the latest
    the graph knows."""
    held = catalog.default_version("CodeSystem", system) if catalog is not None else None
    return held if held is not None and held in sg.systems_editions.get(system, ()) else sg.latest_edition(system)


def successors_at(sg, node, edition: str) -> list:
    """[(successor node, edge data)] of the change that took `node` out of use in `edition` (the edition
    `sg.gone_at` names): the codes it was replaced by, merged into, split into or moved to; [] for a retirement
    without successor. One rule for $translate's wording (`_went`) and the $validate-code advice (advice_hooks)."""
    return [(v, d) for v, d in sg.successors(node) if d["edition"] == edition and v != node]


def _went(sg, node, gone: str) -> str:
    """How the code went out of use in `gone`: 'split into NCMP A, B in 2020', 'retired in 2021 ...'."""
    succ = successors_at(sg, node, gone)
    if succ:
        kind = succ[0][1]["kind"]
        books = dict.fromkeys(label(v[0]) for v, _d in succ)
        targets = ", ".join(v[1] for v, _d in succ)
        return f"{_VERBS.get(kind, kind)} {' / '.join(books)} {targets} in {gone}"
    return f"retired in {gone}"


def _reactivated_after(sg, node, edition: str) -> str | None:
    """The edition a retired code came back in, after `edition`, when a change list says so."""
    k = version_key(edition)
    for ed, kind, *_rest in sg.local_events(node):
        if kind == "reactivated" and version_key(ed) > k:
            return ed
    return None


def _unknown_edition(sg, system, edition, name, also=()) -> TranslateResult | None:
    """A result=false answer when `edition` is no edition the graph knows of the codebook(s) in question."""
    books = [b for b in ([system] if system else []) + list(also) if b]
    if any(edition in sg.systems_editions.get(b, ()) for b in books):
        return None      # the common case, answered without sorting on every request
    known_set = {e for b in books for e in sg.systems_editions.get(b, ())}
    if not known_set:
        return None
    if is_year(edition) and all(is_year(e) for e in known_set):
        return None  # another year: before, between or after the known changes, which is a fair question
    known = sorted(known_set, key=version_key)
    names = " or ".join(label(b) for b in dict.fromkeys(books))
    return TranslateResult(result=False, message=f"{name} {edition} is not a known edition of {names}; "
                                                 f"known editions: {', '.join(known) or 'none'}")


def _default_target_edition(catalog, sg, system, target_system, backward) -> str | None:
    """The current (reverse: earliest) edition of the target codebook; without one, of every codebook reachable."""
    books = [target_system] if target_system else [system] + sorted(_reachable(sg, system, backward))
    eds = [e for b in books for e in [sg.earliest_edition(b) if backward else current_edition(catalog, sg, b)]
           if e]
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


def _part_of_edition(catalog, system: str, edition: str) -> str:
    """How a partial edition is loaded, as R4 `content` says it: 'fragment', 'example' ..."""
    return partial_label(catalog.codesystem(system, edition) if catalog is not None else None, edition)


def unsure(catalog, sg, path: Path, start, from_ed: str, to_ed: str) -> str | None:
    """Why the walk's end cannot be told in `to_ed`, when that edition is loaded only in part and leaves the
    code out (`SuccessionGraph.unsure_in`): R4 `fragment` and `example` hold a subset of the codes, so their
    silence is no answer, and "unchanged" would be a guess."""
    node = path.node
    if node is None:
        # a backward walk that ended where the code was new: the code that was new is the last one walked
        if not path.not_in_force or path.not_in_force == path.retired_in:
            return None
        node = path.steps[-1].source if path.steps else start
    nxt = sg.unsure_in(node, to_ed)
    if nxt is None:
        return None
    book = label(node[0])
    part = f"the loaded {book} {to_ed} is a {_part_of_edition(catalog, node[0], to_ed)} that does not list it"
    why = f"{part}, and it is {'new' if path.node is None else 'not'} in the complete {book} {nxt} " \
          "(derived from the editions)"
    src = f"{start[1]} ({label(start[0])} {from_ed})"
    if node == start:
        verb = "was already" if path.node is None else "is still"
        return f"Whether {src} {verb} in {book} {to_ed} is not known: {why}"
    walked = describe(path, start, from_ed, to_ed) if path.node is not None else src
    return f"{walked}; whether {node[1]} is in {book} {to_ed} is not known: {why}"


def _absent_from(catalog, sg, node, edition: str) -> str | None:
    """Why the code is not in `edition` when that edition is loaded complete and does not hold it in use; None
    when it does, or when only part of the edition is loaded (its silence is no answer: `unsure`)."""
    snap = sg.editions.get((node[0], edition))
    if snap is None or not snap.complete or node[1] in snap.active:
        return None     # the graph's copy answers the common case without a look-up in the code system
    cs = catalog.codesystem(node[0], edition) if catalog is not None else None
    if cs is None or cs.version != edition or not is_complete(cs.content):
        return None
    concept, _how = cs.find(node[1])
    if concept is None:
        return f"{node[1]} is not in {label(node[0])} {edition}"
    if concept.inactive:
        return f"{concept.code} is listed as no longer in use in {label(node[0])} {edition}"
    return None


def _listed_anywhere(sg, system: str, code: str) -> bool:
    return sg.knows((system, code)) or any(snap.lists(code) for (book, _e), snap in sg.editions.items()
                                          if book == system)


def answer(catalog, sg, system: str, code: str, from_ed: str, target_system: str, to_ed: str,
           version_given: bool = True) -> TranslateResult:
    res = TranslateResult(result=True)
    out = res.matches
    cs = catalog.codesystem(system, from_ed) if catalog is not None and sg.loaded.get(system) else None
    retired_here = False
    if cs is not None and cs.version == from_ed:
        concept, _how = cs.find(code)
        if concept is None and is_complete(cs.content):
            res.result = False
            # a code of next year's edition, asked in December without a version, says so as $validate-code does
            res.message = first_held_later(catalog, cs, code) or \
                not_a_code_of(code, system, from_ed)
            return res
        if concept is None:
            # as the loaded editions write it (J12.8 -> J128): the fragment's silence says nothing of the spelling
            code = canonical_code(catalog, sg, system, code)
        if concept is None and not _listed_anywhere(sg, system, code):
            # a fragment's silence is no answer, but a code no loaded edition or change list knows is no code
            # to walk: "unchanged" would vouch for a typo (NOPE99, review s16 H3)
            res.result = False
            parts = [_absent_from(catalog, sg, (system, code), to_ed) if target_system in (None, system) else None]
            parts.append(f"{code} is not in the loaded part of {label(system)} {from_ed} "
                         f"({with_article(cs.content)}) nor in any other loaded edition of {label(system)}")
            res.message = "; ".join(p for p in parts if p)
            return res
        retired_here = concept is not None and concept.inactive
        code = concept.code if concept is not None else code
    elif sg.loaded.get(system) and all((system, e) in sg.complete for e in sg.loaded[system]) \
            and not sg.knows((system, code)):
        res.result = False
        res.message = f"{code} is not known in any loaded edition of {label(system)}"
        return res
    start = (system, code)
    gone = sg.gone_at(start, from_ed)
    if gone is not None or retired_here:
        # the edition lists the code, as retired: not "not a code of" it (ZWUU40 in NCMP 2021, review s16 M2)
        how = _went(sg, start, gone) if gone is not None else f"listed as no longer in use in {from_ed}"
        res.result = False
        # without a version, `from_ed` is where the code was last in use; when no loaded edition shows it in use
        # (a SNOMED CT concept inactive in every loaded release), there is no earlier edition to ask from
        advice = "ask from an earlier edition, or leave out version" if version_given or gone != from_ed else \
            f"no loaded edition of {label(system)} shows it in use"
        res.message = f"{code} was no longer in use in {label(system)} edition {from_ed}: {how}; {advice}"
        return res
    paths = sg.walk(start, from_ed, to_ed)
    elsewhere, unknown, absent, readings = [], [], [], []
    for p in paths:
        if p.node is not None and target_system and p.node[0] != target_system:
            elsewhere.append(p)
            continue
        # a code no change list speaks of, walked unchanged to a complete edition that does not hold it in use,
        # has no counterpart there; a change list's successor or text change is the curator's word
        unchanged = p.node == start and all(s.derived for s in p.steps)
        why_not = _absent_from(catalog, sg, p.node, to_ed) if unchanged else None
        if why_not is not None:
            absent.append(why_not)
            continue
        why = unsure(catalog, sg, p, start, from_ed, to_ed)
        if why is not None:
            unknown.append(why)
            continue
        ext = [{"url": EXT_OUTCOME, "valueCode": p.outcome},
               {"url": EXT_AMBIGUOUS, "valueBoolean": p.ambiguous},
               {"url": EXT_EDITIONS, "valueString": f"{from_ed}..{to_ed}"}]
        ext.extend(_step_ext(s) for s in p.steps)
        if p.node is None:
            back_in = None
            if p.retired_in and not p.not_in_force and p.steps:
                back_in = _reactivated_after(sg, p.steps[-1].source, to_ed)
            out.append(Match(equivalence="unmatched", comment=describe(p, start, from_ed, to_ed, back_in, sg),
                             extensions=ext))
            continue
        comment = describe(p, start, from_ed, to_ed)
        if version_key(to_ed) < version_key(from_ed) and p.equivalence in ("wider", "narrower", "inexact"):
            reading = _time_reading(p, start, from_ed, to_ed)
            comment += "; " + reading
            if reading not in readings:
                readings.append(reading)
        out.append(Match(equivalence=p.equivalence, system=p.node[0], code=p.node[1],
                         display=_display(sg, catalog, p.node, to_ed), version=to_ed,
                         source=_source_map(catalog, sg, p), comment=comment, extensions=ext))
    found = [m for m in out if m.code]
    if not found:
        res.result = False
        if absent:
            res.message = "; ".join(absent + unknown + [m.comment for m in out if m.comment])
        elif unknown:
            res.message = "; ".join(unknown + [m.comment for m in out if m.comment])
        elif elsewhere:
            where = ", ".join(f"{label(p.node[0])} {p.node[1]}" for p in elsewhere)
            book = label(target_system or system)
            res.message = (f"{code} ({label(system)} {from_ed}) has no successor in {book}"
                           f" {to_ed}; it became {where}")
        else:
            res.message = "; ".join(m.comment for m in out if m.comment) or \
                f"{code} has no counterpart in {label(target_system or system)} {to_ed}"
    elif len(found) > 1:
        res.message = (f"{code} ({label(system)} {from_ed}) has {len(found)} possible counterparts in "
                       f"edition {to_ed}; choose by meaning")
    if found and unknown:
        res.message = "; ".join(([res.message] if res.message else []) + unknown)
    if found and readings:
        # R4's match has no message: a backward walk's reading would reach an R4 client only in a match's
        # R5-only message, and 'narrower' K63.5 for K63.50 reads the wrong way round without it (re-check N4)
        res.message = "; ".join(([res.message] if res.message else []) + readings)
    return res


# Edition questions must be answered here before a generic ConceptMap provider sees the stored
# change-list maps (which hold one edition step each): so this provider goes first. It is asked with a map too
# (`ConceptMap/{id}/$translate`): the derived map of a pair without changes (`unchanged_by_empty_map`).
provider(succession_translate, serves_supplied_map=True)
PROVIDERS.remove(succession_translate)
PROVIDERS.insert(0, succession_translate)

__all__ = ["succession_translate", "answer", "canonical_code", "successors_at"]
