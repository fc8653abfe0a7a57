"""Whether a ConceptMap is written in FHIR R5 shape, which Kodebro does not store.

The store holds what is read back, and this is an R4 server: a map stored in R5
shape (relationship, sourceScopeUri, additionalAttribute ...) would be served as
invalid R4. Converting on import was considered and refused: R5 → R4 loses what
R4 cannot say (element.valueSet, noMap, attribute codes, the direction of
not-related-to), so the author's map would be changed silently. An R5 map is
refused with a message that names the R5 parts; it can still be used for one
request (tx-resource or the conceptMap parameter of $translate), where both shapes
are read.

Most R5 elements already fail the R4 model ("extra inputs"); the code values do
not, because the models leave required bindings unchecked: an R5 relationship
code written into `equivalence`, or the R5 unmapped mode `use-source-code`,
would pass and then reach $translate answers as invalid R4.
"""
from __future__ import annotations

R4_EQUIVALENCES = frozenset({"relatedto", "equivalent", "equal", "wider", "subsumes", "narrower", "specializes",
                             "inexact", "unmatched", "disjoint"})
R4_UNMAPPED_MODES = frozenset({"provided", "fixed", "other-map"})
R5_RELATIONSHIPS = frozenset({"related-to", "equivalent", "source-is-narrower-than-target",
                              "source-is-broader-than-target", "not-related-to"})
R5_UNMAPPED_MODES = frozenset({"use-source-code", "fixed", "other-map"})
_R5_TOP = ("sourceScopeUri", "sourceScopeCanonical", "targetScopeUri", "targetScopeCanonical", "property",
           "additionalAttribute")
_R5_ELEMENT = ("valueSet", "noMap")
_R5_TARGET = ("relationship", "valueSet", "property")
_R5_UNMAPPED = ("relationship", "otherMap", "valueSet")


def r5_conceptmap_problems(cm: dict) -> list[str]:
    """One message naming the R5 parts of `cm` (at most five), or [] when it reads as R4."""
    return _r5_message(_walk(cm)[0])


def code_problems(cm: dict) -> list[str]:
    """The equivalence and unmapped mode codes that are neither R4 nor R5 (the R4 models leave these
    required bindings unchecked)."""
    return _walk(cm)[1][:10]


# R4 cmd-1: a target with no code has equivalence unmatched or disjoint (R5: not-related-to)
_CODELESS = frozenset({"unmatched", "disjoint", "not-related-to"})


def codeless_target_problem(target: dict, path: str) -> str | None:
    """Invariant cmd-1: a target without a code says that nothing matches, so its equivalence must say so too;
    otherwise $translate would answer a match with no concept."""
    code = target.get("code")
    if code not in (None, ""):      # a code of another JSON type is the shape check's to report
        return None
    if "valueSet" in target:      # R5: a whole value set as the target (reported on its own)
        return None
    named = [v for v in (target.get("equivalence"), target.get("relationship")) if isinstance(v, str)]
    if not named or all(v in _CODELESS for v in named):
        return None
    return f"{path} has no code, so its equivalence must be unmatched or disjoint (cmd-1)"


def _objects(items) -> list[tuple[int, dict]]:
    """(position, object) of the JSON objects in a list; nothing for anything else (the shape check reports it)."""
    return [(i, d) for i, d in enumerate(items) if isinstance(d, dict)] if isinstance(items, list) else []


def _walk(cm: dict) -> tuple[list[str], list[str]]:
    found: list[str] = [k for k in _R5_TOP if k in cm]
    bad_codes: list[str] = []
    for gi, g in _objects(cm.get("group")):
        for ei, el in _objects(g.get("element")):
            path = f"group[{gi}].element[{ei}]"
            found += [f"{path}.{k}" for k in _R5_ELEMENT if k in el]
            for ti, t in _objects(el.get("target")):
                tp = f"{path}.target[{ti}]"
                found += [f"{tp}.{k}" for k in _R5_TARGET if k in t]
                _code(t.get("equivalence"), f"{tp}.equivalence", R4_EQUIVALENCES, R5_RELATIONSHIPS,
                      "ConceptMapEquivalence", found, bad_codes)
                codeless = codeless_target_problem(t, tp)
                if codeless:
                    bad_codes.append(codeless)
                for key in ("dependsOn", "product"):
                    for di, d in _objects(t.get(key)):
                        found += [f"{tp}.{key}[{di}].{k}" for k in d
                                  if k == "attribute" or (k.startswith("value") and k != "value")]
            if len(found) >= 5:
                break
        um = g.get("unmapped")
        if isinstance(um, dict):
            found += [f"group[{gi}].unmapped.{k}" for k in _R5_UNMAPPED if k in um]
            _code(um.get("mode"), f"group[{gi}].unmapped.mode", R4_UNMAPPED_MODES, R5_UNMAPPED_MODES,
                  "ConceptMapGroupUnmappedMode", found, bad_codes)
        if len(found) >= 5:
            break
    return found, bad_codes


def _code(value, path: str, r4: frozenset, r5: frozenset, codes: str, found: list, bad_codes: list) -> None:
    """A code of an R4 element: fine when R4's, an R5 part of the map when R5's, else not a code at all."""
    if not isinstance(value, str) or value in r4:
        return
    if value in r5:
        found.append(f"{path} '{value}'")
    else:
        bad_codes.append(f"{path}: '{value}' is not a {codes} code ({', '.join(sorted(r4))})")


def _r5_message(found: list[str]) -> list[str]:
    if not found:
        return []
    more = " ..." if len(found) > 5 else ""
    return [f"this ConceptMap is written in FHIR R5 shape ({', '.join(found[:5])}{more}); Kodebro stores FHIR R4 "
            "ConceptMaps: write equivalence (an R4 ConceptMapEquivalence code) for relationship, "
            "sourceUri/sourceCanonical and targetUri/targetCanonical for sourceScope…/targetScope…, "
            "dependsOn.property and value for attribute and value[x], unmapped.mode 'provided' for "
            "'use-source-code' and unmapped.url for otherMap. An R5 map can still be used within one request, "
            "as a tx-resource or as the conceptMap parameter of $translate"]
