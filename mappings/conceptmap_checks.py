"""What makes a ConceptMap a request brought unusable for $translate, beyond what its shape check says.

Every map a request brings (`conceptMap`, `tx-resource`) is first checked for
shape by the R4 models (fhir_api.supplied → terminology.validation, lenient):
that check already refuses the wrong JSON types of every R4 element (a group
that is not a list, a code that is a number, ...), naming the element. It lets
through, on purpose, what an R5 map or a map used for one request may have, and
the models leave code bindings and required elements unchecked. So this module
checks only that remainder:

- the values of the R5 elements (sourceScopeUri, relationship, otherMap,
  additionalAttribute, attribute), which the lenient check skips as unknown;
- the codes of equivalence, relationship and unmapped.mode (bindings);
- what $translate needs that the schema leaves optional or the lenient check
  forgives: an equivalence or relationship on every target, a property or
  attribute on every dependsOn/product, the code or map an unmapped mode needs
  (cmd-2, cmd-3);
- empty strings where a uri or code is needed (the string types accept them);
- `source`/`target` written at the top of the map for its value sets;
- the R5 value-set targets $translate cannot answer with (target.valueSet,
  unmapped.valueSet).

The walk itself trusts no JSON type, so a map that skipped the shape check
(an in-process caller) cannot make it fail.
"""
from __future__ import annotations

from terminology.conceptmap_shape import (R4_EQUIVALENCES, R4_UNMAPPED_MODES, R5_RELATIONSHIPS, R5_UNMAPPED_MODES,
                                          codeless_target_problem)

# a map used within one request may be R4 or R5
UNMAPPED_MODES = R4_UNMAPPED_MODES | R5_UNMAPPED_MODES
_R4_SCOPES = ("Uri", "Canonical")
_R5_SCOPES = ("ScopeUri", "ScopeCanonical")


def json_type(value) -> str:
    """How a JSON value reads in a message: `'abc'`, `the number 3`, `a list` ..."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else f"'{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"


def map_problems(cm: dict) -> list[str]:
    """What makes `cm` (R4 or R5) unusable for translation once its shape is checked; empty when it can be
    used. Each message names the element."""
    out: list[str] = []
    for side in ("source", "target"):
        for suffix in _R4_SCOPES + _R5_SCOPES:
            k, v = side + suffix, cm.get(side + suffix)
            # the R4 elements' other types are the shape check's; the R5 ones it does not read
            if k in cm and not _nonempty(v) and (suffix in _R5_SCOPES or v is None or isinstance(v, str)):
                out.append(f"{k} must be a uri (a non-empty string), not {json_type(v)}")
        for k in (side, f"{side}Scope"):
            if k in cm:
                out.append(f"'{k}' is not an element of ConceptMap: the {side} value set is "
                           f"{side}Uri/{side}Canonical (R4) or {side}ScopeUri/{side}ScopeCanonical (R5)")
    attributes = cm.get("additionalAttribute")
    if attributes is not None and not isinstance(attributes, list):
        out.append(f"additionalAttribute must be a list, not {json_type(attributes)}")
    for gi, g in enumerate(_list(cm.get("group"))):
        if isinstance(g, dict):
            out += _group_problems(g, f"group[{gi}]")
    return out


def _group_problems(g: dict, gp: str) -> list[str]:
    # a group without source (or target) takes it from the map's value set (mappings.conceptmap_index)
    out = _empty_strings(g, gp, ("source", "target", "sourceVersion", "targetVersion"))
    for ei, el in enumerate(_list(g.get("element"))):
        if isinstance(el, dict):
            out += _element_problems(el, f"{gp}.element[{ei}]")
    um = g.get("unmapped")
    if isinstance(um, dict):
        out += _unmapped_problems(um, f"{gp}.unmapped")
    return out


def _unmapped_problems(um: dict, path: str) -> list[str]:
    mode = um.get("mode")
    if not isinstance(mode, str) or mode not in UNMAPPED_MODES:
        return [f"{path}.mode {json_type(mode)} is not one of {', '.join(sorted(UNMAPPED_MODES))}"]
    out = _empty_strings(um, path, ("url",)) + _nulls(um, path, ("code",))
    if "otherMap" in um and not _nonempty(um["otherMap"]):
        out.append(f"{path}.otherMap must be a non-empty string, not {json_type(um['otherMap'])}")
    if "valueSet" in um:
        out.append(f"{path}.valueSet (R5: every code of a value set as the answer) is not supported by "
                   f"$translate here: give {path}.code")
    # cmd-2 and cmd-3: what the mode needs
    elif mode == "fixed" and "code" not in um:
        out.append(f"{path} has mode fixed but no code")
    if mode == "other-map" and "url" not in um and "otherMap" not in um:
        out.append(f"{path} has mode other-map but no url (R4) or otherMap (R5)")
    return out + _equivalence_problems(um, path, required=False)


def _element_problems(el: dict, path: str) -> list[str]:
    out = _nulls(el, path, ("code",))
    # an element without a code is allowed (R4 element.code is 0..1; the spec's own ConceptMap-103 has one)
    # R5 elements the lenient shape check lets through untyped
    if "valueSet" in el and not _nonempty(el["valueSet"]):
        out.append(f"{path}.valueSet must be a canonical (a non-empty string), not {json_type(el['valueSet'])}")
    if "noMap" in el and not isinstance(el["noMap"], bool):
        out.append(f"{path}.noMap must be true or false, not {json_type(el['noMap'])}")
    for ti, t in enumerate(_list(el.get("target"))):
        if not isinstance(t, dict):
            continue
        tp = f"{path}.target[{ti}]"
        out += _nulls(t, tp, ("code",))
        out += _equivalence_problems(t, tp, required=True)
        codeless = codeless_target_problem(t, tp)
        if codeless:
            out.append(codeless)
        if "valueSet" in t and "code" not in t:
            out.append(f"{tp}.valueSet (R5: a target that is a whole value set) is not supported by $translate "
                       f"here, whose match answers with a code: give {tp}.code")
        for k in ("dependsOn", "product"):
            for di, d in enumerate(_list(t.get(k))):
                # a property of another JSON type is the shape check's to report
                if isinstance(d, dict) and _absent(d.get("property")) and not _nonempty(d.get("attribute")):
                    out.append(f"{tp}.{k}[{di}] has no property (R4) or attribute (R5)")
    return out


def _equivalence_problems(item: dict, path: str, required: bool) -> list[str]:
    e, r = item.get("equivalence"), item.get("relationship")
    if e is not None and not (isinstance(e, str) and e in R4_EQUIVALENCES):
        return [f"{path}.equivalence {json_type(e)} is not a ConceptMapEquivalence code"]
    if r is not None and not (isinstance(r, str) and r in R5_RELATIONSHIPS):
        return [f"{path}.relationship {json_type(r)} is not a ConceptMapRelationship code"]
    if required and e is None and r is None:
        return [f"{path} has neither equivalence (R4) nor relationship (R5)"]
    if e is not None and r is not None:
        # (imported here: conceptmap imports this module's callers)
        from .conceptmap import EQUIVALENCE_TO_RELATIONSHIP, RELATIONSHIP_TO_EQUIVALENCE
        if RELATIONSHIP_TO_EQUIVALENCE[r] != e and EQUIVALENCE_TO_RELATIONSHIP[e] != r:
            return [f"{path} has equivalence '{e}' and relationship '{r}', which disagree: give one of them"]
    return []


def _empty_strings(obj: dict, path: str, keys) -> list[str]:
    """The elements of `keys` that `obj` has as an empty string or null (the string types take "", and a
    JSON null is no value); any other wrong type is the shape check's to report."""
    return [f"{path}.{k} must be a non-empty string, not {json_type(obj[k])}" for k in keys
            if k in obj and (obj[k] is None or (isinstance(obj[k], str) and not obj[k].strip()))]


def _nulls(obj: dict, path: str, keys) -> list[str]:
    """The codes `obj` gives as JSON null (the code type's pattern already refuses an empty one)."""
    return [f"{path}.{k} must be a non-empty string, not null" for k in keys if k in obj and obj[k] is None]


def _absent(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _nonempty(v) -> bool:
    return isinstance(v, str) and bool(v.strip())


def _list(v) -> list:
    return v if isinstance(v, list) else []
