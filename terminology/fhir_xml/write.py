"""A FHIR resource in its JSON form (Python dicts, lists and scalars) written in FHIR's XML form (R4 xml.html).

Elements come in the order the R4 StructureDefinitions give (schema.py), `id` of an element and `url` of an
extension as attributes, a primitive's value in its `value` attribute and its `_name` twin (id, extensions) as
the element's own, a contained resource inside an element named as its place (`<resource><ValueSet …>`), and
Narrative.div as the XHTML it holds.

Answers may nest deeper than Python's recursion limit (a long hierarchy, a client's input echoed back), so
elements are written from an explicit stack. A key no R4 element has (an R5 element a client sent, echoed back)
is written after the known ones as what its value looks like, so nothing the JSON answer carries is lost.
"""
from __future__ import annotations

import dataclasses
import html.entities
import re
from itertools import zip_longest

import orjson

from .markup import NS, XHTML, root_element
from .schema import by_name


_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;",
            # kept as written: an attribute's line ends and tabs would otherwise be read back as spaces
            ord("\n"): "&#10;", ord("\r"): "&#13;", ord("\t"): "&#9;"}
# characters XML 1.0 cannot carry at all, not even as references (XML §2.2)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]*;)")
_UNKNOWN_PLACE = 1 << 30        # elements no R4 definition names go after every known one


def to_xml(resource: dict, pretty: bool = False) -> str:
    """The XML document of one resource."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    # the stack holds text ready to write (indented already) and (tag, object, type, depth, xmlns) still to
    # write; a tag of None is a resource's, named by its resourceType
    stack: list = [(None, resource, None, 0, f' xmlns="{NS}"')]
    types = by_name()
    while stack:
        item = stack.pop()
        if item.__class__ is str:
            out.append(item)
            continue
        tag, obj, typekey, depth, xmlns = item
        if tag is None:
            rtype = obj.get("resourceType")
            tag = typekey = rtype if isinstance(rtype, str) and _XML_NAME.match(rtype) else "Resource"
        pad = "\n" + "  " * depth if pretty else ""
        attrs, pieces = _children(obj, types.get(typekey) if typekey else None, depth + 1, pretty)
        if not pieces:
            out.append(f"{pad}<{tag}{xmlns}{attrs}/>")
            continue
        out.append(f"{pad}<{tag}{xmlns}{attrs}>")
        stack.append(f"{pad}</{tag}>")
        stack.extend(reversed(pieces))
    return "".join(out) + ("\n" if pretty else "")


def _children(obj: dict, elements: dict | None, depth: int, pretty: bool) -> tuple[str, list]:
    """The attributes of an element holding `obj`, and its children: text, or complex ones still to write."""
    pad = "\n" + "  " * depth if pretty else ""
    attrs, pieces = "", []
    for name in _ordered_names(obj, elements):
        spec = elements.get(name) if elements else None
        value, twin = obj.get(name), obj.get("_" + name)
        if value.__class__ not in _PLAIN:
            value = _json_form(value)
        if spec is not None and spec[4] and not isinstance(value, (dict, list)):
            if value is not None:
                attrs += f' {name}="{_text(value)}"'
            continue
        kind, target = (spec[1], spec[2]) if spec is not None else _guessed(value, twin)
        if twin is None and value.__class__ is not list:
            # (nearly every element: one value, no id or extensions of its own)
            _element(name, kind, target, value, None, depth, pad, pretty, pieces)
            continue
        values = value if isinstance(value, list) else [value]
        twins = twin if isinstance(twin, list) else [twin]
        if value is None and isinstance(twin, list):
            values = [None] * len(twins)
        for v, t in zip_longest(values, twins):
            _element(name, kind, target, v if v.__class__ in _PLAIN else _json_form(v), t, depth, pad, pretty,
                     pieces)
    return attrs, pieces


_PLAIN = {str, int, float, bool, type(None), dict, list}


def _json_form(value):
    """What orjson writes for a value that is not JSON's own: answers hold dataclasses beside dicts. One level
    at a time, as the writer goes down (an answer may nest deeper than orjson or json read back)."""
    if isinstance(value, (dict, list, str, int, float)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return list(value)
    return orjson.loads(orjson.dumps(value))        # a date, a UUID, an enum: as the JSON answer writes it


_ORDERS: dict[tuple, list[str]] = {}       # (type, keys) -> names in R4's order: answers repeat a few shapes
_KEPT_SHAPE = 40        # keys of a shape kept, at most (an R4 type has fewer; an echoed object may have any number)


def _ordered_names(obj: dict, elements: dict | None) -> list[str]:
    key = (id(elements), *obj) if len(obj) <= _KEPT_SHAPE else None
    found = _ORDERS.get(key)
    if found is not None:
        return found
    names, known = {}, True
    for k in obj:
        name = k[1:] if k.startswith("_") else k
        if name in names or name == "resourceType":
            continue
        spec = elements.get(name) if elements else None
        known = known and spec is not None
        if _XML_NAME.match(name):
            # (a key that is no XML name cannot be written; only an echo of a client's invalid input has one)
            names[name] = spec[0] if spec is not None else _UNKNOWN_PLACE + len(names)
    found = sorted(names, key=names.__getitem__)
    if key is not None and known:
        # only shapes of R4's own names are kept: a client's echoed keys (any number, any length) never are
        if len(_ORDERS) > 4096:
            _ORDERS.clear()
        _ORDERS[key] = found
    return found


def _guessed(value, twin) -> tuple[str, str | None]:
    """How to write a value no R4 element defines: as it looks."""
    first = value[0] if isinstance(value, list) and value else value
    if isinstance(first, dict):
        return ("r", None) if "resourceType" in first else ("c", None)
    return "p", None


def _element(name: str, kind: str, target, value, twin, depth: int, pad: str, pretty: bool, pieces: list) -> None:
    if kind == "p" or kind != "x" and not isinstance(value, dict):
        _primitive(name, value, twin, depth, pad, pieces)
    elif kind == "c":
        pieces.append((name, value, target, depth, ""))
    elif kind == "r":
        pieces.append(f"{pad}<{name}>")
        pieces.append((None, value, None, depth + 1, ""))
        pieces.append(f"{pad}</{name}>")
    else:
        pieces.append(pad + _xhtml(value))


def _primitive(name: str, value, twin, depth: int, pad: str, pieces: list) -> None:
    if twin is None and value is not None and value.__class__ is not dict and value.__class__ is not list:
        pieces.append(f'{pad}<{name} value="{_text(value)}"/>')
        return
    if isinstance(value, (dict, list)):
        value = None        # a complex value where R4 has a primitive: not writable as one (an echo of bad input)
    twin = twin if isinstance(twin, dict) else {}
    head = f"{pad}<{name}"
    if isinstance(twin.get("id"), str):
        head += f' id="{_text(twin["id"])}"'
    if value is not None:
        head += f' value="{_text(value)}"'
    extensions = twin.get("extension")
    extensions = [e for e in extensions if isinstance(e, dict)] if isinstance(extensions, list) else []
    if value is None and not extensions and "id" not in twin:
        return
    if not extensions:
        pieces.append(head + "/>")
        return
    pieces.append(head + ">")
    pieces.extend(("extension", e, "Extension", depth + 1, "") for e in extensions)
    pieces.append(f"{pad}</{name}>")


def _text(value) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    text = value if isinstance(value, str) else str(value)
    text = text.translate(_ESCAPES)
    return _NOT_XML.sub("\ufffd", text) if _NOT_XML.search(text) else text


def _xhtml(div) -> str:
    """Narrative.div as XHTML markup: as held when it is a well-formed XHTML div (the namespace added when it
    lacks it); otherwise its text inside a div, so the document stays well-formed."""
    text = div if isinstance(div, str) else ""
    root = root_element(text)
    if root is None and "&" in text:
        # HTML's named entities (&nbsp;), which XHTML without a DTD does not define: as the characters they name
        text = _ENTITY.sub(lambda m: html.entities.html5.get(m.group(1), m.group(0)), text)
        root = root_element(text)
    if root == (XHTML, "div"):
        return text
    if root == ("", "div"):
        return re.sub(r"\A(\s*<div)", r'\1 xmlns="' + XHTML + '"', text, count=1)
    return f'<div xmlns="{XHTML}">{_text(text)}</div>'
