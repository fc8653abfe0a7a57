"""Whether two codings name one concept, as the code system reads them: the rule that lets $validate-code take
the same code given twice (as `code`, `coding` and `codeableConcept`) in differing spellings."""
from __future__ import annotations

from ..errors import TerminologyError


def concept_of(catalog, system: str | None, coding: dict):
    """The concept `coding` names in `system` (its code system's own spelling: case, ICD-10 dot), None when the
    system is not loaded or does not hold the code."""
    code = coding.get("code")
    if system is None or not isinstance(code, str):
        return None
    try:
        cs = catalog.codesystem(system, coding.get("version") or None)
    except TerminologyError:
        return None
    if cs is None:
        return None
    return cs.find(code)[0]


def same_concept(catalog, a: dict, b: dict, default_system: str | None = None) -> bool:
    """Two codings naming one concept: the same system where both name one (an alias being its URL), and the
    same code as given or once the code system has read each (J12.8 is J128 in ICD-10-NO; Abc is abc in a
    case-insensitive system). `default_system` is the system of a coding that names none."""
    sa, sb = (catalog.canonical_system(x.get("system")) if x.get("system") else None for x in (a, b))
    if sa and sb and sa != sb:
        return False
    if a.get("code") == b.get("code"):
        return True
    system = sa or sb or (catalog.canonical_system(default_system) if default_system else None)
    ca = concept_of(catalog, system, a)
    if ca is None:
        return False
    cb = concept_of(catalog, system, b)
    return cb is not None and cb.code == ca.code
