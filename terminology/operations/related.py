"""How two value sets' codes relate: same, subset, superset, overlapping, disjoint (or indeterminate).

Registries compare value sets across editions ("did the 2024 list of reportable diagnoses lose codes?").
Each value set is read as, per code system, either the whole system or a set of codes: an include of a
whole system is compared by name, so a value set of all of SNOMED CT is never enumerated; everything else
is enumerated by the same membership rule as $expand. Codes are compared by system and code, whatever
version each value set takes.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import NotFound, NotSupported, TooCostly
from ..grammar import GrammarIndex
from .compose import ComposeEvaluator
from .compose_checks import FilterNotUnderstood, vs_canonical
from .version_rules import SystemVersionRules

MAX_COMPARED = 100_000          # codes enumerated per value set before the answer is "indeterminate"


@dataclass(frozen=True)
class _Whole:
    """Every code of a system (of one version, when the include names one)."""
    version: str | None


class _CannotTell(Exception):
    pass


@dataclass
class Relation:
    result: str                 # same | subset | superset | overlapping | disjoint | indeterminate
    message: str


def _whole_system(inc: dict) -> bool:
    return bool(inc.get("system")) and not (inc.get("concept") or inc.get("filter") or inc.get("valueSet"))


def _side(catalog, vs: dict, name: str, rules) -> dict:
    """system -> _Whole or the set of codes the value set takes from it."""
    compose = vs.get("compose")
    if not isinstance(compose, dict):
        if isinstance(vs.get("expansion"), dict):
            compose = {}
        else:
            raise _CannotTell(f"the value set {name} has no compose")
    excludes = compose.get("exclude") or []
    # an exclude narrows the whole systems it names (or, through an import, any system): enumerate those
    narrowed = {catalog.canonical_system(e["system"]) for e in excludes if e.get("system")}
    if any(not e.get("system") for e in excludes) or compose.get("inactive") is False:
        narrowed = None
    out: dict = {}
    rest = []
    for inc in compose.get("include") or []:
        system = catalog.canonical_system(inc.get("system")) if inc.get("system") else None
        if _whole_system(inc) and narrowed is not None and system not in narrowed and system not in out:
            out[system] = _Whole(inc.get("version"))
        else:
            rest.append(inc)
    if not compose and isinstance(vs.get("expansion"), dict):
        # a stated expansion: its codes are its entries, counted before anything is built from them
        keys = ComposeEvaluator(catalog, rules=rules).expansion_keys(vs)
        if len(keys) > MAX_COMPARED:
            raise _CannotTell(f"the value set {name} has more than {MAX_COMPARED:,} codes to compare")
        for system, code in keys:
            out.setdefault(catalog.canonical_system(system), set()).add(code)
        return out
    if rest:
        enumerated = {**vs, "compose": {**compose, "include": rest}}
        try:
            for n, m in enumerate(ComposeEvaluator(catalog, rules=rules).members(enumerated)):
                if n >= MAX_COMPARED:
                    raise _CannotTell(f"the value set {name} has more than {MAX_COMPARED:,} codes to compare")
                got = out.setdefault(m.system, set())
                if not isinstance(got, _Whole):
                    got.add(m.code)
        except FilterNotUnderstood:
            raise
        except (NotFound, TooCostly, NotSupported) as e:
            # what this server cannot tell (a missing code system, too many codes, no content here); a value
            # set that is invalid (a bad filter) is the client's error, answered as $expand answers it
            raise _CannotTell(f"the value set {name} cannot be enumerated: {e.message}") from None
    return out


def _index(catalog, system: str, whole: _Whole):
    cs = catalog.codesystem(system, whole.version)
    if cs is None:
        v = f" version {whole.version}" if whole.version else ""
        raise _CannotTell(f"the code system {system}{v} is not known, so its codes cannot be compared")
    return cs


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
            raise _CannotTell(f"the codes of {system} cannot be listed: {e.message}") from None
    elif isinstance(theirs, _Whole):
        common, theirs_more, mine_more = _compare(catalog, system, theirs, mine)
        return common, mine_more, theirs_more
    elif isinstance(mine, _Whole):
        # a list against a whole system: count the listed codes the system has, never enumerate it
        cs = _index(catalog, system, mine)
        grammar = isinstance(cs, GrammarIndex)
        if grammar or cs.content != "complete":
            raise _CannotTell(f"the code system {system} does not hold all its codes here (content {cs.content}"
                              f"{', a grammar' if grammar else ''}), so they cannot be counted")
        present = sum(1 for code in theirs if cs.get(code) is not None)
        return present > 0, present < len(cs), present < len(theirs)
    return not mine.isdisjoint(theirs), bool(mine - theirs), bool(theirs - mine)


def relate(catalog, this_vs: dict, other_vs: dict, rules: SystemVersionRules | None = None) -> Relation:
    a = vs_canonical(this_vs) or "(unidentified)"
    b = vs_canonical(other_vs) or "(unidentified)"
    try:
        left, right = _side(catalog, this_vs, a, rules), _side(catalog, other_vs, b, rules)
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
    if not left and not right:
        return Relation("same", f"The value sets {a} and {b} contain the same codes (none)")
    if not common:
        return Relation("disjoint", f"No shared codes between the value sets {a} and {b}")
    if not left_more and not right_more:
        return Relation("same", f"The value sets {a} and {b} contain the same codes")
    if left_more and right_more:
        return Relation("overlapping", f"The value sets {a} and {b} share codes, and each has codes the other "
                                       "does not")
    if left_more:
        return Relation("superset", f"The value set {a} is a superset of the value set {b}")
    return Relation("subset", f"The value set {a} is a subset of the value set {b}")
