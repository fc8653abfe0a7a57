"""One place where a request becomes operation parameters: GET query, form, or Parameters body."""
from __future__ import annotations

import contextlib
import functools
import gc
import re
from urllib.parse import unquote, unquote_to_bytes

import orjson
import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" codec error handler read below)
from flask import request
from werkzeug.exceptions import UnsupportedMediaType

from terminology.elements import typed_value
from terminology.errors import InvalidRequest, shortened
from terminology.fhir_xml.read import ENCODINGS
from terminology.identifiers import split_canonical
from terminology.importers.base import is_utf8, without_bom

MAX_BODY = 50 * 1024 * 1024


class Params:
    """Operation input as an ordered list of (name, value).

    Primitive values stay as Python values (str, bool, int, float); complex
    values (Coding, CodeableConcept, resources, Quantity) are dicts; a
    parameter with `part` becomes a Params of its parts.
    """

    def __init__(self, items: list[tuple[str, object]] | None = None, source: str = "query"):
        self.items = items or []
        self.source = source
        self._first: tuple[int, dict] | None = None

    def _positions(self) -> dict:
        """Name -> position of its first item. Asked a score of times per request (R4 and R5 names of each
        input), so kept, and made again when an item is added (operations append a version they settled);
        replacing an item in place keeps its name at its position, and the value is read from the item."""
        first = self._first
        if first is None or first[0] != len(self.items):
            pos: dict = {}
            for i, (n, _v) in enumerate(self.items):
                pos.setdefault(n, i)
            first = self._first = (len(self.items), pos)
        return first[1]

    def __contains__(self, name: str) -> bool:
        return name in self._positions()

    def get(self, name: str, default=None):
        i = self._positions().get(name)
        return default if i is None else self.items[i][1]

    def all(self, name: str) -> list:
        if name not in self._positions():     # most names asked for are not given (the version rules ask for six)
            return []
        return [v for n, v in self.items if n == name]

    def str(self, name: str) -> str | None:
        v = self.get(name)
        if v is None:
            return None
        if isinstance(v, (dict, list, Params)):
            raise InvalidRequest(f"parameter '{name}' must be a simple value", location=name)
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)

    def bool(self, name: str, default: bool | None = None) -> bool | None:
        v = self.get(name)
        if v is None:
            return default
        if isinstance(v, bool):
            return v
        s = str(v).strip().lower()
        if s in ("true", "1", "yes"):
            return True
        if s in ("false", "0", "no"):
            return False
        raise InvalidRequest(f"parameter '{name}' must be true or false, not '{shortened(str(v))}'", location=name)

    def int(self, name: str, default: int | None = None, minimum: int = 0) -> int | None:
        v = self.get(name)
        if v is None or v == "":
            return default
        return whole_number(v, f"parameter '{name}'", name, minimum)

    def resource(self, name: str) -> dict | None:
        v = self.get(name)
        if v is None:
            return None
        if isinstance(v, (str, bytes)):     # a resource written into a query string
            try:
                v = orjson.loads(v)
            except orjson.JSONDecodeError:
                v = None
        if isinstance(v, dict) and v.get("resourceType"):
            from .supplied import checked
            return checked(v, name)
        raise InvalidRequest(f"parameter '{name}' must carry a FHIR resource", location=name)

    def check_single(self, single: frozenset, expected: dict[str, str] | None = None) -> None:
        """A parameter the OperationDefinition allows once (max=1), given again with another value (in the query,
        the body or both), names two things where the handler would silently take the first: refused. The same
        value twice is harmless, however it is written: `expected` (name -> declared type) has a Coding in a
        query (`system|code`) and in a body (valueCoding) compared as the Coding each one names."""
        seen = {}
        for n, v in self.items:
            if n in single and v is not None:
                if n not in seen:
                    seen[n] = v
                elif not _same_value(seen[n], v, expected.get(n) if expected else None):
                    raise InvalidRequest(f"parameter '{n}' takes one value but was given two: {_shown(seen[n])} and "
                                         f"{_shown(v)}", location=n)

    def names(self) -> list[str]:
        return [n for n, _ in self.items]

    def __repr__(self):
        return f"Params({self.items!r})"


# FHIR's integer (R4 datatypes.html#integer) in ASCII digits. Not int(): it also reads '２', '1_0', '+2' and ' 2'.
# Leading zeros, which the FHIR pattern leaves out, stay read as the number they pad (as both parsers did).
_WHOLE = re.compile(r"-?[0-9]{1,18}")


def whole_number(raw, name: str, location: str, minimum: int = 0) -> int:
    """The integer a query, form or body value gives, at least `minimum`; else a 400 that names the parameter
    (`name` as the message says it) and the value. A body's valueInteger arrives as a JSON integer."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        n = raw
    elif isinstance(raw, float) and raw.is_integer():      # JSON 2.0 is the number 2; 2.5 is not cut to 2
        n = int(raw)
    elif isinstance(raw, str) and _WHOLE.fullmatch(raw):
        n = int(raw)
    else:
        shown = shortened(raw if isinstance(raw, str) else _text(raw))
        raise InvalidRequest(f"{name} must be a whole number, at least {minimum}, not '{shown}'", location=location)
    if n < minimum:
        raise InvalidRequest(f"{name} must be at least {minimum}, not {n}", location=location)
    return n


def coding_from_text(text: str) -> dict:
    """The Coding a query or form writes as text: `system|code` (as in token search), `system|version|code`
    (the canonical form with the code appended), or `|code`."""
    system, _, code = text.rpartition("|")
    if system.count("|") == 1:
        system, version = split_canonical(system)
        if system and version and code:
            return {"system": system, "version": version, "code": code}
    return {"system": system, "code": code} if system and code else {"code": code or None}


# what a Coding says; its id and extensions, and an element given empty or null, say nothing
_CODING_ELEMENTS = ("system", "version", "code", "display", "userSelected")


def _normal_coding(v):
    if isinstance(v, str) and "|" in v:
        v = coding_from_text(v)
    if not isinstance(v, dict):
        return v
    return tuple((k, v[k]) for k in _CODING_ELEMENTS if v.get(k) not in (None, ""))


def _normal_concept(v):
    if not isinstance(v, dict):
        return v
    codings = v.get("coding") if isinstance(v.get("coding"), list) else []
    # the codings of a concept are a set: their order says nothing
    return v.get("text") or None, tuple(sorted((_normal_coding(c) for c in codings), key=repr))


_NORMAL_FORMS = {"Coding": _normal_coding, "CodeableConcept": _normal_concept}


def _same_value(a, b, type_: str | None = None) -> bool:
    if a == b:
        return True
    normal = _NORMAL_FORMS.get(type_)
    if normal is not None:
        return normal(a) == normal(b)
    if isinstance(a, (dict, list, Params)) or isinstance(b, (dict, list, Params)):
        return False
    # a query's text against a body's typed value: true and "true", 5 and "5"
    return _text(a) == _text(b)


def _text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    text = str(v)
    # a boolean written as text is read case-blind where it is used: TRUE and true are one value
    return text.lower() if text.lower() in ("true", "false") else text


def _shown(v) -> str:
    if isinstance(v, dict):
        rt = v.get("resourceType")
        return f"a {shortened(rt, 40)}" if isinstance(rt, str) and rt else shortened(repr(v))
    return f"'{shortened(_text(v))}'" if not isinstance(v, Params) else "parts"


# the string elements of the complex types operations take; a list or number there is the client's error
_STRING_ELEMENTS = {
    "valueCoding": ("system", "version", "code", "display"),
    "valueQuantity": ("unit", "system", "code", "comparator"),
}


def _checked_value(name: str, kind: str, v):
    if kind in _STRING_ELEMENTS or kind == "valueCodeableConcept":
        if not isinstance(v, dict):
            raise InvalidRequest(f"parameter '{name}' must be a {kind[5:]} object", location=name)
        codings = [v] if kind == "valueCoding" else v.get("coding") or []
        if kind == "valueCodeableConcept" and not (isinstance(codings, list) and
                                                   all(isinstance(c, dict) for c in codings)):
            raise InvalidRequest(f"parameter '{name}': CodeableConcept.coding must be a list of Codings",
                                 location=name)
        for obj in ([v] if kind == "valueQuantity" else codings):
            for key in _STRING_ELEMENTS["valueQuantity" if kind == "valueQuantity" else "valueCoding"]:
                if obj.get(key) is not None and not isinstance(obj[key], str):
                    raise InvalidRequest(f"parameter '{name}': {key} must be a string, not {obj[key]!r}",
                                         location=name)
        if kind == "valueCoding":
            return _r4_elements(v, _CODING)
        if kind == "valueCodeableConcept":
            return _r4_elements({**v, "coding": [_r4_elements(c, _CODING) for c in codings]}, _CODEABLE_CONCEPT)
    return v


# R4's elements of a Coding and a CodeableConcept (datatypes.html)
_CODING = frozenset({"id", "extension", "userSelected", *_STRING_ELEMENTS["valueCoding"]})
_CODEABLE_CONCEPT = frozenset({"id", "extension", "coding", "text"})


def _r4_elements(obj: dict, elements: frozenset) -> dict:
    """`obj` with its R4 elements (and their `_name` siblings) only, and without those that hold nothing (null, "",
    [], {}: FHIR JSON leaves them out): what the request means, and what an answer may echo of it."""
    # (a code of blanks alone is no code either: the coding then has none, and is answered so)
    return {k: x for k, x in obj.items()
            if (k in elements or (k[:1] == "_" and k[1:] in elements)) and x not in (None, "", [], {})
            and not (k == "code" and isinstance(x, str) and not x.strip())}


MAX_PART_DEPTH = 32


def _value_of(p: dict, depth: int = 0):
    if "part" in p and not any(k.startswith("value") for k in p):
        if depth >= MAX_PART_DEPTH:
            # no operation nests parts more than a few levels; a bound keeps the walk off Python's recursion limit
            raise InvalidRequest(f"parameter parts are nested deeper than {MAX_PART_DEPTH} levels",
                                 location=p["name"])
        return parameters_to_params(p["part"], "body", depth=depth + 1)
    if "resource" in p:
        return p["resource"]
    typed = typed_value(p)
    return _checked_value(p["name"], *typed) if typed is not None else None


def _wrong_type(p: dict, sent: str, inputs) -> None:
    """A parameter in another type than its OperationDefinition declares: say which, rather than let the handler
    misread it (a CodeableConcept taken for a Coding without a code)."""
    name = p["name"]
    what = {"part": "parts", "resource": "a resource"}.get(sent) or shortened(f"{sent} (a {sent[5:]})", 60)
    raise InvalidRequest(f"parameter '{name}' was sent as {what}, but it is of type {inputs.expected[name]}"
                         + (" (give it as resource)" if "resource" in inputs.accepts[name] else ""),
                         location=name)


def parameters_to_params(parts: list, source: str = "body", inputs=None, depth: int = 0) -> Params:
    """`inputs` (an opdefs.OpInputs): each top-level parameter's value[x] is checked against its declared type.
    `depth`: how deep in parts these parameters sit."""
    if parts is not None and not isinstance(parts, list):
        raise InvalidRequest("Parameters.parameter (and each part) must be a list")
    items = []
    accepts = inputs.accepts if inputs is not None else None
    for p in parts or []:
        if not isinstance(p, dict) or not isinstance(p.get("name"), str):
            raise InvalidRequest("each Parameters.parameter needs a name")
        if accepts:
            ok = accepts.get(p["name"])
            if ok is not None:
                for k in p:     # the value key comes right after the name: a short walk
                    if k in ok:
                        break
                    if k.startswith("value") or k == "resource" or k == "part":
                        _wrong_type(p, k, inputs)
        items.append((p["name"], _value_of(p, depth)))
    return Params(items, source)


_LARGE_BODY = 256 * 1024


def _parsed(data: bytes):
    """The JSON of a body. A large one (a 12,000-concept tx-resource is 2 MB) is parsed with the cycle collector
    paused: its objects are made faster than the collector's thresholds count them, and each pass walks the
    growing tree again (78 ms instead of 15 for 2 MB), though parsed JSON holds no cycles to find. orjson holds
    the GIL while it parses, so no other thread runs meanwhile; only the thread that paused it resumes it."""
    with _collector_paused(len(data)):
        return orjson.loads(data)


@contextlib.contextmanager
def _collector_paused(size: int):
    """The cycle collector paused while a large body is parsed into objects (see _parsed)."""
    if size < _LARGE_BODY or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _charset() -> str | None:
    """The charset a body's Content-Type names, in lower case, None when it names none."""
    charset = {k.lower(): v for k, v in request.mimetype_params.items()}.get("charset")
    return charset.strip().strip('"').lower() if charset is not None else None


JSON_BODY = ("application/fhir+json", "application/json", "application/json+fhir", "text/json")
XML_BODY = ("application/fhir+xml", "application/xml", "application/xml+fhir", "text/xml")


def refuse_blank_code(code: str | None, name: str, what: str) -> str | None:
    """`code` as given; InvalidRequest (400, naming the parameter) when it is empty or only blanks: such a code is no
    code, and answered as one it reached lookups that said 'not found' or named no map."""
    if code is not None and not code.strip():
        blanks = f": parameter '{name}' holds only blanks ({code!r})" if code else ""
        raise InvalidRequest(f"{what} is empty{blanks}", location=name)
    return code


def parse_body() -> dict | None:
    """The request body as a resource in its JSON form, sent as FHIR JSON or FHIR XML."""
    data = request.get_data(cache=True)
    if not data or not data.strip():
        return None
    data = without_bom(data)        # a UTF-8 byte-order mark (PowerShell, Notepad) is not content
    if (request.mimetype or "").lower() in XML_BODY:
        return _xml_body(data)
    try:
        body = _parsed(data)
    except orjson.JSONDecodeError as e:
        if data.lstrip()[:1] == b"<":
            raise InvalidRequest(f"the request body is not valid JSON: it looks like XML, sent as "
                                 f"'{request.mimetype or 'no Content-Type'}'; send FHIR XML with Content-Type "
                                 "application/fhir+xml")
        if not is_utf8(data):
            raise InvalidRequest("the request body is not UTF-8 (it looks like Windows-1252 or Latin-1): "
                                 "send it as UTF-8")
        raise InvalidRequest(f"the request body is not valid JSON: {e}")
    if not isinstance(body, dict):
        raise InvalidRequest("the request body must be a JSON object (a FHIR resource)")
    return body


def _xml_body(data: bytes) -> dict:
    from terminology.fhir_xml.read import from_xml
    charset = _charset()
    try:
        with _collector_paused(len(data)):
            return from_xml(data, charset if charset in ENCODINGS else None)
    except InvalidRequest:
        if data.lstrip()[:1] in (b"{", b"["):
            raise InvalidRequest(f"the request body is not XML: it looks like JSON, sent as '{request.mimetype}'; "
                                 "send FHIR JSON with Content-Type application/fhir+json")
        # said only of a body that names no encoding of its own (a charset, a byte-order mark, a declaration)
        if not is_utf8(data) and charset is None and data[:2] not in (b"\xff\xfe", b"\xfe\xff") \
                and b"encoding=" not in data[:200]:
            raise InvalidRequest("the request body is not UTF-8 (it looks like Windows-1252 or Latin-1): send it as "
                                 "UTF-8, or name its encoding in the XML declaration")
        raise


def check_content_type(forms: bool = True) -> None:
    """`forms`: whether a form body is taken (operations are; a create or update body is a resource,
    http.html#create)."""
    ctype = (request.mimetype or "").lower()
    allowed = (*JSON_BODY, *XML_BODY)
    if forms:
        allowed += ("application/x-www-form-urlencoded",)
    if not request.get_data(cache=True):
        return
    if ctype and ctype not in allowed:
        raise UnsupportedMediaType(f"content type '{request.mimetype}' is not supported; send application/fhir+json "
                                   "or application/fhir+xml")
    _check_body_coding(ctype)


def _check_body_coding(ctype: str) -> None:
    """What a body is sent as besides its type (RFC 9110 §15.5.16: 415 for an unsupported encoding too): read
    as it is, a compressed or UTF-16 body would only be refused as JSON that does not parse."""
    from .render import FHIR_VERSION, _version_served
    # one environ entry holds all of them (a WSGI server joins a repeated header with commas): what
    # request.headers.getlist finds by walking every header of the request
    sent = request.environ.get("HTTP_CONTENT_ENCODING")
    codings = [c.strip().lower() for c in sent.split(",")] if sent else []
    for c in codings:
        if c and c != "identity":
            raise UnsupportedMediaType(f"Content-Encoding '{c[:50]}' is not supported: send the body uncompressed")
    params = {k.lower(): v for k, v in request.mimetype_params.items()}
    charset = _charset()
    # a form is percent-encoded ASCII whatever charset its client names (Apache HttpClient: ISO-8859-1); XML is
    # read in the charsets expat reads
    if charset is not None and ctype != "application/x-www-form-urlencoded" and charset not in ("utf-8", "utf8") \
            and not (ctype in XML_BODY and charset in ENCODINGS):
        raise UnsupportedMediaType(f"charset '{charset[:50]}' is not supported: send FHIR JSON as UTF-8 (FHIR XML "
                                   f"also as {', '.join(e.upper() for e in ENCODINGS[1:])})")
    if ctype != "application/x-www-form-urlencoded" and not _version_served(params):
        raise UnsupportedMediaType(f"fhirVersion '{params['fhirversion'][:50]}' in the Content-Type is not served: "
                                   f"this server reads FHIR R4 ({FHIR_VERSION}) only")


def request_params(inputs=None, op: str | None = None) -> Params:
    """The operation parameters of the current request (query string plus body). `inputs` (an opdefs.OpInputs,
    for the operation `op`) has the body's value[x] types and resource checked against the definition."""
    items = [(k, v) for k, v in query_pairs() if not k.startswith("_")]
    if request.method == "POST":
        check_content_type()
        if request.mimetype == "application/x-www-form-urlencoded":
            if request.get_data(cache=True).lstrip()[:1] == b"<":
                # curl -d sends its data as a form unless told otherwise
                raise InvalidRequest("the request body looks like XML but was sent as a form "
                                     "(application/x-www-form-urlencoded, what curl -d sends); send FHIR XML with "
                                     "Content-Type application/fhir+xml")
            items += [(k, v) for k, vs in request.form.lists() for v in vs]
            return Params(items, "form")
        body = parse_body()
        if body is not None:
            return Params(items + body_items(body, inputs, op), "body")
    return Params(items, "query")


def body_items(body: dict, inputs=None, op: str | None = None) -> list[tuple]:
    """The parameters an operation's body holds (a request's or a batch entry's): a Parameters resource's,
    checked against `inputs`, or the bare resource as the operation's one resource input."""
    rtype = body.get("resourceType")
    if rtype == "Parameters":
        return parameters_to_params(body.get("parameter"), "body", inputs).items
    if rtype is None:
        raise InvalidRequest("the request body has no resourceType; send a Parameters resource")
    if inputs is None:
        return [("resource", body)]
    if inputs.body_type is None or rtype != inputs.body_type:
        # R4 operations.html: the body is a Parameters resource, or the resource itself only for an
        # operation whose one resource input it is
        alone = f" or the {inputs.body_type} it takes as '{inputs.body_param}'" if inputs.body_type else ""
        raise InvalidRequest(f"the body of {op or 'an operation'} must be a Parameters resource{alone}, "
                             f"not a {shortened(rtype, 40)}" if isinstance(rtype, str) else
                             "the request body's resourceType must be a string")
    return [(inputs.body_param, body)]


# --- the query string --------------------------------------------------------------------------------------
_QUERY_KEY = "kodebro.query"
NOT_UTF8_QUERY = ("the query string is not UTF-8: percent-encode each character outside ASCII as the bytes of its "
                  "UTF-8 form (\u00e5 is %C3%A5)")


def query_pairs() -> list[tuple[str, str]]:
    """The current request's query parameters as werkzeug's request.args holds them: names in the order they
    first appear, each name's values in the order sent. Parsed once a request (the format check, `_pretty`
    and the operation each ask) and without the MultiDict request.args builds, which nothing on an
    operation's path reads. InvalidRequest (400) for a query string that is not UTF-8, where request.args
    raises a UnicodeDecodeError (a 500)."""
    environ = request.environ
    raw = environ.get("QUERY_STRING", "")
    kept = environ.get(_QUERY_KEY)
    if kept is None or kept[0] is not raw:
        kept = environ[_QUERY_KEY] = (raw, parse_query(raw))
    if kept[1] is None:
        raise InvalidRequest(NOT_UTF8_QUERY)
    return kept[1]


def query_value(name: str) -> str | None:
    """The first value of query parameter `name`, as request.args.get gives it."""
    for n, v in query_pairs():
        if n == name:
            return v
    return None


def parse_query(raw: str) -> list[tuple[str, str]] | None:
    """`raw` (QUERY_STRING as WSGI hands it over: each byte a latin-1 character) read as werkzeug's request.args
    reads it: split on '&' (empty parts skipped, a part without '=' is a name with an empty value), '+' a
    space, %XX escapes decoded as UTF-8 and an escape that is no UTF-8 kept as written; grouped by name in
    the order names first appear (MultiDict.lists()). None when the bytes are not UTF-8."""
    try:
        text = raw.encode("latin-1").decode()
    except UnicodeError:
        return None
    if not text:
        return []
    pairs = []
    for part in text.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((_unescaped(name), _unescaped(value)))
    if len(pairs) > 1 and len({n for n, _ in pairs}) < len(pairs):
        grouped: dict[str, list[str]] = {}
        for n, v in pairs:
            grouped.setdefault(n, []).append(v)
        pairs = [(n, v) for n, vs in grouped.items() for v in vs]
    return pairs


def _unescaped(text: str) -> str:
    """urllib.parse.unquote with werkzeug's error handler, as parse_qsl calls it."""
    if "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    return _decoded_short(text) if len(text) <= _SHORT else _decoded(text)


def _decoded(text: str) -> str:
    # an ASCII part (nearly every one: clients escape what is not) is decoded in one piece, as unquote does
    # after splitting the text into ASCII runs
    if text.isascii():
        return unquote_to_bytes(text).decode("utf-8", "werkzeug.url_quote")
    return unquote(text, "utf-8", "werkzeug.url_quote")


# The escaped values a client sends are mostly the same few urls request after request (the value set, the code
# system; codes seldom need escaping): kept decoded, as each costs a Python loop over its escapes. Short ones
# only, so the cache stays under a megabyte.
_SHORT = 300
_decoded_short = functools.lru_cache(maxsize=1024)(_decoded)
