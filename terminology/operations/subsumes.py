"""CodeSystem/$subsumes: how two codes of one code system relate in its hierarchy.

The hierarchy test is `cs.subsumes(a, b)`, which a CodeSystemIndex subclass may
override (SNOMED CT answers from its own transitive closure).
"""
from __future__ import annotations

from ..errors import InvalidRequest, UnknownCode
from .lookup import resolve_codesystem

EQUIVALENT, SUBSUMES, SUBSUMED_BY, NOT_SUBSUMED = "equivalent", "subsumes", "subsumed-by", "not-subsumed"


def _side(label: str, code: str | None, coding: dict | None) -> tuple[str, str | None, str | None, str]:
    """(code, system, version, the parameter it came in) of one side."""
    if coding is not None:
        if code is not None and code != coding.get("code"):
            raise InvalidRequest(f"give {label} either as code{label} or as coding{label}, not both",
                                 location=f"coding{label}")
        code = coding.get("code")
        if not isinstance(code, str) or not code:
            raise InvalidRequest(f"coding{label} has no code", location=f"coding{label}")
        return code, coding.get("system"), coding.get("version"), f"coding{label}"
    if not code:
        # no one parameter is at fault: the request lacks a pair (the reference servers' words, no expression)
        raise InvalidRequest("Must provide either codingA and codingB, or codeA and codeB with system")
    return code, None, None, f"code{label}"


def subsumes(catalog, *, system: str | None, version: str | None = None,
             code_a: str | None = None, code_b: str | None = None,
             coding_a: dict | None = None, coding_b: dict | None = None, date: str | None = None) -> str:
    """How code A relates to code B. `date` is not an R4 $subsumes parameter, but $lookup and $validate-code
    take it, so it is honoured the same way: the edition of a yearly codebook in force that day answers."""
    a, sys_a, ver_a, where_a = _side("A", code_a, coding_a)
    b, sys_b, ver_b, where_b = _side("B", code_b, coding_b)
    # the parameter at fault is named, as the reference servers do: a side that cannot say its system, else B
    if not system:
        for sys_x, where in ((sys_a, where_a), (sys_b, where_b)):
            if not sys_x and (where.startswith("coding") or not (sys_a or sys_b)):
                raise InvalidRequest(f"No code system is provided for {where}, so subsumption cannot be tested",
                                     location=where)
    canon = catalog.canonical_system
    systems = list(dict.fromkeys(canon(s) for s in (system, sys_a, sys_b) if s))
    if len(systems) > 1:
        named = "' and '".join(systems)
        raise InvalidRequest("Subsumption can only be tested between two codes in the same code system, but the "
                             f"code systems are '{named}'", location=where_b if sys_b else where_a)
    versions = {v for v in (version, ver_a, ver_b) if v}
    if len(versions) > 1:
        raise InvalidRequest("$subsumes compares codes of one version; got " + ", ".join(sorted(versions)),
                             location=where_b if ver_b else where_a)
    cs = resolve_codesystem(catalog, systems[0], versions.pop() if versions else None, date=date,
                            purpose="subsumption cannot be tested")
    return relation(cs, find_code(cs, a, where_a), find_code(cs, b, where_b))


def relation(cs, a: str, b: str) -> str:
    """How the concept `a` relates to `b` in the code system `cs`, both as the code system spells them
    (find_code): the one rule $subsumes and $closure answer by."""
    if a == b:
        return EQUIVALENT
    if cs.subsumes(a, b):
        return SUBSUMES
    if cs.subsumes(b, a):
        return SUBSUMED_BY
    return NOT_SUBSUMED


def find_code(cs, code: str, where: str) -> str:
    """The code of the concept `code` names in `cs` (a dotted or case-folded spelling finds it); UnknownCode
    naming the parameter `where` when there is none."""
    concept, _ = cs.find(code)
    if concept is None:
        v = f" version '{cs.version}'" if cs.version else ""
        # worded as $validate-code words an unknown code
        raise UnknownCode(f"Unknown code '{code}' in the CodeSystem '{cs.url}'{v}", location=where,
                          tx_code="invalid-code")
    return concept.code
