"""CodeSystem/$subsumes: how two codes of one code system relate in its hierarchy.

The hierarchy test is `cs.subsumes(a, b)`, which a CodeSystemIndex subclass may
override (SNOMED CT answers from its own transitive closure).
"""
from __future__ import annotations

from ..errors import InvalidRequest, NotFound
from .lookup import resolve_codesystem

EQUIVALENT, SUBSUMES, SUBSUMED_BY, NOT_SUBSUMED = "equivalent", "subsumes", "subsumed-by", "not-subsumed"


def _side(label: str, code: str | None, coding: dict | None) -> tuple[str, str | None, str | None]:
    if coding is not None:
        if code is not None and code != coding.get("code"):
            raise InvalidRequest(f"give {label} either as code{label} or as coding{label}, not both",
                                 location=f"coding{label}")
        code = coding.get("code")
        if not isinstance(code, str) or not code:
            raise InvalidRequest(f"coding{label} has no code", location=f"coding{label}")
        return code, coding.get("system"), coding.get("version")
    if not code:
        raise InvalidRequest(f"$subsumes needs code{label} or coding{label}", location=f"code{label}")
    return code, None, None


def subsumes(catalog, *, system: str | None, version: str | None = None,
             code_a: str | None = None, code_b: str | None = None,
             coding_a: dict | None = None, coding_b: dict | None = None) -> str:
    a, sys_a, ver_a = _side("A", code_a, coding_a)
    b, sys_b, ver_b = _side("B", code_b, coding_b)
    canon = catalog.canonical_system
    systems = {canon(s) for s in (system, sys_a, sys_b) if s}
    if not systems:
        raise InvalidRequest("$subsumes needs the system of the codes", location="system")
    if len(systems) > 1:
        raise InvalidRequest("$subsumes compares codes of one code system; got "
                             + ", ".join(sorted(systems)), location="system")
    versions = {v for v in (version, ver_a, ver_b) if v}
    if len(versions) > 1:
        raise InvalidRequest("$subsumes compares codes of one version; got " + ", ".join(sorted(versions)),
                             location="version")
    cs = resolve_codesystem(catalog, systems.pop(), versions.pop() if versions else None,
                            purpose="subsumption cannot be tested")
    ca = _find(cs, a, "A")
    cb = _find(cs, b, "B")
    if ca == cb:
        return EQUIVALENT
    if cs.subsumes(ca, cb):
        return SUBSUMES
    if cs.subsumes(cb, ca):
        return SUBSUMED_BY
    return NOT_SUBSUMED


def _find(cs, code: str, label: str) -> str:
    concept, _ = cs.find(code)
    if concept is None:
        v = f" version '{cs.version}'" if cs.version else ""
        raise NotFound(f"Unable to find code{label} '{code}' in {cs.url}{v}", location=f"code{label}",
                       tx_code="invalid-code")
    return concept.code
