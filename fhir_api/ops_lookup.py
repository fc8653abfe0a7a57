"""CodeSystem/$lookup and $subsumes: parameters in, engine call, Parameters out.

Kept free of pydantic and of per-request allocations beyond the answer itself:
$lookup is the call integrations make most often.
"""
from __future__ import annotations

from terminology.errors import InvalidRequest, shortened
from terminology.languages import check_display_language, parse_languages
from terminology.operations.lookup import LookupRequest, lookup
from terminology.operations.subsumes import subsumes
from terminology.versions import one_version

from .canonicals import CODE_SYSTEM, refuse_canonicals, refuse_coding_systems
from .http_headers import accept_language
from .operations import operation
from .params import coding_from_text, refuse_blank_code
from .supplied import supplied_catalog


def request_languages(params) -> list[str]:
    """displayLanguage wins over the Accept-Language header; a displayLanguage that is no language list is
    refused (400), a header is taken as it is."""
    value = params.str("displayLanguage")
    if value:
        check_display_language(value)
    if value is None:
        value = accept_language()
    return parse_languages(value) if value else []


def coding_param(params, name: str) -> dict | None:
    v = params.get(name)
    if v is None:
        return None
    if isinstance(v, str) and "|" in v:
        # GET cannot carry a Coding; `system|code` is the common shorthand (as in token search)
        return coding_from_text(v)
    if not isinstance(v, dict):
        raise InvalidRequest(f"parameter '{name}' must be a Coding", location=name)
    return v


def _property_names(params) -> list[str]:
    out = []
    for v in params.all("property"):
        if not isinstance(v, str):
            raise InvalidRequest("parameter 'property' must be a code", location="property")
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def refuse_two_versions(op: str, name: str, version: str | None, coding: dict) -> str | None:
    """The version of the code system a request names in `version` (the parameter `name`) and in its coding: the
    more specific one where one names the other (a partial version 0.1 names 0.1.0, a wildcard 1.x names 1.2.0,
    as a code system version is picked, terminology.versions); two versions that cannot be one (1.0 and 2.0)
    are the client's error, since which one to use cannot be told (as $subsumes refuses two versions)."""
    other = coding.get("version")
    if not version or not other or version == other:
        return other or version
    used = one_version(version, other)
    if used is not None:
        return used
    raise InvalidRequest(f"{op} uses one version of the code system; got {name} '{version}' and coding.version "
                         f"'{other}'", location=name)


def refuse_two_systems(catalog, system: str | None, coding: dict) -> None:
    """A `system` parameter naming another code system than the coding's (an OID and its URL are one)."""
    other = coding.get("system")
    if system is not None and other and other != system and \
            catalog.canonical_system(other) != catalog.canonical_system(system):
        raise InvalidRequest("give the system either as system or in the coding, not both: "
                             f"system '{shortened(system)}' differs from coding.system '{shortened(str(other))}'",
                             location="system")


def _lookup_request(catalog, params, instance) -> LookupRequest:
    # a parameter sent without a value (`version=`) is not given, as $validate-code reads it
    code = refuse_blank_code(params.str("code") or None, "code", "the code to look up")
    system, version = params.str("system"), params.str("version") or None
    coding = coding_param(params, "coding")
    if coding is not None:
        if code is not None and code != coding.get("code"):
            raise InvalidRequest("give the code either as code or as coding, not both", location="coding")
        other = coding.get("system")
        refuse_two_systems(catalog, system, coding)
        code = coding.get("code")
        system = other or system
        if not system and instance is None:
            # the reference servers' wording
            raise InvalidRequest("Coding parameter must include a system", location="coding")
        if not code or not code.strip():        # (a coding's code of blanks is no code, as $validate-code reads it)
            raise InvalidRequest("Coding parameter must include a code", location="coding")
        version = refuse_two_versions("$lookup", "version", version, coding)
    if instance is not None:
        if system is not None and system != instance.get("url"):
            raise InvalidRequest(f"system '{system}' differs from the code system {instance.get('url')} "
                                 "named in the URL", location="system")
        system = instance.get("url")
        version = version or instance.get("version")
    return LookupRequest(code=code, system=system, version=version, date=params.str("date"),
                         languages=request_languages(params), properties=_property_names(params),
                         supplements=[params_str(v, "useSupplement") for v in params.all("useSupplement")])


def params_str(v, name: str) -> str:
    if not isinstance(v, str):
        raise InvalidRequest(f"parameter '{name}' must be a simple value", location=name)
    return v


def _designation(d: dict) -> dict:
    parts = []
    if d.get("language"):
        parts.append({"name": "language", "valueCode": d["language"]})
    if d.get("use"):
        parts.append({"name": "use", "valueCoding": d["use"]})
    if d.get("source"):
        parts.append({"name": "source", "valueCanonical": d["source"]})
    parts.append({"name": "value", "valueString": d.get("value")})
    return {"name": "designation", "part": parts}


def _property(p, name: str = "property") -> dict:
    parts = [{"name": "code", "valueCode": p.code}]
    if p.value_type is not None:
        parts.append({"name": "value", p.value_type: p.value})
    if p.description:
        parts.append({"name": "description", "valueString": p.description})
    for sp in p.subproperties:
        parts.append(_property(sp, "subproperty"))
    return {"name": name, "part": parts}


def render_lookup(res) -> dict:
    out = [{"name": "code", "valueCode": res.code}, {"name": "system", "valueUri": res.system}]
    if res.name:
        out.append({"name": "name", "valueString": res.name})
    if res.version:
        out.append({"name": "version", "valueString": res.version})
    # display is 1..1 in the R4 CodeSystem-lookup definition: a concept without one is shown by its code
    out.append({"name": "display", "valueString": res.display if res.display is not None else res.code})
    if res.definition:
        out.append({"name": "definition", "valueString": res.definition})
    if res.abstract is not None:
        out.append({"name": "abstract", "valueBoolean": res.abstract})
    out.extend(_designation(d) for d in res.designations if d.get("value"))
    out.extend(_property(p) for p in res.properties)
    out.extend({"name": "used-supplement", "valueCanonical": s} for s in res.used_supplements)
    out.extend({"name": "message", "valueString": m} for m in res.messages)
    return {"resourceType": "Parameters", "parameter": out}


@operation("CodeSystem", "lookup")
def op_lookup(catalog, params, instance):
    refuse_canonicals(params, {"system": CODE_SYSTEM, "useSupplement": CODE_SYSTEM})
    refuse_coding_systems(params, {"coding": "Coding.system"})
    catalog = supplied_catalog(catalog, params)
    return render_lookup(lookup(catalog, _lookup_request(catalog, params, instance)))


@operation("CodeSystem", "subsumes")
def op_subsumes(catalog, params, instance):
    refuse_canonicals(params, {"system": CODE_SYSTEM})
    # named as the engine names a coding at fault: by its parameter
    refuse_coding_systems(params, {"codingA": "codingA", "codingB": "codingB"})
    catalog = supplied_catalog(catalog, params)
    system, version = params.str("system"), params.str("version")
    if instance is not None:
        system = system or instance.get("url")
        version = version or instance.get("version")
    outcome = subsumes(catalog, system=system, version=version,
                       code_a=params.str("codeA"), code_b=params.str("codeB"),
                       coding_a=coding_param(params, "codingA"), coding_b=coding_param(params, "codingB"),
                       date=params.str("date"))
    return {"resourceType": "Parameters", "parameter": [{"name": "outcome", "valueCode": outcome}]}
