"""A FHIR resource in XML form (R4 xml.html) read into its JSON form (Python dicts), so that everything after
reading a body is the same for both formats.

What the JSON form says by itself and XML does not comes from the R4 StructureDefinitions (schema.py): which
elements repeat (a JSON array even when XML holds one), and each primitive's type (`true`, `1` or `"1"`).
Refused with what is wrong and the line it is on: anything FHIR XML excludes (a DOCTYPE, and so every entity
declaration; text beside elements; a value outside the `value` attribute; an element with neither a value nor
extensions; an element that may appear once appearing twice; an element outside the FHIR namespace) and values
their type cannot hold (`yes` for a boolean). An element R4 does not define where it stands is read as it looks
(a string when it has a value, else an object), as a JSON key R4 lacks is taken as it comes: a value set a client
supplies may carry R5 elements, and a write refuses them by name as it refuses the JSON key.
"""
from __future__ import annotations

import re
from collections import Counter
from xml.parsers import expat

from ..errors import InvalidRequest
from .schema import JSON_BOOLEAN, JSON_NUMBER, by_name, resource_types
from .markup import NS, XHTML

MAX_DEPTH = 300         # elements inside elements: far beyond any resource, and well inside Python's recursion limit
# elements in one body: a 12,000-concept CodeSystem has ~100,000; a million is ~150 MB held while it is read
MAX_ELEMENTS = 1_000_000
_XML_NS = "http://www.w3.org/XML/1998/namespace"
_PASSED_OVER = {"http://www.w3.org/2001/XMLSchema-instance", _XML_NS}
_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)\Z")
_LONGEST_NUMBER = 400
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")


class _Node:
    """An element: its child elements, and its content: for XHTML (mixed content) text and child elements in
    document order, for a FHIR element only text that is not blank (which it must not hold). Both lists are made
    when first needed: most elements have neither, and a body may hold a million elements."""
    __slots__ = ("ns", "name", "attrs", "kids", "content", "line")

    def __init__(self, ns: str, name: str, attrs: dict, line: int):
        self.ns, self.name, self.attrs, self.kids, self.content, self.line = ns, name, attrs, None, None, line

    def children(self) -> list[_Node]:
        return self.kids or []

    def text(self) -> str:
        return "".join(c for c in self.content or () if c.__class__ is str)


ENCODINGS = ("utf-8", "utf-16", "iso-8859-1", "us-ascii")     # what expat reads, besides a document's own declaration


def from_xml(data: bytes | str, encoding: str | None = None) -> dict:
    """The JSON form of a resource sent as FHIR XML; InvalidRequest saying what is wrong and where. `encoding`
    (one of ENCODINGS): the charset the body was sent with, which wins over its XML declaration (RFC 7303)."""
    root = _parse(data, encoding)
    if root.ns != NS:
        raise InvalidRequest(f"the XML root element '{root.name}' is not in the FHIR namespace: FHIR XML declares "
                             f'xmlns="{NS}"')
    return _resource(root)


def _parse(data: bytes | str, encoding: str | None = None) -> _Node:
    p = expat.ParserCreate(encoding, namespace_separator="}")
    p.buffer_text = True
    stack: list[_Node] = []
    top: list[_Node] = []
    names: dict[str, tuple[str, str]] = {}      # a document names few tags, each many times
    count = [0]

    def start(tag, attrs):
        if len(stack) >= MAX_DEPTH:
            raise InvalidRequest(f"the XML body nests elements more than {MAX_DEPTH} levels deep")
        split = names.get(tag)
        if split is None:
            ns, _, name = tag.rpartition("}")
            split = names[tag] = (ns, name)
        if attrs and split[0] == NS and (len(attrs) > 1 or "value" not in attrs) and any("}" in a for a in attrs):
            # xsi:schemaLocation (spec examples, XML tools) and xml:space say how to read the XML, not the resource
            attrs = {a: v for a, v in attrs.items() if a.rpartition("}")[0] not in _PASSED_OVER}
        node = _Node(*split, attrs, p.CurrentLineNumber)
        count[0] += 1
        if count[0] > MAX_ELEMENTS:
            raise InvalidRequest(f"the XML body holds more than {MAX_ELEMENTS:,} elements; send a resource that "
                                 "large as FHIR JSON")
        if stack:
            parent = stack[-1]
            if parent.kids is None:
                parent.kids = [node]
            else:
                parent.kids.append(node)
            if parent.ns == XHTML:
                _add(parent, node)
        else:
            top.append(node)
        stack.append(node)

    def end(tag):
        stack.pop()

    def chars(text):
        if stack:
            node = stack[-1]
            if node.ns == XHTML or not text.isspace():
                _add(node, text)

    def doctype(*args):
        raise InvalidRequest("the XML body holds a DOCTYPE: FHIR XML has none (and no entity declarations); "
                             "send the resource alone")

    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
    p.StartDoctypeDeclHandler = doctype
    try:
        p.Parse(data, True)
    except expat.ExpatError as e:
        raise InvalidRequest(f"the request body is not well-formed XML: {expat.ErrorString(e.code)} "
                             f"(line {e.lineno}, column {e.offset + 1})")
    except (ValueError, LookupError) as e:
        # an XML declaration naming an encoding expat cannot read (Shift_JIS, UTF-32, a name no codec has)
        raise InvalidRequest(f"the request body's XML declaration names an encoding this server cannot read ({e}); "
                             "send it as UTF-8")
    return top[0]


def _add(node: _Node, item) -> None:
    if node.content is None:
        node.content = [item]
    else:
        node.content.append(item)


def _resource(node: _Node) -> dict:
    if node.name not in resource_types():
        raise InvalidRequest(f"'{node.name}' (line {node.line}) is not a FHIR R4 resource type")
    _no_attributes(node, node.name)
    out = {"resourceType": node.name}
    _fill(out, node, node.name, node.name)
    return out


def _fill(out: dict, node: _Node, typekey: str, where: str) -> None:
    elements = by_name().get(typekey) or {}
    _no_text(node, where)
    repeated: dict[str, tuple[list, list]] = {}
    counts = None       # of each name among the children: whether an element R4 lacks repeats here
    for child in node.children():
        if child.ns != NS and (child.ns, child.name) != (XHTML, "div"):
            raise InvalidRequest(f"<{child.name}> (line {child.line}) in {where} is not in the FHIR namespace")
        name = child.name
        spec = elements.get(name)
        if spec is not None and spec[4]:
            raise InvalidRequest(f"'{name}' (line {child.line}) in {where} is an attribute in FHIR XML, not an "
                                 "element")
        path = f"{where}.{name}"
        if spec is None:
            # not R4 (an R5 element in a value set a client supplies): read as it looks, as the JSON form is read
            # as it comes; a write refuses it by name later, as it refuses the JSON key
            if name.startswith("_"):
                raise InvalidRequest(f"'{name}' (line {child.line}) in {where} is no FHIR element name: FHIR XML "
                                     "gives a primitive's id and extensions inside its own element")
            if counts is None:
                counts = Counter(c.name for c in node.children())
            kind, target, repeats = "?", None, counts[name] > 1
        else:
            _, kind, target, repeats, _ = spec
        if kind == "?":
            value, twin = _as_it_looks(child, path)
        elif kind == "p":
            value, twin = _primitive(child, target, path)
        elif kind == "c":
            value, twin = _complex(child, target, path), None
        elif kind == "r":
            value, twin = _contained(child, path), None
        else:
            value, twin = _xhtml(child, path), None
        if repeats:
            values, twins = repeated.setdefault(name, ([], []))
            values.append(value)
            twins.append(twin)
            continue
        if name in out or "_" + name in out:
            raise InvalidRequest(f"'{name}' appears more than once in {where} (line {child.line}); R4 allows it once")
        if value is not None:
            out[name] = value
        if twin is not None:
            out["_" + name] = twin
    for name, (values, twins) in repeated.items():
        # a repeating primitive with ids or extensions: two arrays of one length, null where one has nothing
        if any(v is not None for v in values):
            out[name] = values
        if any(t is not None for t in twins):
            out["_" + name] = twins


def _primitive(node: _Node, ftype: str, path: str) -> tuple:
    if node.kids is None and node.content is None and len(node.attrs) == 1 and "value" in node.attrs:
        return _value(node.attrs["value"], ftype, path, node.line), None      # nearly every one: a value alone
    attrs = dict(node.attrs)
    raw = attrs.pop("value", None)
    ident = attrs.pop("id", None)
    if attrs:
        raise InvalidRequest(f"{path} (line {node.line}) has the attribute '{_shown(next(iter(attrs)))}'; a primitive "
                             "element takes only 'value' and 'id'")
    if node.text().strip():
        raise InvalidRequest(f"{path} (line {node.line}) holds text; FHIR XML gives a value in the 'value' "
                             "attribute")
    twin = {}
    if ident is not None:
        twin["id"] = ident
    extensions = []
    for child in node.children():
        if child.ns != NS or child.name != "extension":
            raise InvalidRequest(f"<{child.name}> (line {child.line}) in {path}: a primitive element holds only "
                                 "extensions")
        extensions.append(_complex(child, "Extension", path + ".extension"))
    if extensions:
        twin["extension"] = extensions
    if raw is None and not twin:
        raise InvalidRequest(f"{path} (line {node.line}) has neither a value nor extensions; leave it out")
    return (None if raw is None else _value(raw, ftype, path, node.line)), (twin or None)


def _value(raw: str, ftype: str, path: str, line: int):
    if ftype in JSON_BOOLEAN:
        if raw not in ("true", "false"):
            raise InvalidRequest(f"{path} (line {line}) is '{raw[:50]}'; a boolean is 'true' or 'false'")
        return raw == "true"
    if ftype in JSON_NUMBER:
        if len(raw) > _LONGEST_NUMBER and (_INTEGER.match(raw) or _DECIMAL.match(raw)):
            # (Python will not read an integer of more than 4,300 digits; no FHIR number needs a tenth of that)
            raise InvalidRequest(f"{path} (line {line}) is a number of {len(raw)} characters, too large to hold")
        if ftype != "decimal" and _INTEGER.match(raw):
            return int(raw)
        if ftype == "decimal" and _DECIMAL.match(raw):
            if _INTEGER.match(raw):
                return int(raw)
            number = float(raw)
            if number in (float("inf"), float("-inf")):
                raise InvalidRequest(f"{path} (line {line}) is '{raw[:50]}', a decimal too large to hold")
            return number
        raise InvalidRequest(f"{path} (line {line}) is '{raw[:50]}', not {'a decimal' if ftype == 'decimal' else 'an integer'}")
    return raw


def _as_it_looks(node: _Node, path: str) -> tuple:
    """An element no R4 definition names: a primitive (as a string) when it has a value, else a complex one."""
    if "value" in node.attrs:
        return _primitive(node, "string", path)
    if not node.attrs and not node.children():
        raise InvalidRequest(f"{path} (line {node.line}) has neither a value nor elements; leave it out")
    return _complex(node, "", path), None


def _complex(node: _Node, typekey: str, path: str) -> dict:
    out = {}
    elements = by_name().get(typekey) or {}
    for name, value in node.attrs.items():
        spec = elements.get(name)
        if typekey and (spec is None or not spec[4]):
            raise InvalidRequest(f"{path} (line {node.line}) has the attribute '{_shown(name)}', which R4 does not "
                                 "give it")
        out[name] = value
    _fill(out, node, typekey, path)
    return out


def _contained(node: _Node, path: str) -> dict:
    _no_attributes(node, path)
    _no_text(node, path)
    inner = node.children()
    if len(inner) != 1 or inner[0].ns != NS:
        raise InvalidRequest(f"{path} (line {node.line}) must hold exactly one resource")
    return _resource(inner[0])


def _xhtml(node: _Node, path: str) -> str:
    if node.ns != XHTML or node.name != "div":
        raise InvalidRequest(f"{path} (line {node.line}) must be an XHTML div "
                             f'(<div xmlns="{XHTML}">)')
    out: list[str] = []
    _markup(node, out, root=True)
    return "".join(out)


def _markup(node: _Node, out: list[str], root: bool = False) -> None:
    if node.ns != XHTML:
        raise InvalidRequest(f"<{node.name}> (line {node.line}) in a narrative is not XHTML")
    attrs = f' xmlns="{XHTML}"' if root else ""
    for name, value in node.attrs.items():
        ns, _, local = name.rpartition("}")
        if ns and ns != _XML_NS:
            raise InvalidRequest(f"the attribute '{local}' (line {node.line}) in a narrative is not XHTML")
        attrs += f' {"xml:" if ns else ""}{local}="{_escape(value, True)}"'
    if not node.content:
        out.append(f"<{node.name}{attrs}/>")
        return
    out.append(f"<{node.name}{attrs}>")
    for c in node.content:
        if isinstance(c, str):
            out.append(_escape(c, False))
        else:
            _markup(c, out)
    out.append(f"</{node.name}>")


def _escape(text: str, attribute: bool) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if attribute else text


def _shown(attribute: str) -> str:
    """An attribute's name as the document wrote it (expat gives 'namespace}name')."""
    ns, _, local = attribute.rpartition("}")
    return local if not ns else f"xml:{local}" if ns == _XML_NS else f"{{{ns}}}{local}"


def _no_attributes(node: _Node, where: str) -> None:
    if node.attrs:
        raise InvalidRequest(f"<{node.name}> (line {node.line}) in {where} takes no attributes")


def _no_text(node: _Node, where: str) -> None:
    if node.text().strip():
        raise InvalidRequest(f"{where} (line {node.line}) holds text; FHIR XML holds values in 'value' attributes")
