"""Checks that refuse a ValueSet.compose a server cannot process (filters not understood, import cycles,
supplements used as systems, malformed includes) and the locations and value set names their messages use.

Kept apart from the evaluator: these are the rules of what a valid compose is, not of what it selects.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict

from ..errors import InvalidRequest, NotSupported
from ..identifiers import canonical
from ..implicit import check_applied
from . import filters as _filters
from .revision_cache import FactTable


class FilterNotUnderstood(NotSupported):
    """A filter on a property the code system does not have, or with an operator the property does not take:
    the value set is invalid (the reference servers' FILTER_NOT_UNDERSTOOD). The value set holding the filter
    is named by the first `members`/`contains` the error passes through."""

    def __init__(self, f: dict, system: str, location: str):
        self.filter_text = f"{f.get('property')} {f.get('op')} {f.get('value')}"
        self.system = system
        self.named = False
        super().__init__(self._text("(unidentified)"), location=location, tx_code="vs-invalid")

    def _text(self, vs_label: str) -> str:
        return (f'The filter "{self.filter_text}" from the value set {vs_label} was not understood in the '
                f"context of {self.system}")

    def name_valueset(self, vs: dict) -> None:
        if not self.named:
            self.named = True
            self.message = self._text(vs_canonical(vs) or "(unidentified)")
            self.args = (self.message,)


def check_understood(inc: dict, system: str, cs, path: str) -> None:
    """Refuse (400, `implicit.check_applied`) an implicit value set's filter naming a code `cs` lacks, with the
    implicit URL's own wording; then a filter `cs` does not understand (see filters.understands, which may
    judge the value too), with the filter's location."""
    if cs is None:
        return
    check_applied(inc, cs)      # an implicit value set's code must be in the version used (terminology/implicit.py)
    for j, f in enumerate(inc.get("filter") or ()):
        if isinstance(f, dict) and not _filters.understands(cs, f.get("property"), f.get("op"), f.get("value")):
            raise FilterNotUnderstood(f, system, f"{path}.filter[{j}]")


class CircularValueSet(InvalidRequest):
    """A value set imports (or excludes) itself, directly or through others."""
    issue_code = "processing"


MAX_IMPORT_DEPTH = 20   # a backstop for chains of value sets without a canonical to tell a cycle by


def check_cycle(chain: tuple, vs: dict) -> None:
    """Refuse to process `vs` inside `chain` (the value sets being processed, outermost first) when its
    canonical url|version is among them: a real cycle, whatever its depth."""
    canon = vs_canonical(vs)
    if canon and any(vs_canonical(v) == canon for v in chain):
        pathway = ", ".join(vs_canonical(v) or "(unidentified)" for v in chain)
        raise CircularValueSet(f"Found a circularity pointing to {canon} processing ValueSet with pathway "
                               f"[{pathway}]", tx_code="vs-invalid")
    if len(chain) > MAX_IMPORT_DEPTH:
        pathway = ", ".join(vs_canonical(v) or "(unidentified)" for v in chain[:3])
        raise InvalidRequest(f"value set imports are nested too deeply: this server follows at most "
                             f"{MAX_IMPORT_DEPTH} levels of include.valueSet, and the pathway [{pathway}, …] "
                             f"goes further at {vs_canonical(vs) or 'a value set without a url'}",
                             tx_code="vs-invalid")


# id(value set) -> True: its import graph (include and exclude `valueSet`, transitively) resolves and has no cycle
IMPORT_GRAPHS = FactTable("import-graphs", reads_catalog=True, rules="valueset")

_FEW_PARTS = 16     # a compose this small is scanned for imports each time; a larger one's answer is kept


def check_imports(ev, vs: dict) -> None:
    """Refuse `vs` before any code is looked at when an import anywhere below it (include or exclude `valueSet`)
    closes a cycle (CircularValueSet) or cannot be resolved (MissingImport), as tx.fhir.org's $validate-code
    does (ValueSetChecker.prepare): the lazy evaluation would answer for a code decided before reaching it.
    The check is by pathway, so a diamond (two imports sharing one) is not a cycle; each value set is explored
    once, so shared imports cost linear, not 2^depth, time. `ev` (a ComposeEvaluator) resolves each import under
    the request's value set version rules, without recording it as used."""
    compose = vs.get("compose")
    if compose.__class__ is dict and not _imports_nothing(compose):
        IMPORT_GRAPHS.get(ev, vs, vs, id(vs), _walk_imports, ev, vs)


def _imports_nothing(compose: dict) -> bool:
    """Whether a small compose surely imports no value set (this runs on every $validate-code against a value
    set, so it is asked in plain loops); False for a long one, whose walk is kept instead."""
    for kind in ("include", "exclude"):
        parts = compose.get(kind)
        if parts.__class__ is not list:
            continue
        if len(parts) > _FEW_PARTS:
            return False
        for part in parts:
            if part.__class__ is not dict or "valueSet" in part:
                return False
    return True


WALKS = [0]     # import graphs walked since the process started (a figure for tests and benches)


def _walk_imports(ev, vs: dict) -> bool:
    WALKS[0] += 1
    explored: dict = {}     # id -> value set (held, so that an id is not reused by another during the walk)

    def visit(v: dict, chain: tuple) -> None:
        compose = v.get("compose")
        for kind in ("include", "exclude"):
            parts = compose.get(kind) if isinstance(compose, dict) else None
            for i, part in enumerate(parts if isinstance(parts, list) else ()):
                refs = part.get("valueSet") if isinstance(part, dict) else None
                for ref in refs if isinstance(refs, list) else ():
                    if not isinstance(ref, str) or not ref.strip():
                        continue        # a malformed reference is refused where it is evaluated (import_refs)
                    sub = ev.valueset(ref, compose_path(kind, i), note=False)
                    check_cycle(chain, sub)
                    ev.see(sub)     # its shape and references are checked on first sight, before any code is asked
                    if id(sub) not in explored:
                        visit(sub, chain + (sub,))
        explored[id(v)] = v

    visit(vs, (vs,))
    return True


def check_not_supplement(cs, path: str | None) -> None:
    """A supplement adds to its base system's concepts; a value set cannot take codes from it."""
    if cs is not None and cs.content == "supplement":
        canon = canonical(cs.url, cs.version)
        raise InvalidRequest(f"CodeSystem {canon} is a supplement, so can't be used as a value in "
                             f"{path or 'ValueSet.compose.include'}.system: include its base code system "
                             f"({cs.resource.get('supplements') or 'unknown'}) and name the supplement with "
                             f"useSupplement", location=path, tx_code="invalid-data")


def vs_canonical(vs: dict) -> str:
    return canonical(vs.get("url") or "", vs.get("version"))


_PATHS = {(kind, i): f"ValueSet.compose.{kind}[{i}]" for kind in ("include", "exclude") for i in range(32)}


def compose_path(kind: str, i: int) -> str:
    return _PATHS.get((kind, i)) or f"ValueSet.compose.{kind}[{i}]"


def lists_only(exc: dict) -> bool:
    """An include or exclude of a system by a concept list only: no filter, no value set import."""
    return bool(exc.get("system") and exc.get("concept")) and not exc.get("filter") and not exc.get("valueSet")


def check_source(inc: dict, path: str) -> None:
    """An include or exclude takes codes from a system or from value sets (FHIR invariant vsd-1)."""
    check_has_source(inc, path)
    if inc.get("system") is None and (inc.get("concept") or inc.get("filter")):
        # vsd-2: without a system the concepts or filters would be dropped, widening the value set silently
        raise InvalidRequest(f"{path} lists concepts or filters but no system (FHIR invariant vsd-2): "
                             f"say which code system they are from", location=path, tx_code="vs-invalid")
    if inc.get("concept") and inc.get("filter"):
        raise InvalidRequest(f"{path} has both a concept list and filters (FHIR invariant vsd-3): "
                             f"use one include for each", location=path, tx_code="vs-invalid")
    import_refs(inc, path)


def check_has_source(inc: dict, path: str) -> None:
    """vsd-1 alone: a system or value sets. `valueSet: []` names none (and a FHIR JSON array is never empty),
    so it is refused as a missing one is, by $expand and $validate-code alike (`ValueSetFacts._note_origin`
    asks it on first sight of a value set, before either operation looks at a code)."""
    if inc.get("system") is None and not inc.get("valueSet"):
        why = " (its valueSet is an empty list: a FHIR JSON array holds at least one item)" \
            if inc.get("valueSet") == [] else ""
        raise InvalidRequest(f"{path} has neither system nor valueSet{why}", location=path, tx_code="vs-invalid")


def check_stored_shape(vs: dict) -> None:
    """Refuse (400) a stored value set whose elements have not the JSON types R4 gives them: the lenient shape
    check PUT, the importers and tx-resource make (terminology.validation), for a body that reached the store
    another way. Asked once per body and store revision (`ValueSetFacts._note_origin`), so the evaluators may
    take a sound shape for granted; 400, as the same body sent as a tx-resource is answered. A sound body's
    content digest is remembered across revisions: a store write does not make every large value set pay the
    model check again (0.75 s for 20,000 listed concepts), only the digest (a few ms)."""
    from ..index_cache import content_digest
    from ..validation import validation_errors     # (pydantic models: loaded when a stored body is first read)
    key = content_digest(vs)
    if key is not None:
        with _SOUND_LOCK:
            if key in _SOUND:
                _SOUND.move_to_end(key)
                return
    problems = validation_errors(vs, lenient=True)
    if problems:
        raise InvalidRequest(f"The stored ValueSet {vs_canonical(vs) or '(unidentified)'} is malformed: "
                             + "; ".join(problems), tx_code="vs-invalid")
    if key is not None:
        with _SOUND_LOCK:
            _SOUND[key] = None
            while len(_SOUND) > _SOUND_MAX:
                _SOUND.popitem(last=False)


def check_outline(vs: dict) -> None:
    """Refuse (400) a stored value set whose `compose` is no object or whose `extension` is no list, before
    anything reads them: the few type checks every request can afford, where `check_stored_shape` runs once
    per body (on first evaluation, after the operations have read the value set's expansion parameters)."""
    compose, ext = vs.get("compose"), vs.get("extension")
    if (compose is None or isinstance(compose, dict)) and (ext is None or isinstance(ext, list)) and \
            (compose is None or isinstance(compose.get("extension", ()), (list, tuple))):
        return
    check_stored_shape(vs)
    raise InvalidRequest(f"The stored ValueSet {vs_canonical(vs) or '(unidentified)'} is malformed: its compose "
                         "must be an object and its extensions a list", tx_code="vs-invalid")


# content digests of stored value set bodies found sound (digests only: never a body nor a problem text)
_SOUND: OrderedDict = OrderedDict()
_SOUND_LOCK = threading.Lock()
_SOUND_MAX = 4096


def import_refs(inc: dict, path: str) -> list:
    """The value sets `inc` imports: a list of canonical URLs, refused (400) when it is anything else."""
    refs = inc.get("valueSet")
    if not refs:
        return []
    if not isinstance(refs, list):
        raise InvalidRequest(f"{path}.valueSet is {shown(refs)}, not a list of value set URLs",
                             location=f"{path}.valueSet", tx_code="vs-invalid")
    for j, ref in enumerate(refs):
        if not isinstance(ref, str) or not ref.strip():
            where = f"{path}.valueSet[{j}]"
            raise InvalidRequest(f"{where} is {shown(ref)}, not the canonical URL of a value set",
                                 location=where, tx_code="vs-invalid")
    return refs


def shown(value) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def check_filters(inc: dict, system: str, path: str) -> None:
    for j, f in enumerate(inc.get("filter") or ()):
        if f.get("op") == "exists" and "value" in f and str(f["value"]).strip().lower() not in ("true", "false"):
            raise InvalidRequest(
                f"The system {system} filter with property = {f.get('property')}, op = exists has the value "
                f"{shown(f['value'])}; an exists filter takes true or false",
                location=f"{path}.filter[{j}]", tx_code="vs-invalid")
        if "value" not in f and f.get("op") != "exists":
            raise InvalidRequest(
                f"The system {system} filter with property = {f.get('property')}, op = {f.get('op')} has no value",
                location=f"{path}.filter[{j}]", tx_code="vs-invalid")
        _filters.check_filter(f, f"{path}.filter[{j}]")
