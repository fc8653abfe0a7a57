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

import re
from itertools import zip_longest
from xml.parsers import expat

from .schema import by_name

NS = "http://hl7.org/fhir"
XHTML = "http://www.w3.org/1999/xhtml"

_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;",
            # kept as written: an attribute's line ends and tabs would otherwise be read back as spaces
            ord("\n"): "&#10;", ord("\r"): "&#13;", ord("\t"): "&#9;"}
# characters XML 1.0 cannot carry at all, not even as references (XML §2.2)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_UNKNOWN_PLACE = 1 << 30        # elements no R4 definition names go after every known one


def to_xml(resource: dict, pretty: bool = False) -> str:
    """The XML document of one resource."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    indent = _indent if pretty else _flat
    stack: list = [("res", resource, 0, f' xmlns="{NS}"')]
    while stack:
        item = stack.pop()
        kind = item[0]
        if kind == "text":
            out.append(indent(item[2]) + item[1])
        elif kind == "res":
            _, res, depth, xmlns = item
            rtype = res.get("resourceType")
            tag = rtype if isinstance(rtype, str) and _XML_NAME.match(rtype) else "Resource"
            _complex(tag, res, tag, depth, stack, out, indent, xmlns)
        else:
            _, tag, obj, typekey, depth = item
            _complex(tag, obj, typekey, depth, stack, out, indent, "")
    return "".join(out) + ("\n" if pretty else "")


def _flat(depth: int) -> str:
    return ""


def _indent(depth: int) -> str:
    return "\n" + "  " * depth


def _complex(tag: str, obj: dict, typekey: str | None, depth: int, stack: list, out: list, indent, xmlns: str) -> None:
    elements = by_name().get(typekey) if typekey else None
    attrs, pieces = [], []
    for name in _ordered_names(obj, elements):
        spec = elements.get(name) if elements else None
        value, twin = obj.get(name), obj.get("_" + name)
        if spec is not None and spec[4] and not isinstance(value, (dict, list)):
            if value is not None:
                attrs.append(f' {name}="{_text(value)}"')
            continue
        kind, target = (spec[1], spec[2]) if spec is not None else _guessed(value, twin)
        values = value if isinstance(value, list) else [value]
        twins = twin if isinstance(twin, list) else [twin]
        if value is None and isinstance(twin, list):
            values = [None] * len(twins)
        for v, t in zip_longest(values, twins):
            _element(name, kind, target, v, t, depth + 1, pieces)
    opening = f"<{tag}{xmlns}{''.join(attrs)}"
    if not pieces:
        out.append(indent(depth) + opening + "/>")
        return
    out.append(indent(depth) + opening + ">")
    stack.append(("text", f"</{tag}>", depth))
    stack.extend(reversed(pieces))


def _ordered_names(obj: dict, elements: dict | None) -> list[str]:
    names = {}
    for key in obj:
        name = key[1:] if key.startswith("_") else key
        if name not in names and name != "resourceType" and _XML_NAME.match(name):
            # (a key that is no XML name cannot be written; only an echo of a client's invalid input has one)
            spec = elements.get(name) if elements else None
            names[name] = spec[0] if spec is not None else _UNKNOWN_PLACE + len(names)
    return sorted(names, key=names.__getitem__)


def _guessed(value, twin) -> tuple[str, str | None]:
    """How to write a value no R4 element defines: as it looks."""
    first = value[0] if isinstance(value, list) and value else value
    if isinstance(first, dict):
        return ("r", None) if "resourceType" in first else ("c", None)
    return "p", None


def _element(name: str, kind: str, target, value, twin, depth: int, pieces: list) -> None:
    if kind == "p" or not isinstance(value, dict) and kind != "x":
        _primitive(name, value, twin, depth, pieces)
    elif kind == "c":
        pieces.append(("cx", name, value, target, depth))
    elif kind == "r":
        pieces.append(("text", f"<{name}>", depth))
        pieces.append(("res", value, depth + 1, ""))
        pieces.append(("text", f"</{name}>", depth))
    else:
        pieces.append(("text", _xhtml(value), depth))


def _primitive(name: str, value, twin, depth: int, pieces: list) -> None:
    if isinstance(value, (dict, list)):
        value = None        # a complex value where R4 has a primitive: not writable as one (an echo of bad input)
    twin = twin if isinstance(twin, dict) else {}
    head = f"<{name}"
    if isinstance(twin.get("id"), str):
        head += f' id="{_text(twin["id"])}"'
    if value is not None:
        head += f' value="{_text(value)}"'
    extensions = twin.get("extension")
    extensions = [e for e in extensions if isinstance(e, dict)] if isinstance(extensions, list) else []
    if value is None and not extensions and "id" not in twin:
        return
    if not extensions:
        pieces.append(("text", head + "/>", depth))
        return
    pieces.append(("text", head + ">", depth))
    pieces.extend(("cx", "extension", e, "Extension", depth + 1) for e in extensions)
    pieces.append(("text", f"</{name}>", depth))


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
    root = _root_element(text)
    if root == XHTML + " div":
        return text
    if root == "div":
        return re.sub(r"\A(\s*<div)", r'\1 xmlns="' + XHTML + '"', text, count=1)
    return f'<div xmlns="{XHTML}">{_text(text)}</div>'


def _root_element(text: str) -> str | None:
    """The namespace and name of a fragment's root element, None when it is not well-formed XML."""
    found, foreign = [], []
    p = expat.ParserCreate(namespace_separator=" ")
    p.StartElementHandler = lambda name, attrs: found.append(name) if not found else None
    # an XML declaration or a DOCTYPE is well-formed at the start of a document, not inside one
    p.XmlDeclHandler = lambda *args: foreign.append(1)
    p.StartDoctypeDeclHandler = lambda *args: foreign.append(1)
    try:
        p.Parse(text, True)
    except expat.ExpatError:
        return None
    return found[0] if found and not foreign else None
