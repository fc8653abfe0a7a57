"""What $expand, $validate-code and $related share at the API edge: finding the value set a request names,
the wanted languages, the supplements and the version rules a request gives."""
from __future__ import annotations

from flask import has_request_context, request

from terminology.errors import InvalidRequest, NotSupported
from terminology.identifiers import canonical
from terminology.implicit import resolve as resolve_implicit
from terminology.languages import check_display_language
from terminology.operations.compose_checks import check_outline
from terminology.operations.expand import vs_parameter
from terminology.operations.version_rules import SystemVersionRules, find_valueset, missing_valueset, \
    requested_valueset
from terminology.supplements import SupplementSet, supplied_lang_packs, valueset_supplement_refs, valueset_systems

from .supplied import checked


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
