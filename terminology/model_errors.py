"""The R4B models' errors for a resource, less those where the models are stricter than R4 JSON.

Both are met in HL7's own content (the core package's HL7 v2 code systems):

- a primitive value of a choice element with its id and extensions in the `_<typed name>` sibling (R4 json.html;
  `valueString` -> `_valueString`, e.g. a translation of a comment extension's text): the models lack those
  siblings on Extension.value[x] and call them unknown elements;
- FHIR's code and string regexes are XML-Schema regexes, in which \\s is space, tab, CR and LF only; the models
  run them with Unicode's \\s, so a code ending in a no-break space (v2-0550 'CHESTÂ\\u00a0') is refused.

A field error stops the model's checks of the elements around it (choice and required-element checks run once a
model's fields are read), so a resource with such spots is validated again with them set aside; what a `_<name>`
holds is validated on its own, as the primitive extension it is, its errors placed under its path.
"""
from __future__ import annotations

import re
import typing
from functools import lru_cache

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.fhirprimitiveextension import FHIRPrimitiveExtension
from pydantic import ValidationError

# R4 datatypes.html: the primitive types, as a choice element's typed names spell them after the prefix
PRIMITIVES = frozenset({"base64Binary", "boolean", "canonical", "code", "date", "dateTime", "decimal", "id",
                        "instant", "integer", "markdown", "oid", "positiveInt", "string", "time", "unsignedInt",
                        "uri", "url", "uuid"})

# the models' code and string patterns, and what they mean with XML Schema's \s (space, tab, CR, LF)
CODE_PATTERN = r"^[^\s]+(\s[^\s]+)*$"
STRING_PATTERN = "[ \r\n\t\\S]+"       # (raw CR, LF and TAB, as the models write it)
# (the other control characters are not whitespace to XML Schema either, but XML cannot carry them and R4 strings
# SHOULD NOT hold them: refused, as the HL7 validator refuses them)
_XSD_CODE = re.compile(r"[^\x00-\x20]+([ \t\r\n][^\x00-\x20]+)*")


def is_r4_code(value) -> bool:
    """Whether `value` may stand as an R4 code (no whitespace at its ends, none but single spaces, tabs or line
    breaks inside): what an answer may echo as valueCode."""
    return isinstance(value, str) and _XSD_CODE.fullmatch(value) is not None


# what the second validation reads in place of a value the models refuse but R4 allows (never stored)
_STAND_IN = "x"
_SET_ASIDE = object()


def model_errors(model, body) -> list[dict]:
    """pydantic's error dicts for `body` read as `model`, as R4 JSON would have them."""
    errors = _errors(model, body)
    if not errors:
        return []
    patches: dict[tuple, object] = {}
    carried: list[dict] = []        # errors within the primitive extensions set aside
    kept: list[dict] = []
    set_aside: list[dict] = []      # the models' errors at the spots set aside
    for err in errors:
        loc = tuple(err.get("loc", ()))
        kind = err.get("type")
        if kind == "extra_forbidden" and loc and isinstance(loc[-1], str) and loc[-1].startswith("_"):
            owner, parent = _owner(model, body, loc[:-1])
            verdict = _primitive_choice(owner, loc[-1][1:])
            if verdict is True and isinstance(parent, dict):
                patches[loc] = _SET_ASIDE
                carried += [{**e, "loc": loc + tuple(e["loc"])} for e in _primitive_extension_errors(err["input"])]
                carried += _one_type(owner, parent, loc)
                set_aside.append(err)
                continue
            if verdict:
                err = {**err, "ctx": {**(err.get("ctx") or {}), "hint": verdict}}
        elif kind == "string_pattern_mismatch" and _valid_by_xsd(err) and loc:
            patches[loc] = _STAND_IN
            set_aside.append(err)
            continue
        elif _empty_primitive_extension(err):
            err = _empty_message(err)
        kept.append(err)
    if not patches:
        return kept
    patched = _patched(body, patches)
    if patched is None:     # (not met: pydantic's locations are the JSON's keys) refuse rather than pass unread
        return set_aside + kept
    return model_errors(model, patched) + carried


def _errors(model, body) -> list[dict]:
    try:
        model.model_validate(body)
    except ValidationError as e:
        return e.errors()
    return []


def _primitive_extension_errors(value) -> list[dict]:
    """The errors of a `_<name>` object (id and extension), at paths relative to it."""
    if not isinstance(value, dict):
        # (the model's own check of this shape fails with a Python error, not a validation error)
        return [{"type": "dict_type", "loc": (), "input": value, "msg": "not an object"}]
    return [_empty_message(e) if _empty_primitive_extension(e) else e
            for e in model_errors(FHIRPrimitiveExtension, value)]


def _empty_primitive_extension(err: dict) -> bool:
    return err.get("type") == "model_validation_format" and "One of field value is required" in err.get("msg", "")


def _empty_message(err: dict) -> dict:
    return {**err, "type": "primitive_extension_empty",
            "msg": "must hold an id or extensions (R4 json.html: the '_' element of a primitive value carries "
                   "its id and extensions); leave it out when there are none"}


def _valid_by_xsd(err: dict) -> bool:
    value, pattern = err.get("input"), (err.get("ctx") or {}).get("pattern")
    if not isinstance(value, str):
        return False
    if pattern == CODE_PATTERN:
        return is_r4_code(value)
    if isinstance(pattern, str) and pattern.strip("^$") == STRING_PATTERN:
        return value != ""      # [ \r\n\t\S] is any character when \S is all but XML Schema's four
    return False


@lru_cache(maxsize=None)
def _fields(cls) -> dict:
    return {(f.alias or name): (name, f) for name, f in cls.model_fields.items()}


def _model_class(annotation):
    """The model class an element's annotation names (through Optional, List, Annotated), or None for a
    primitive."""
    klass = getattr(annotation, "get_model_klass", None)
    if klass is not None:
        return klass()
    for arg in typing.get_args(annotation):
        found = _model_class(arg)
        if found is not None:
            return found
    return None


_ANY_RESOURCE = {"Resource", "DomainResource"}


def _owner(model, body, path) -> tuple:
    """The model class and the JSON object at `path` (an error location without its last key), or Nones."""
    cls, node = model, body
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or not -len(node) <= part < len(node):
                return None, None
            node = node[part]
        else:
            entry = _fields(cls).get(part)
            if entry is None or not isinstance(node, dict):
                return None, None
            cls, node = _model_class(entry[1].annotation), node.get(part)
            if cls is None:
                return None, None
        if cls.__name__ in _ANY_RESOURCE and isinstance(node, dict) and isinstance(node.get("resourceType"), str):
            try:        # contained resources: the element names Resource, the object says which
                cls = get_fhir_model_class(node["resourceType"])
            except Exception:
                return None, None
    return cls, node


def _choice_type(cls, name: str) -> tuple[str, str] | None:
    """(prefix, FHIR type) when `name` is a choice element's typed name in `cls`: valueString -> (value, string)."""
    entry = _fields(cls).get(name)
    extra = entry[1].json_schema_extra if entry else None
    prefix = extra.get("one_of_many") if isinstance(extra, dict) else None
    if not prefix or not name.startswith(prefix) or len(name) == len(prefix):
        return None
    rest = name[len(prefix):]
    return prefix, rest[0].lower() + rest[1:]


def _primitive_choice(cls, name: str):
    """True when `_<name>` is the primitive extension of a choice element's primitive value in `cls`; a hint
    when `name` is an element that is not a primitive; None when it is no element of `cls`."""
    if cls is None:
        return None
    choice = _choice_type(cls, name)
    if choice and choice[1] in PRIMITIVES:
        return True
    entry = _fields(cls).get(name)
    if entry and _model_class(entry[1].annotation) is not None:
        return f"{name} is not a primitive: its id and extensions go inside it, not in a '_' element"
    return None


def _one_type(cls, parent: dict, loc: tuple) -> list[dict]:
    """A choice element holds one type: `_valueCode` beside `valueString` extends a value that is not there."""
    name = loc[-1][1:]
    prefix = _choice_type(cls, name)[0]
    values = sorted(k for k in parent if not k.startswith("_") and (_choice_type(cls, k) or ("",))[0] == prefix)
    extended = sorted(k[1:] for k in parent if k.startswith("_") and (_choice_type(cls, k[1:]) or ("",))[0] == prefix)
    if values and name not in values:
        other = f"a {values[0]}"
    elif not values and extended and name != extended[0]:
        other = f"extended as {extended[0]} already"
    else:
        return []
    return [{"type": "primitive_extension_type", "loc": loc, "input": parent[loc[-1]],
             "msg": f"extends {name}, but this {prefix}[x] is {other} (a choice element holds one type; the "
                    f"extensions of a {values[0] if values else extended[0]} go in _"
                    f"{values[0] if values else extended[0]})"}]


def _patched(body, patches: dict):
    """A copy of `body` with the values at the given locations replaced or set aside; only the containers on
    the way are copied. None when a location is not in `body`."""
    made: set[int] = set()

    def own(container):
        copy = dict(container) if isinstance(container, dict) else list(container)
        made.add(id(copy))
        return copy

    root = own(body)
    try:
        for loc, value in patches.items():
            node = root
            for part in loc[:-1]:
                child = node[part]
                if not isinstance(child, (dict, list)):
                    return None
                if id(child) not in made:
                    child = own(child)
                    node[part] = child
                node = child
            if value is _SET_ASIDE:
                del node[loc[-1]]
            else:
                node[loc[-1]] = value
    except (KeyError, IndexError, TypeError):
        return None
    return root
