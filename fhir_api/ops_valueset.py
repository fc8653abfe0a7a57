"""ValueSet/$expand: request parameters in, engine call, R4 ValueSet with expansion out.

What $expand shares with $validate-code and $related (the value set a request names, languages,
supplements, version rules) is in valueset_request.py."""
from __future__ import annotations

from flask import current_app

from terminology.codesystem import STANDARDS_STATUS
from terminology.empty_values import without_empty
from terminology.identifiers import split_canonical
from terminology.errors import InvalidRequest, NotFound
from terminology.languages import language_echo, no_fallback, parse_languages
from terminology.operations.version_rules import SystemVersionRules
from terminology.operations.expand import ExpandRequest, expand, vs_parameter

from .canonicals import CODE_SYSTEM, VALUE_SET, refuse_canonicals
from .operations import operation
from .params import Params
from .supplied import came_with_request, supplied_catalog, with_contained
from .valueset_request import language_value, resolve_valueset, supplements_for, version_rules

R5_EXT = "http://hl7.org/fhir/5.0/StructureDefinition/extension-"
EXT_EXPANSION_PROPERTY = R5_EXT + "ValueSet.expansion.property"
EXT_CONTAINS_PROPERTY = R5_EXT + "ValueSet.expansion.contains.property"
MAX_FILTER = 500
VS_UNCLOSED = "http://hl7.org/fhir/StructureDefinition/valueset-unclosed"
VS_UNCLOSED_REASON = "http://hl7.org/fhir/StructureDefinition/valueset-unclosed-reason"

# request parameter -> FHIR type key used when echoing it in expansion.parameter
_ECHO = {
    "activeOnly": "valueBoolean", "excludeNested": "valueBoolean", "excludeNotForUI": "valueBoolean",
    "excludePostCoordinated": "valueBoolean", "includeDesignations": "valueBoolean",
    "includeDefinition": "valueBoolean", "filter": "valueString",
    "count": "valueInteger", "offset": "valueInteger", "designation": "valueString", "date": "valueDateTime",
    "system-version": "valueUri", "check-system-version": "valueUri", "force-system-version": "valueUri",
    "exclude-system": "valueUri", "default-valueset-version": "valueUri", "check-valueset-version": "valueUri",
    "force-valueset-version": "valueUri",
}


def _max_expansion() -> int:
    # checked when the app was made (settings.load_settings)
    return current_app.config["KODEBRO"]["MAX_EXPANSION"]


def _strings(params, name: str) -> list[str]:
    out = []
    for v in params.all(name):
        if isinstance(v, (dict, list)) or v is None:
            raise InvalidRequest(f"parameter '{name}' must be a simple value", location=name)
        if name == "property":   # property=a,b and property=a&property=b say the same
            out.extend(s.strip() for s in str(v).split(",") if s.strip())
        else:
            out.append(str(v))
    return out


def _properties(params, vs: dict) -> list[str]:
    """The properties asked for: the request's, then those R5's ValueSet.compose.property names (read as
    `property` parameters, as FHIRsmith params.seeCompose reads them), each once."""
    out = _strings(params, "property")
    stated = (vs.get("compose") or {}).get("property")
    for p in stated if isinstance(stated, list) else ():
        if isinstance(p, str) and p.strip() and p.strip() not in out:
            out.append(p.strip())
    return out


def _echo_value(name: str, key: str, v):
    """A request value as it is echoed in expansion.parameter: of the echoed type, or None when there is
    nothing to echo (a parameter without a value, an empty string: FHIR has no empty primitives)."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    one = Params([(name, v)])
    if key == "valueBoolean":
        return one.bool(name)
    if key == "valueInteger":
        return one.int(name)
    return one.str(name)


def _vs_flag(vs: dict, name: str) -> bool | None:
    """The boolean the value set's default expansion parameter `name` sets (true/false, or their text), else None."""
    v = vs_parameter(vs, name)
    if isinstance(v, str):
        v = {"true": True, "false": False}.get(v.strip().lower())
    return v if isinstance(v, bool) else None


def build_expand_request(catalog, params, vs: dict, rules=None) -> ExpandRequest:
    """`rules`: the version rules already read from `params` (resolve_valueset's), else read here."""
    echo = []
    for name, key in _ECHO.items():
        for v in params.all(name):
            v = _echo_value(name, key, v)
            if v is None:
                continue
            echo.append((name, key, v))
            if key in ("valueBoolean", "valueInteger"):
                break
    given = {n for n, _k, _v in echo}
    for name, key in _ECHO.items():
        # a flag the value set sets for itself shaped the answer as a request's would: echoed the same way
        # (FHIRsmith reads both with one parameter reader and echoes what it holds); the request's own wins
        if key == "valueBoolean" and name not in given and params.get(name) in (None, ""):
            v = _vs_flag(vs, name)
            if v is not None:
                echo.append((name, key, v))
    lang, source = language_value(params, vs, vs_language=True)
    echoed = language_echo(lang) if lang else None
    if echoed:        # (an Accept-Language of no tag, ';;;', is nothing to echo)
        echo.append(("displayLanguage", "valueCode", echoed))
    echo.sort(key=lambda e: e[0].lower())

    def flag(name: str) -> bool:
        """The request's value, else the value set's default expansion parameter, else false."""
        if params.get(name) not in (None, ""):     # a parameter without a value is not given
            return bool(params.bool(name))
        return bool(_vs_flag(vs, name))

    filt = params.str("filter")
    if filt is not None and len(filt) > MAX_FILTER:
        raise InvalidRequest(f"the text filter is longer than {MAX_FILTER} characters", location="filter")
    return ExpandRequest(
        valueset=vs,
        filter=filt if filt and filt.strip() else None,
        date=params.str("date"),
        offset=params.int("offset", 0),
        offset_given=params.int("offset") is not None,
        count=params.int("count"),
        include_designations=flag("includeDesignations"),
        designations=_strings(params, "designation"),
        include_definition=flag("includeDefinition"),
        active_only=flag("activeOnly"),
        exclude_nested=flag("excludeNested"),
        exclude_not_for_ui=flag("excludeNotForUI"),
        languages=parse_languages(lang) if lang else [],
        strict_language=no_fallback(lang),
        properties=_properties(params, vs),
        rules=rules if rules is not None else version_rules(params),
        exclude_systems=[str(v) for v in params.all("exclude-system")],
        max_expansion=_max_expansion(),
        supplements=supplements_for(catalog, params, vs),
        echo=echo,
    )


# --- rendering -------------------------------------------------------------------
def _render_item(it) -> dict:
    d: dict = {}
    if it.extensions:
        d["extension"] = list(it.extensions)
    d["system"] = it.system
    if it.abstract:
        d["abstract"] = True
    if it.inactive:
        d["inactive"] = True
    if it.version:
        d["version"] = it.version
    d["code"] = it.code
    if it.display is not None:
        d["display"] = it.display
        if it.display_extensions:
            d["_display"] = {"extension": list(it.display_extensions)}
    if it.designations:
        d["designation"] = it.designations
    if it.properties:
        exts = d.setdefault("extension", [])
        for code, key, value in it.properties:
            exts.append({"url": EXT_CONTAINS_PROPERTY,
                         "extension": [{"url": "code", "valueCode": code}, {"url": "value", key: value}]})
    if it.children:
        d["contains"] = [_render_item(c) for c in it.children]
    return d


_DEFINITION = ("compose", "purpose", "contact", "copyright", "publisher", "extension", "contained")


def render_expansion(exp, include_definition: bool = False, supplied: bool = True) -> dict:
    """`supplied`: the value set came with the request (not from the store, whose writes refuse empty elements)."""
    # the definition (compose and the value set's descriptive elements) is answered only when the client asks
    # for it (includeDefinition); the reference servers strip the same elements
    dropped = ("expansion", "text", "meta", "description") + (() if include_definition else _DEFINITION)
    vs = {k: v for k, v in exp.valueset.items() if k not in dropped}
    if supplied:
        vs = without_empty(vs)      # echoed without the elements the client sent empty: FHIR JSON has none
    if vs.get("extension"):
        # the value set's own standards status is answered as the warning-<status> expansion parameter;
        # its other extensions (valueset-supplement, ...) stay with it
        exts = [x for x in vs["extension"] if not (isinstance(x, dict) and x.get("url") == STANDARDS_STATUS)]
        if exts:
            vs["extension"] = exts
        else:
            del vs["extension"]
    e: dict = {}
    if exp.properties:
        e["extension"] = [{"url": EXT_EXPANSION_PROPERTY,
                           "extension": [{"url": "code", "valueCode": code}] +
                                        ([{"url": "uri", "valueUri": uri}] if uri else [])}
                          for code, uri in exp.properties]
    if exp.unclosed:
        # R4's mark for an expansion that may leave out codes of the value set (here: a code system whose
        # resource is a fragment or an example of it)
        e.setdefault("extension", []).append({"url": VS_UNCLOSED, "valueBoolean": True})
        # why, in words (the reference servers add it beside the mark; R4 defines no element for it)
        e["extension"].extend({"url": VS_UNCLOSED_REASON, "valueString": r} for r in exp.unclosed_reasons)
    e["identifier"] = exp.identifier
    e["timestamp"] = exp.timestamp
    if exp.total is not None:     # none on a page of a value set over the limit, as tx.fhir.org
        e["total"] = exp.total
    if exp.offset is not None:
        e["offset"] = exp.offset
    if exp.parameters:
        e["parameter"] = [{"name": n, k: v} for n, k, v in exp.parameters]
    if exp.items:
        e["contains"] = [_render_item(it) for it in exp.items]
    vs["expansion"] = e
    return vs


@operation("ValueSet", "expand")
def expand_operation(catalog, params, instance):
    refuse_canonicals(params, {"url": VALUE_SET, "useSupplement": CODE_SYSTEM, "exclude-system": CODE_SYSTEM})
    catalog = supplied_catalog(catalog, params)
    # a value set not held is a 422 where it is found missing
    vs, rules = resolve_valueset(catalog, params, instance, with_rules=True, expanding=True)
    try:
        catalog = with_contained(catalog, vs)
        req = build_expand_request(catalog, params, vs, rules)
        exp = expand(catalog, req)
    except NotFound as e:
        # a definition the expansion needs (a code system, a version, an import, a supplement) is not held: the
        # request is sound but cannot be processed, 422 as the reference server answers it (FHIRsmith expand.js)
        e.status = 422
        raise
    _echo_applied_rules(exp, req.rules)
    return render_expansion(exp, req.include_definition, came_with_request(exp.valueset)), 200


_SYSTEM_RULES = ("system-version", "check-system-version", "force-system-version")


def _echo_applied_rules(exp, rules: SystemVersionRules) -> None:
    """Of the code system version rules echoed, keep those the expansion applied (SystemVersionRules.applied),
    as written: a rule for a system the expansion did not use, or a default it did not need, tells nothing."""
    used = [v for n, _k, v in exp.parameters if n == "used-codesystem"]
    applied = rules.applied(used)
    exp.parameters = [(n, k, v) for n, k, v in exp.parameters
                      if n not in _SYSTEM_RULES or (n, split_canonical(v)[0]) in applied]
