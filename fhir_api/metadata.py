"""CapabilityStatement, TerminologyCapabilities and the $versions operation."""
from __future__ import annotations

from flask import Blueprint, request

from terminology.codesystem import GRAMMARS

from . import __version__
from .opdefs import CORE, definition_url
from .operations import OPERATIONS, SYSTEM_OPERATIONS
from .params import query_value, request_params
from .render import fhir_base, fhir_response
from .store import get_catalog

bp = Blueprint("metadata", __name__)

RELEASE_DATE = "2026-11-25"
FEATURE = "http://hl7.org/fhir/uv/application-feature/StructureDefinition/feature"

EXPANSION_PARAMETERS = ["activeOnly", "check-system-version", "count", "designation", "displayLanguage",
                        "exclude-system", "excludeNested", "excludeNotForUI", "filter", "force-system-version",
                        "includeDefinition", "includeDesignations", "offset", "property", "system-version",
                        "tx-resource", "date", "valueSetVersion", "default-valueset-version",
                        "check-valueset-version", "force-valueset-version", "useSupplement"]



def _feature(definition: str, value: dict) -> dict:
    return {"url": FEATURE, "extension": [{"url": "definition", "valueCanonical": definition},
                                          {"url": "value", **value}]}


def capability_statement(base: str) -> dict:
    resources = []
    for rtype in ("CodeSystem", "ValueSet", "ConceptMap"):
        # the dispatch table is the one list of what is served, so the statement cannot promise more
        ops = [{"name": name, "definition": definition_url(rtype, name)}
               for t, name in sorted(OPERATIONS) if t == rtype and (t, name) not in SYSTEM_OPERATIONS]
        resources.append({
            "type": rtype,
            "profile": f"http://hl7.org/fhir/StructureDefinition/{rtype}",
            "interaction": [{"code": c} for c in ("read", "search-type", "create", "update", "delete")],
            "versioning": "no-version",
            "conditionalRead": "full-support",      # ETag / Last-Modified, 304 on If-None-Match / If-Modified-Since
            "conditionalCreate": True,              # If-None-Exist (http.html#ccreate), by the type's search
            # If-Match / If-None-Match on PUT and DELETE (412) are not conditionalUpdate / conditionalDelete:
            # in FHIR those mean "update/delete whatever matches these search criteria", which is not served.
            # versioning stays no-version: the tag is not meta.versionId, and If-Match is optional here
            "searchParam": _search_params(rtype),
            "operation": ops,
        })
    # NamingSystem has no operations, but is written like the others: a hospital registers its own identifiers
    resources.append({"type": "NamingSystem", "profile": "http://hl7.org/fhir/StructureDefinition/NamingSystem",
                      "interaction": [{"code": c} for c in ("read", "search-type", "create", "update", "delete")],
                      "versioning": "no-version", "conditionalRead": "full-support", "conditionalCreate": True,
                      "searchParam": _search_params("NamingSystem")})
    # the definitions of Kodebro's own operations (fhir_api/opdefs.py): read, and searched by url only
    resources.append({"type": "OperationDefinition",
                      "profile": "http://hl7.org/fhir/StructureDefinition/OperationDefinition",
                      "interaction": [{"code": "read"}, {"code": "search-type"}],
                      "versioning": "no-version", "readHistory": False, "updateCreate": False,
                      "searchParam": [{"name": "url", "type": "uri",
                                       "definition": "http://hl7.org/fhir/SearchParameter/conformance-url"}]})
    return {
        "resourceType": "CapabilityStatement",
        "id": "kodebro",
        "extension": [
            _feature("http://hl7.org/fhir/uv/tx-tests/FeatureDefinition/test-version", {"valueCode": "1.7.0"}),
            _feature("http://hl7.org/fhir/uv/tx-ecosystem/FeatureDefinition/CodeSystemAsParameter",
                     {"valueBoolean": True}),
        ],
        "url": base + "/metadata",
        "version": __version__,
        "name": "Kodebro",
        "title": "Kodebro FHIR terminology server",
        "status": "active",
        "experimental": False,
        "date": RELEASE_DATE,
        "publisher": "Kodebro",
        "description": "FHIR R4 terminology server for the Norwegian codebooks",
        "kind": "instance",
        "instantiates": ["http://hl7.org/fhir/CapabilityStatement/terminology-server"],
        "software": {"name": "Kodebro", "version": __version__, "releaseDate": RELEASE_DATE},
        "implementation": {"description": "Kodebro", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json", "application/fhir+xml", "xml"],
        "rest": [{
            "mode": "server",
            # the tx ecosystem asks every server to state its security service
            "security": _security(),
            "resource": resources,
            "interaction": [{"code": "batch"}],
            "operation": [{"name": "versions", "definition": CORE + "CapabilityStatement-versions"}] +
                         [{"name": name, "definition": definition_url(t, name)} for t, name in SYSTEM_OPERATIONS],
        }],
    }


def _search_params(rtype: str) -> list[dict]:
    """What fhir_api.search serves, each with the R4 SearchParameter that defines it."""
    from mappings.conceptmap_search import NOTES
    from .search import definition_id, supported_parameters
    out = []
    for n, t in supported_parameters(rtype):
        sp = definition_id(rtype, n)
        doc = NOTES.get(n) if rtype == "ConceptMap" else None
        out.append({"name": n, "definition": f"http://hl7.org/fhir/SearchParameter/{sp}", "type": t,
                    **({"documentation": doc} if doc else {})})
    return out


def _security() -> dict:
    from flask import current_app
    writes = "need 'Authorization: Bearer <key>'" if current_app.config["KODEBRO"].get("API_KEY") else \
        "are open (no KODEBRO_API_KEY is set)"
    return {"cors": False, "service": [{"text": "API key"}],
            "description": f"Reading and the terminology operations need no authentication; create, update and "
                           f"delete {writes}."}


def terminology_capabilities(base: str) -> dict:
    catalog = get_catalog()
    systems: dict[str, list[str]] = {}
    for h in catalog.headers("CodeSystem"):
        if h.url:
            systems.setdefault(h.url, [])
            if h.version:
                systems[h.url].append(h.version)
    for url in GRAMMARS:      # answered from their grammar (BCP 47, UCUM), whether or not a resource is stored
        systems.setdefault(url, [])
    cs = []
    for url in sorted(systems):
        versions = catalog.versions("CodeSystem", url)
        entry = {"uri": url}
        if versions:
            # the version a request naming none gets: a yearly codebook's edition in force today, else the latest
            default = catalog.default_version("CodeSystem", url) or versions[-1]
            entry["version"] = [{"code": v, "isDefault": v == default} for v in versions]
        cs.append(entry)
    return {
        "resourceType": "TerminologyCapabilities",
        "id": "kodebro",
        "url": base + "/metadata?mode=terminology",
        "version": __version__,
        "name": "KodebroTerminologyCapabilities",
        "title": "Kodebro terminology capabilities",
        "status": "active",
        "date": RELEASE_DATE,
        "kind": "instance",
        "software": {"name": "Kodebro", "version": __version__},
        # tcp-3: an instance statement names the installation it describes
        "implementation": {"description": "Kodebro", "url": base},
        "codeSystem": cs,
        "expansion": {"hierarchical": True, "paging": True, "incomplete": False,
                      "parameter": [{"name": n} for n in EXPANSION_PARAMETERS],
                      "textFilter": "Case-insensitive word-prefix match on displays and designations, "
                                    "in any order; code-prefix match; exact codes ranked first."},
        "codeSearch": "all",
        "validateCode": {"translations": True},
        "translation": {"needsMap": False},
        # $closure is served; its pairs stay within one code system (no translation across systems)
        "closure": {"translation": False},
    }


@bp.route("/metadata", methods=["GET"])
def metadata():
    mode = query_value("mode") or "full"     # empty is absent, as for search parameters
    if mode not in ("full", "normative", "terminology"):
        from terminology.errors import InvalidRequest
        raise InvalidRequest(f"mode must be full, normative or terminology, not '{mode[:100]}'", location="http.mode")
    if mode == "terminology":
        return fhir_response(terminology_capabilities(fhir_base()))
    return fhir_response(capability_statement(fhir_base()))


@bp.route("/metadata", methods=["POST"])
def metadata_is_read_only():
    """http.html#capabilities: the statement is read with GET; a POST is not a create of a type 'metadata'
    (the other methods find no rule for /metadata and are 405 already)."""
    from .outcomes import issue, operation_outcome
    text = f"{request.method} is not supported on {fhir_base()}/metadata: read the CapabilityStatement with GET"
    return fhir_response(operation_outcome([issue("error", "not-supported", text)]), 405, {"Allow": "GET"})


@bp.route("/OperationDefinition", methods=["POST"])
@bp.route("/OperationDefinition/<oid>", methods=["PUT", "DELETE", "PATCH"])
def operation_definition_is_read_only(oid: str | None = None):
    """The statement lists read and search for OperationDefinition; any other interaction is 405, not the
    "type not served" 404 the generic resource routes would give a type they do not hold."""
    from .outcomes import issue, operation_outcome
    text = (f"OperationDefinition is read-only here: {request.method} is not supported "
            f"(read and search-type are; see {fhir_base()}/metadata)")
    return fhir_response(operation_outcome([issue("error", "not-supported", text)]), 405, {"Allow": "GET"})


@bp.route("/$versions", methods=["GET", "POST"])
def versions():
    request_params()
    return fhir_response({"resourceType": "Parameters", "parameter": [
        {"name": "version", "valueCode": "4.0"}, {"name": "default", "valueCode": "4.0"}]})


