"""ValueSet/$expand: request parameters in, engine call, R4 ValueSet with expansion out.

Also holds what $expand and $validate-code share at the API edge: finding
the value set a request names, the per-request catalog (tx-resource), the
wanted languages and supplements.
"""
from __future__ import annotations

from flask import current_app, has_request_context, request

from terminology.codesystem import STANDARDS_STATUS
from terminology.identifiers import canonical, split_canonical
from terminology.errors import InvalidRequest, NotSupported
from terminology.implicit import resolve as resolve_implicit
from terminology.languages import check_display_language, language_echo, no_fallback, parse_languages
from terminology.operations.version_rules import SystemVersionRules, find_valueset, missing_valueset, \
    requested_valueset
from terminology.operations.expand import ExpandRequest, expand, vs_parameter
from terminology.supplements import SupplementSet, supplied_lang_packs, valueset_supplement_refs, valueset_systems
from terminology.operations.compose_checks import check_outline

from .operations import operation
from .params import Params
from .supplied import checked, supplied_catalog, with_contained

R5_EXT = "http://hl7.org/fhir/5.0/StructureDefinition/extension-"
EXT_EXPANSION_PROPERTY = R5_EXT + "ValueSet.expansion.property"
EXT_CONTAINS_PROPERTY = R5_EXT + "ValueSet.expansion.contains.property"
MAX_FILTER = 500
VS_UNCLOSED = "http://hl7.org/fhir/StructureDefinition/valueset-unclosed"

# request parameter -> FHIR type key used when echoing it in expansion.parameter
_ECHO = {
    "activeOnly": "valueBoolean", "excludeNested": "valueBoolean", "excludeNotForUI": "valueBoolean",
    "includeDesignations": "valueBoolean", "includeDefinition": "valueBoolean", "filter": "valueString",
    "count": "valueInteger", "offset": "valueInteger", "designation": "valueString", "date": "valueDateTime",
    "system-version": "valueUri", "check-system-version": "valueUri", "force-system-version": "valueUri",
    "exclude-system": "valueUri", "default-valueset-version": "valueUri", "check-valueset-version": "valueUri",
    "force-valueset-version": "valueUri",
}


def language_value(params, vs: dict | None = None,
                   vs_language: bool = False) -> tuple[str | None, str | None]:
    """(raw displayLanguage list, where it came from): parameter, then header, then the value set
    (its displayLanguage expansion parameter, and with `vs_language` its own language). A parameter that is
    no language list is refused (400); the header and the value set are taken as they are."""
    value = params.str("displayLanguage")
    if value:
        check_display_language(value)
        return value, "param"
    if has_request_context():
        header = request.headers.get("Accept-Language")
        if header:
            return header, "header"
    if vs is not None:
        v = vs_parameter(vs, "displayLanguage")
        if isinstance(v, str) and v:
            return v, "valueset"
        if vs_language and isinstance(vs.get("language"), str):
            return vs["language"], "valueset"
    return None, None


# what an operation answers when no value set is named (the reference servers' wording for $expand)
NO_VALUESET = "Must provide either a ValueSet resource or a url parameter"


def resolve_valueset(catalog, params, instance, required: bool = True, name: str = "valueSet",
                     missing: str = NO_VALUESET) -> dict | None:
    """The ValueSet the request is about: instance, `valueSet` resource, or `url` (+valueSetVersion).
    `name`: the request parameter the `valueSet` resource came in ($related has two), for error messages;
    `missing`: the error text when none is named."""
    if instance is not None:
        check_outline(instance)
        # the instance is the version asked for; a valueSetVersion (or forced version) naming another one is a
        # contradiction, and a check refuses it as it refuses any value set read in another version
        requested_valueset(instance.get("url"), params.str("valueSetVersion") or None, instance.get("version"))
        version_rules(params).check_instance(instance)
        return instance
    vs = params.get("valueSet")
    if vs is not None:
        if not isinstance(vs, dict) or vs.get("resourceType") != "ValueSet":
            raise InvalidRequest(f"parameter '{name}' must carry a ValueSet resource", location=name)
        return checked(vs, name)
    res = params.get("resource")
    if isinstance(res, dict) and res.get("resourceType") == "ValueSet":
        return checked(res, "resource")
    url = params.str("url")
    if url is None:
        if params.get("context") is not None:
            # the reference servers' wording; a value set chosen by the element it binds is not offered
            raise NotSupported("The context parameter is not yet supported", location="context",
                               tx_code="not-supported")
        if required:
            raise InvalidRequest(missing, location="url")
        return None
    url, version = requested_valueset(url, params.str("valueSetVersion") or None)    # empty: not given
    rules = version_rules(params)
    version = rules.pick_valueset_version(catalog, url, version)     # as for an import
    found = find_valueset(catalog, url, version) or resolve_implicit(catalog, canonical(url, version))
    if found is None:
        raise missing_valueset(catalog, url, version)
    check_outline(found)
    rules.check_valueset(found)
    return found


def supplements_for(catalog, params, vs: dict | None, system: str | None = None):
    """The supplements a request names (useSupplement, the value set's valueset-supplement extension); each
    must supplement a system the value set (or the code system `system`) uses, as $lookup requires."""
    refs = [str(v) for v in params.all("useSupplement")]
    refs += valueset_supplement_refs(vs)     # any value[x] of the extension
    packs = supplied_lang_packs(catalog)     # language packs apply unasked
    if not refs and not packs:
        return None
    systems = valueset_systems(catalog, vs) if vs is not None else \
        {system, catalog.canonical_system(system)} if system else None
    return SupplementSet(catalog, refs, systems, packs)


def version_rules(params) -> SystemVersionRules:
    return SystemVersionRules.parse(params.all("system-version"), params.all("force-system-version"),
                                    params.all("check-system-version"), params.all("default-valueset-version"),
                                    params.all("force-valueset-version"), params.all("check-valueset-version"), date=params.get("date"))


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


def build_expand_request(catalog, params, vs: dict) -> ExpandRequest:
    echo = []
    for name, key in _ECHO.items():
        for v in params.all(name):
            v = _echo_value(name, key, v)
            if v is None:
                continue
            echo.append((name, key, v))
            if key in ("valueBoolean", "valueInteger"):
                break
    lang, source = language_value(params, vs, vs_language=True)
    if lang:
        echo.append(("displayLanguage", "valueCode", language_echo(lang)))
    echo.sort(key=lambda e: e[0].lower())

    def flag(name: str) -> bool:
        """The request's value, else the value set's default expansion parameter, else false."""
        if params.get(name) not in (None, ""):     # a parameter without a value is not given
            return bool(params.bool(name))
        v = vs_parameter(vs, name)
        return v is True or (isinstance(v, str) and v.strip().lower() == "true")

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
        properties=_strings(params, "property"),
        rules=version_rules(params),
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


def render_expansion(exp, include_definition: bool = False) -> dict:
    # the definition (compose and the value set's descriptive elements) is answered only when the client asks
    # for it (includeDefinition); the reference servers strip the same elements
    dropped = ("expansion", "text", "meta", "description") + (() if include_definition else _DEFINITION)
    vs = {k: v for k, v in exp.valueset.items() if k not in dropped}
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
    catalog = supplied_catalog(catalog, params)
    vs = resolve_valueset(catalog, params, instance)
    catalog = with_contained(catalog, vs)
    req = build_expand_request(catalog, params, vs)
    exp = expand(catalog, req)
    _echo_applied_rules(exp, req.rules)
    return render_expansion(exp, req.include_definition), 200


_SYSTEM_RULES = ("system-version", "check-system-version", "force-system-version")


def _echo_applied_rules(exp, rules: SystemVersionRules) -> None:
    """Of the code system version rules echoed, keep those the expansion applied (SystemVersionRules.applied),
    as written: a rule for a system the expansion did not use, or a default it did not need, tells nothing."""
    used = [v for n, _k, v in exp.parameters if n == "used-codesystem"]
    applied = rules.applied(used)
    exp.parameters = [(n, k, v) for n, k, v in exp.parameters
                      if n not in _SYSTEM_RULES or (n, split_canonical(v)[0]) in applied]
