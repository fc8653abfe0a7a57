"""How two value sets' codes relate: same, subset, superset, overlapping, disjoint, empty (or indeterminate).

Registries compare value sets across editions ("did the 2024 list of reportable diagnoses lose codes?").
Each value set is read as, per code system, either the whole system or a set of codes: an include of a
whole system is compared by name, so a value set of all of SNOMED CT is never enumerated; everything else
is enumerated by the same membership rule as $expand. Codes are compared by system and code, whatever
version each value set takes. Results and messages are worded as tx.fhir.org (FHIRsmith) words them, since
clients and the HL7 tests compare them.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidResource, NotFound, NotSupported, TooCostly
from ..grammar import GrammarIndex
from .compose import ComposeEvaluator, whole_system_include
from .compose_checks import FilterNotUnderstood, vs_canonical
from .version_rules import SystemVersionRules

MAX_COMPARED = 100_000          # codes enumerated per value set before the answer is "indeterminate"


@dataclass(frozen=True)
class _Whole:
    """Every code of a system (of one version, when the include names one)."""
    version: str | None


class _Part:
    """Some codes of a system the other value set takes whole, chosen by a filter: never enumerated, since
    against the whole system the answer is the same whichever codes they are."""


class _CannotTell(Exception):
    pass


class LockedDate(InvalidResource):
    """A compose pinned to a date: the server does not keep code systems as of a date, so it refuses rather than
    compare today's codes (tx.fhir.org refuses it too, with this wording)."""
    issue_code = "business-rule"


@dataclass
class Relation:
    result: str                 # same | subset | superset | overlapping | disjoint | empty | indeterminate
    message: str


def _narrowed(catalog, compose: dict) -> set | None:
    """Systems whose whole includes an exclude narrows (None: any system may be narrowed)."""
    excludes = compose.get("exclude") or []
    if any(not e.get("system") for e in excludes) or compose.get("inactive") is False:
        return None
    return {catalog.canonical_system(e["system"]) for e in excludes if e.get("system")}


def _wholes(catalog, compose: dict) -> dict:
    """system -> _Whole for the systems a compose takes whole (and no exclude narrows)."""
    narrowed = _narrowed(catalog, compose)
    out: dict = {}
    if narrowed is None:
        return out
    for inc in compose.get("include") or []:
        if whole_system_include(inc):
            system = catalog.canonical_system(inc["system"])
            if system not in narrowed:
                out.setdefault(system, _Whole(inc.get("version")))
    return out


def _same_edition(catalog, system: str, version: str | None, whole: _Whole) -> bool:
    cs = catalog.codesystem(system, version)
    return cs is not None and cs is catalog.codesystem(system, whole.version)


def _check_filter(catalog, vs: dict, compose: dict, inc: dict, rules) -> None:
    """An invalid filter stays the client's error (as in $expand) even where its codes need not be listed:
    reading its first member checks it."""
    one = {**vs, "compose": {k: v for k, v in compose.items() if k != "exclude"} | {"include": [inc]}}
    try:
        next(iter(ComposeEvaluator(catalog, rules=rules).members(one)), None)
    except FilterNotUnderstood:
        raise
    except (NotFound, TooCostly, NotSupported):
        pass                                # what this server cannot tell does not change "some codes"


def _side(catalog, compose: dict, vs: dict, rules, wholes: dict, other_wholes: dict) -> dict:
    """system -> _Whole, _Part or the set of codes the value set takes from it (`wholes`: the systems it takes
    whole). Raises _CannotTell with the reason the value set cannot be enumerated."""
    out: dict = dict(wholes)
    narrowed = _narrowed(catalog, compose)
    rest = []
    for inc in compose.get("include") or []:
        system = catalog.canonical_system(inc.get("system")) if inc.get("system") else None
        if system in out:
            continue
        if system in other_wholes and narrowed is not None and system not in narrowed and not inc.get("valueSet"):
            # against the whole system only "some codes" matters; a plain list is kept to tell "every code"
            got = out.get(system)
            if inc.get("filter"):
                _check_filter(catalog, vs, compose, inc, rules)
            if inc.get("filter") or isinstance(got, _Part) or \
                    not _same_edition(catalog, system, inc.get("version"), other_wholes[system]):
                out[system] = _Part()
            else:
                out.setdefault(system, set()).update(c.get("code") for c in inc.get("concept") or [])
            continue
        rest.append(inc)
    if rest:
        enumerated = {**vs, "compose": {**compose, "include": rest}}
        try:
            for n, m in enumerate(ComposeEvaluator(catalog, rules=rules).members(enumerated)):
                if n >= MAX_COMPARED:
                    raise _CannotTell(f"it has more than {MAX_COMPARED:,} codes to compare")
                got = out.setdefault(m.system, set())
                if isinstance(got, set):
                    got.add(m.code)
        except FilterNotUnderstood:
            raise
        except (NotFound, TooCostly, NotSupported) as e:
            # what this server cannot tell (a missing code system, too many codes, no content here); a value
            # set that is invalid (a bad filter) is the client's error, answered as $expand answers it
            raise _CannotTell(e.message) from None
    return out


def _index(catalog, system: str, whole: _Whole):
    cs = catalog.codesystem(system, whole.version)
    if cs is None:
        v = f" version {whole.version}" if whole.version else ""
        raise _CannotTell(f"the code system {system}{v} is not known, so its codes cannot be compared")
    return cs


def _every_code(catalog, system: str, whole: _Whole, codes: set) -> bool:
    """Whether `codes` are provably every code of the whole system: it is held complete here (not a grammar)
    and has exactly those codes."""
    cs = catalog.codesystem(system, whole.version)
    if cs is None or isinstance(cs, GrammarIndex) or cs.content != "complete" or len(cs) != len(codes):
        return False
    return all(cs.get(code) is not None for code in codes)


def _compare(catalog, system: str, mine, theirs) -> tuple[bool, bool, bool]:
    """(shared codes, codes only in mine, codes only in theirs) for one system."""
    if isinstance(mine, _Whole) and isinstance(theirs, _Whole):
        if mine == theirs:
            return True, False, False       # the same system (and version) taken whole: compared by name
        a, b = _index(catalog, system, mine), _index(catalog, system, theirs)
        if a is b:
            return True, False, False       # two names of one version (none and the latest, 2.x and 2.2)
        try:
            # a grammar's len() counts only the codes it has made so far: listing it raises TooCostly below
            if max(len(a), len(b)) > MAX_COMPARED:
                raise _CannotTell(f"two versions of {system} with more than {MAX_COMPARED:,} codes are not compared")
            mine, theirs = set(a.concepts), set(b.concepts)
        except TooCostly as e:
            # the why (a grammar's diagnostics) rather than the refusal's own sentence, which names the system again
            raise _CannotTell(f"the codes of {system} cannot be listed: {e.diagnostics or e.message}") from None
    elif isinstance(theirs, _Whole):
        common, theirs_more, mine_more = _compare(catalog, system, theirs, mine)
        return common, mine_more, theirs_more
    elif isinstance(mine, _Whole):
        # tx.fhir.org's rule: a whole system holds more than any list or filter of it, without counting (the
        # list may name codes the system lacks, the system may be unknown or a grammar); only a list that is
        # provably every code of it is the same
        if isinstance(theirs, set) and _every_code(catalog, system, mine, theirs):
            return True, False, False
        return True, True, False
    return not mine.isdisjoint(theirs), bool(mine - theirs), bool(theirs - mine)


def _failed(this_err: str | None, other_err: str | None) -> str:
    if this_err and other_err:
        return f"Both expansions failed: {this_err}" if this_err == other_err else \
            f"Both expansions failed with different errors: {this_err}; {other_err}"
    return f"This expansion failed: {this_err}" if this_err else f"Other expansion failed: {other_err}"


def _check_locked(compose: dict, name: str) -> None:
    if compose.get("lockedDate"):
        text = f"Cannot process ValueSet {name} due to the presence of a lockedDate on the compose"
        raise LockedDate(text, diagnostics=text)


def relate(catalog, this_vs: dict, other_vs: dict, rules: SystemVersionRules | None = None) -> Relation:
    a = vs_canonical(this_vs) or "(unidentified)"
    b = vs_canonical(other_vs) or "(unidentified)"
    # checked in tx.fhir.org's order: this value set's compose, then the other's; a value set with only an
    # expansion is not compared either (its expansion may be partial or stale)
    composes = []
    for vs, name in ((this_vs, a), (other_vs, b)):
        compose = vs.get("compose")
        if not isinstance(compose, dict):
            return Relation("indeterminate", f"The ValueSet {name} has no compose")
        _check_locked(compose, name)
        composes.append(compose)
    wholes = [_wholes(catalog, compose) for compose in composes]
    sides, errors = [], []
    for compose, vs, mine, theirs in zip(composes, (this_vs, other_vs), wholes, reversed(wholes)):
        try:
            sides.append(_side(catalog, compose, vs, rules, mine, theirs))
            errors.append(None)
        except _CannotTell as e:
            sides.append(None)
            errors.append(str(e))
    if any(errors):
        return Relation("indeterminate", f"Unable to compare {a} and {b}: {_failed(*errors)}")
    left, right = sides
    try:
        common = left_more = right_more = False
        for system in left.keys() | right.keys():
            mine, theirs = left.get(system), right.get(system)
            if not mine or not theirs:          # codes of this system on one side only
                left_more = left_more or bool(mine)
                right_more = right_more or bool(theirs)
                continue
            shared, more_left, more_right = _compare(catalog, system, mine, theirs)
            common, left_more, right_more = common or shared, left_more or more_left, right_more or more_right
    except _CannotTell as e:
        return Relation("indeterminate", f"Unable to compare {a} and {b}: {e}")
    if not any(left.values()) and not any(right.values()):
        return Relation("empty", f"Both the value sets {a} and {b} are empty")
    if not common:
        return Relation("disjoint", f"No shared codes between the value sets {a} and {b}")
    if not left_more and not right_more:
        return Relation("same", f"The value sets {a} and {b} contain the same codes")
    if left_more and right_more:
        return Relation("overlapping", f"Both value sets {a} and {b} contain the codes the other doesn't, but "
                                       "there is some overlap")
    if left_more:
        return Relation("superset", f"The valueSet {a} is a super-set of the valueSet {b}")
    return Relation("subset", f"The valueSet {a} is a sub-set of the valueSet {b}")
