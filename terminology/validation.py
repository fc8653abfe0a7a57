"""Validation of incoming FHIR resources against the R4B models of fhir.resources.

R4B is identical to R4 for CodeSystem, ValueSet, ConceptMap and NamingSystem. Where the models are stricter
than R4 JSON (extensions on an Extension's primitive value; no-break spaces in codes), model_errors.py reads
the resource as R4 does.
The models do not enforce required code bindings, so the few that matter for
a terminology server (status, content) are checked here as well, with what the
engine would otherwise answer wrongly from: duplicate codes (csd-1), a hierarchy
with a cycle, a property value of another type than declared, and a url or
version no canonical reference could name ('|' in it, an empty url). The large
code system importers (RF2, ICD-10 ...) mark their output trusted and skip this, as do the HL7
packages shipped with Kodebro (validated once, by tests/hl7/test_hl7_valid.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from fhir.resources.R4B import get_fhir_model_class

from .duplicate_codes import repeated_codes
from .empty_values import empty_value_paths
from .errors import InvalidRequest
from .model_errors import CODE_PATTERN, STRING_PATTERN, model_errors
from .snomed.implicit import VALUESET_URL_FORM, is_valueset_url, map_url

_STATUS = {"draft", "active", "retired", "unknown"}
_CONTENT = {"not-present", "example", "fragment", "complete", "supplement"}


@lru_cache(maxsize=None)
def _model(rtype: str):
    return get_fhir_model_class(rtype)


# the elements of a conformance resource whose models fhir.resources imports on first use
_WARM_BODY = {"meta": {"tag": [{"system": "urn:x", "code": "x"}]}, "identifier": [{"system": "urn:x", "value": "x"}],
              "contact": [{"telecom": [{"system": "url", "value": "x"}]}],
              "useContext": [{"code": {"code": "x"}, "valueCodeableConcept": {"coding": [{"code": "x"}]}}],
              "jurisdiction": [{"coding": [{"code": "x"}]}], "extension": [{"url": "urn:x", "valueString": "x"}]}


def warm_models() -> None:
    """Import the models now (~80 ms for ValueSet's and the types it uses): a server's master does it before its
    workers fork, so the first request of each worker that checks a resource does not pay for it."""
    for rtype in ("CodeSystem", "ValueSet", "ConceptMap", "NamingSystem"):
        validation_errors({"resourceType": rtype, **_WARM_BODY}, lenient=True)


# what a resource sent with a request may still have: elements R4 lacks (test content and
# clients often speak R5) and missing required elements; wrong JSON types are never allowed,
# because the engine would trip over them
_LENIENT = {"extra_forbidden", "missing", "model_field_validation.missing", "primitive_extension_type"}


def validation_errors(resource: dict, *, lenient: bool = False) -> list[str]:
    """Human-readable problems with `resource`; empty when it is valid R4.

    `lenient` checks only the shape (JSON types of the R4 elements), for
    resources used within one request rather than stored.
    """
    if not isinstance(resource, dict):
        return ["not a JSON object"]
    rtype = resource.get("resourceType")
    if not rtype:
        return ["resourceType is missing"]
    try:
        model = _model(rtype)
    except Exception:
        return [f"unknown resourceType '{rtype}'"]
    if rtype == "ConceptMap" and not lenient:
        # stored maps are read back as they are: one in R5 shape is refused by name, not by model errors
        from .conceptmap_shape import r5_conceptmap_problems
        r5 = r5_conceptmap_problems(resource)
        if r5:
            return r5
    body = {k: v for k, v in resource.items() if k != "_flat_concepts"}
    problems: list[str] = []
    try:
        for err in [x for x in model_errors(model, body) if not (lenient and x.get("type") in _LENIENT)][:10]:
            loc = _path(err.get("loc", ()))
            msg = _plain(err, rtype)
            problems.append(f"{loc}: {msg}" if loc else msg)
    except RecursionError:
        # the models recurse per level of nesting: past some hundred levels they cannot read a resource at all
        problems.append("its elements are nested too deeply to be read (more than about a hundred levels, "
                        "e.g. concepts within concepts)")
    except Exception as e:  # the models raise plain errors for some malformed input
        problems.append(str(e).splitlines()[0][:300])
    problems += id_problems(resource.get("id"), characters=False)
    if not lenient:
        # (a request's own resources are read leniently: empty_values.py says how)
        problems += [f"{where} is not allowed: FHIR JSON leaves out an element without content"
                     for where in empty_value_paths(body)]
    status = resource.get("status")
    if rtype in ("CodeSystem", "ValueSet", "ConceptMap", "NamingSystem") and isinstance(status, str) \
            and status not in _STATUS:
        problems.append(f"status: '{status}' is not one of {sorted(_STATUS)}")
    if rtype == "ConceptMap" and not lenient:
        from .conceptmap_shape import code_problems
        problems += code_problems(resource)
    content = resource.get("content")
    if rtype == "CodeSystem" and isinstance(content, str) and content not in _CONTENT:
        problems.append(f"content: '{content}' is not one of {sorted(_CONTENT)}")
    if rtype in ("CodeSystem", "ValueSet", "ConceptMap") and not lenient:
        # stored content only: a request's own resource is found by the object it is, not by its canonical
        problems += canonical_problems(resource)
    if rtype == "ConceptMap" and not lenient:
        problems += reserved_map_problems(resource.get("id"), resource.get("url"))
    if rtype == "ValueSet" and not lenient:
        problems += reserved_valueset_problems(resource.get("url"))
    if rtype == "CodeSystem":
        problems += _duplicate_codes(resource.get("concept"))
        if not problems:    # read as the index reads it: a shape it can read, each code once
            problems += _cycle_problems(resource.get("concept"))
        if not lenient:
            # stored content only: a request's own code system is read as far as it can be (as the reference
            # servers read it), where a stored one is refused with the reason
            problems += _property_type_problems(resource)
    return problems


def canonical_problems(resource: dict) -> list[str]:
    """A url or version that could never be asked for: '|' splits a canonical reference into url and version,
    so 'http://x|1' as a url (or '1|2' as a version) would be stored and then be unaddressable."""
    problems: list[str] = []
    url, version = resource.get("url"), resource.get("version")
    if isinstance(url, str):
        if not url.strip():
            problems.append("url: must not be empty (a canonical url names the resource)")
        elif "|" in url and "?fhir_vs" not in url:     # an implicit value set's ECL writes terms between '|'s
            problems.append(f"url: '{url[:80]}' must not contain '|' (it separates url and version in a "
                            "canonical reference)")
    if isinstance(version, str) and "|" in version:
        problems.append(f"version: '{version[:80]}' must not contain '|' (it separates url and version in a "
                        "canonical reference)")
    return problems


# the id prefix of the SNOMED CT implicit ConceptMaps' headers (sct-cm-<refset>...): the one place it is written
RESERVED_MAP_ID = "sct-cm-"


def _implicit_map_url(url: str) -> bool:
    """Whether the server reads `url` as a SNOMED CT implicit ConceptMap's: by map_url's rule, one it answers,
    or one meant as one that it cannot read (refused there)."""
    try:
        return map_url(url) is not None
    except InvalidRequest:
        return True


def reserved_map_problems(rid, url) -> list[str]:
    """A stored ConceptMap at the url or id of a SNOMED CT implicit ConceptMap (R4 snomedct.html: `?fhir_cm=`, read
    from the loaded editions; `sct-cm-` ids are what a search gives their headers): the two would answer one url
    or id differently, so the server keeps those for its own."""
    problems = []
    if isinstance(rid, str) and rid.startswith(RESERVED_MAP_ID):
        problems.append(f"id: '{rid[:64]}' is reserved for SNOMED CT implicit ConceptMaps (ids starting "
                        f"'{RESERVED_MAP_ID}' are the server's own); give the ConceptMap another id")
    if isinstance(url, str) and _implicit_map_url(url):
        problems.append(f"url: '{url[:120]}' is reserved for SNOMED CT implicit ConceptMaps (the server answers "
                        "http://snomed.info/sct[/<module>[/version/<date>]]?fhir_cm=<refset> from the loaded "
                        "SNOMED CT editions); give the ConceptMap a url of its own")
    return problems


def reserved_valueset_problems(url) -> list[str]:
    """A stored ValueSet at the url of a SNOMED CT implicit value set (R4 snomedct.html `?fhir_vs`, read from the
    loaded editions): found before the implicit one, it would answer that url in its place, so the server keeps
    those urls for its own, as it keeps the implicit ConceptMaps' (reserved_map_problems)."""
    if not is_valueset_url(url):
        return []
    return [f"url: '{url[:120]}' is reserved for SNOMED CT implicit value sets (the server answers "
            f"{VALUESET_URL_FORM} from the loaded SNOMED CT editions); give the ValueSet a url of its own (its "
            "compose may include the implicit one: compose.include.valueSet)"]


ID_RULE = r"R4 datatypes.html#id: [A-Za-z0-9\-\.]{1,64}"
_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def is_fhir_id(rid) -> bool:
    """Whether `rid` is a string R4 accepts as a resource id."""
    return isinstance(rid, str) and _ID.fullmatch(rid) is not None


def id_problems(rid, *, characters: bool = True) -> list[str]:
    """What is wrong with a resource id by the R4 id rule. The models check a body's id for its characters
    but not its length, so validation_errors asks for the length only; an id from a URL needs both."""
    if not isinstance(rid, str) or _ID.fullmatch(rid):
        return []
    if len(rid) > 64:
        return [f"id: '{rid[:24]}…' is {len(rid)} characters long; an id has at most 64 ({ID_RULE})"]
    if characters:
        return [f"id: '{rid}' may hold only letters, digits, '-' and '.' ({ID_RULE})"]
    return []


def _path(loc) -> str:
    """A model error location as the FHIR path a person reads: compose.include[0].concept."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, float)):
        return f"{value} (a number)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string '{shown}'"
    if isinstance(value, list):
        return "an array"
    return "an object"


# the model's wording names Python types and JSON parsing; a client needs the FHIR JSON shape it must send
_WANTS = {"json_invalid": "a JSON object", "model_type": "a JSON object", "dict_type": "a JSON object",
          "model_attributes_type": "a JSON object", "list_type": "a JSON array", "string_type": "a string",
          "bool_type": "true or false", "bool_parsing": "true or false", "int_type": "an integer",
          "int_parsing": "an integer", "int_from_float": "an integer", "float_type": "a number",
          "float_parsing": "a number", "decimal_type": "a number", "decimal_parsing": "a number"}


def _plain(err: dict, rtype: str) -> str:
    kind, value = err.get("type", ""), err.get("input")
    if kind in _WANTS:
        return f"must be {_WANTS[kind]}, not {_kind(value)}"
    if kind == "extra_forbidden":
        hint = (err.get("ctx") or {}).get("hint")
        return f"is not an element of an R4 {rtype}" + (f" ({hint})" if hint else "")
    if kind in ("missing", "model_field_validation.missing"):
        return "is required but missing"
    if kind == "string_pattern_mismatch":
        pattern = (err.get("ctx") or {}).get("pattern", "?")
        if pattern == CODE_PATTERN:
            return f"{_kind(value)} is not a valid code: no leading, trailing or repeated whitespace"
        if pattern.strip("^$") == STRING_PATTERN:
            return f"{_kind(value)} is not a valid FHIR string: it must not be empty"
        shown = pattern.encode("unicode_escape").decode("ascii")
        return f"{_kind(value)} does not have the form R4 requires here (pattern {shown})"
    msg = err.get("msg", "invalid").removeprefix("Value error, ")
    choices = _CHOICES.search(msg)
    if choices:
        many = "but got multiple" in msg
        return (f"needs exactly one of {choices.group(1).replace(chr(39), '').strip('[]')}"
                + (", not several" if many else ""))
    form = _FORM.match(msg)
    if form:
        name, forms = _FORMS[form.group(1)]
        return f"{_kind(value)} is not a valid FHIR {name}: use {forms}"
    return msg


# the model names a choice element's alternatives and a date type's regex; the client needs the R4 forms
_CHOICES = re.compile(r"from this list (\[[^\]]*\])")
_FORM = re.compile(r"(DateTime|Date|Instant|Time) value string does not match")
_FORMS = {"Date": ("date", "YYYY, YYYY-MM or YYYY-MM-DD"),
          "DateTime": ("dateTime", "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss with a time zone (Z or +hh:mm)"),
          "Instant": ("instant", "YYYY-MM-DDThh:mm:ss with a time zone (Z or +hh:mm)"), "Time": ("time", "hh:mm:ss")}


def _duplicate_codes(concepts) -> list[str]:
    """Invariant csd-1 ("all the codes SHALL be unique"): a second concept with a code would otherwise be lost
    silently, with its display and its place in the hierarchy. (A code system a request brings along reaches
    this check with its codes merged already: fhir_api/supplied.py, duplicate_codes.py.)"""
    repeated = repeated_codes(concepts)
    if not repeated:
        return []
    shown = ", ".join(f"'{c}'" for c in repeated[:5]) + (f" and {len(repeated) - 5} more" if len(repeated) > 5 else "")
    return [f"concept: the code {shown} is defined more than once; codes in a code system must be unique (csd-1)"]


def _cycle_problems(concepts) -> list[str]:
    """A hierarchy in which a concept is its own ancestor: subsumption would answer both ways and is-a would
    no longer hold its descendants."""
    from .codesystem import flatten_concepts      # the parents as the index reads them (nesting, properties)
    parents = {f["code"]: f["parents"] for f in flatten_concepts(concepts)
               if f.get("parents") and isinstance(f.get("code"), str)}
    # (sorted: the same cycle is named the same way whatever the concept order)
    for _parent, ring in parent_loops(parents, lambda p: p, sorted(parents)):
        shown = " -> ".join(ring) if len(ring) <= 12 else " -> ".join(ring[:6] + ["…"] + ring[-5:])
        return [f"concept '{ring[0]}' is its own ancestor ({shown}): a code system hierarchy must not have cycles"]
    return []


def parent_loops(links: dict, parent_of, starts) -> Iterator[tuple[object, list]]:
    """The loops of a hierarchy: `links` maps a code to its links up (`parent_of(link)` is the parent a link names),
    walked depth-first from each of `starts` in turn. Yields each link that closes a loop, with the loop from the
    parent it names down and back to it ([p, …, child, p]). Iterative (any depth), linear in codes plus links; the
    one loop finder of stored code systems (validation) and importers' trusted output (importers.base)."""
    state: dict = {}        # 1 on the current path, 2 done
    for start in starts:
        if start in state:
            continue
        path = [start]
        state[start] = 1
        todo = [iter(links.get(start, ()))]
        while todo:
            link = next(todo[-1], None)
            if link is None:
                todo.pop()
                state[path.pop()] = 2
                continue
            p = parent_of(link)
            seen = state.get(p)
            if seen == 1:
                yield link, path[path.index(p):] + [p]
            elif seen is None and p in links:
                state[p] = 1
                path.append(p)
                todo.append(iter(links[p]))


_VALUE_OF_TYPE = {"code": "valueCode", "Coding": "valueCoding", "string": "valueString", "integer": "valueInteger",
                  "boolean": "valueBoolean", "dateTime": "valueDateTime", "decimal": "valueDecimal"}


def _property_type_problems(resource: dict) -> list[str]:
    """Concept property values whose type is not the one CodeSystem.property declares for that code: the
    engine reads them by the declaration (a valueString 'true' for a boolean would be read as true)."""
    declared = {}
    for p in resource.get("property") if isinstance(resource.get("property"), list) else ():
        if isinstance(p, dict) and isinstance(p.get("code"), str) and isinstance(p.get("type"), str) \
                and p["type"] in _VALUE_OF_TYPE:
            declared[p["code"]] = p["type"]
    if not declared:
        return []
    out: list[str] = []
    stack = [resource.get("concept")]
    while stack and len(out) < 5:
        level = stack.pop()
        for c in level if isinstance(level, list) else ():
            if not isinstance(c, dict):
                continue
            for p in c.get("property") if isinstance(c.get("property"), list) else ():
                name = p.get("code") if isinstance(p, dict) else None
                kind = declared.get(name) if isinstance(name, str) else None
                if kind is None:
                    continue
                given = next((k for k in p if k.startswith("value")), None)
                if given is not None and given != _VALUE_OF_TYPE[kind]:
                    out.append(f"concept '{c.get('code')}': property '{p['code']}' is declared of type {kind} "
                               f"(CodeSystem.property), so its value is {_VALUE_OF_TYPE[kind]}, not {given}")
            stack.append(c.get("concept"))
    return out[:5]
