"""How a served resource is shown: its stored body, with its concepts, cut down by _summary and _elements.

Read, search, the $operations on an instance and the OperationDefinition search all show resources this way;
the routes and the writes are fhir_api.resources. No Flask here: the callers read the request and hand the
values in.
"""
from __future__ import annotations

from mappings.edition_maps import derived_edition_maps
from terminology.catalog import store_view
from terminology.codesystem import INDEX_CLASSES, nest_concepts
from terminology.errors import InvalidRequest, NotFound, TerminologyError
from terminology.store.base import ResourceHeader
from terminology.validation import RESERVED_MAP_ID, id_problems

# concepts are left out of a read of a code system larger than this unless _summary=false
LARGE_CODESYSTEM = 2000
SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}
MANDATORY = {"resourceType", "id", "meta"}
# the top-level elements with min >= 1 in the R4 StructureDefinitions (hl7.fhir.r4.core 4.0.1,
# StructureDefinition-<type>.json snapshots): _summary=text and _elements keep them (search.html#summary,
# #elements: "Servers SHOULD always return mandatory elements whether they are requested or not")
REQUIRED = {"CodeSystem": {"status", "content"}, "ValueSet": {"status"}, "ConceptMap": {"status"},
            "NamingSystem": {"name", "status", "kind", "date", "uniqueId"},
            "OperationDefinition": {"name", "status", "kind", "code", "system", "type", "instance"}}
SUMMARY_ELEMENTS = {"url", "identifier", "version", "name", "title", "status", "experimental", "date",
                    "publisher", "description", "content", "count", "caseSensitive", "valueSet",
                    "hierarchyMeaning", "compositional", "versionNeeded", "supplements", "jurisdiction",
                    "useContext", "sourceUri", "sourceCanonical", "targetUri", "targetCanonical",
                    "kind", "uniqueId", "immutable", "property", "filter"}


def stored_body(catalog, header) -> dict | None:
    """The stored body of `header`; None when the resource is gone: another request deleted it after this
    request's catalog was refreshed (the headers are a snapshot, the bodies are read from the store)."""
    return catalog.body(header.pk) if header is not None else None


class Gone(TerminologyError):
    # R4 http.html#read: "A GET for a deleted resource returns a 410 Gone status code"; IssueType `deleted`
    issue_code, status = "deleted", 410


def deletion_record(store, rtype: str, rid: str):
    """The store's record of the deletion of `rtype`/`rid`, None when it was never deleted (or never held)."""
    # an id that cannot be an id was never written (and PostgreSQL refuses a NUL in a text it is asked for)
    return None if id_problems(rid) else store.deleted(rtype, rid)


def not_held(store, rtype: str, rid: str) -> TerminologyError:
    """Why `rtype`/`rid` cannot be shown: deleted (410, with when), or never known here (404). Asked of the
    store only on a miss, so a read of what exists pays nothing for it."""
    record = deletion_record(store, rtype, rid)
    if record is not None:
        return Gone(f"{rtype}/{rid} was deleted at {record.at}; it can be written again with PUT")
    return NotFound(f"{rtype}/{rid} is not known to this server")


def existing_body(catalog, header) -> dict:
    stored = stored_body(catalog, header)
    if stored is None:
        if header is None:
            raise NotFound("The resource is not known to this server")
        # deleted after this request's catalog was refreshed (by another worker, a moment ago): the same 410 the
        # deleting worker answers, not a 404 that depends on which worker takes the read
        why = not_held(catalog.store, header.type, header.id)
        if isinstance(why, Gone):
            raise why
        raise NotFound(f"{header.type}/{header.id} was deleted by another request while this one was reading it")
    return stored


def existing_served_body(catalog, header) -> dict:
    body = served_body(catalog, header.id)
    if body is None:
        raise NotFound(f"{header.type}/{header.id} is no longer served: the editions it was derived from changed "
                       "while this request was reading it")
    return body


def full_resource(catalog, header, stored: dict | None = None) -> dict:
    """The resource with its concepts; `stored`: its body when the caller has read it already."""
    body = dict(stored if stored is not None else existing_body(catalog, header))
    if header.type == "CodeSystem" and header.concept_count:
        rows = catalog.store.concepts(header.pk)
        # index classes with a compact stored row (SNOMED CT) say how it reads as FHIR
        to_fhir = getattr(INDEX_CLASSES.get(body.get("url")), "fhir_concept", None)
        body["concept"] = nest_concepts(map(to_fhir, rows) if to_fhir else rows)
    return body


def shape(catalog, header, summary: str | None, elements: list[str] | None, in_search: bool,
          served: dict | None = None) -> dict:
    """`served`: the body of a resource served but not stored, when the caller has it (find_resource)."""
    large = header.type == "CodeSystem" and header.concept_count > LARGE_CODESYSTEM
    # search results never carry concepts unless asked; a read carries them unless the system is large
    # (_summary=data only drops the text, search.html#summary)
    with_concepts = summary == "false" or (summary in (None, "data") and not in_search and not large)
    if header.pk is None:  # derived, not stored
        res = dict(served if served is not None else existing_served_body(catalog, header))
    else:
        res = full_resource(catalog, header) if with_concepts else dict(existing_body(catalog, header))
    subsetted = header.type == "CodeSystem" and not with_concepts and bool(header.concept_count)
    return trimmed(res, header.type, summary, elements, subsetted)


def trimmed(res: dict, rtype: str, summary: str | None, elements: list[str] | None, subsetted: bool = False) -> dict:
    """Resource body `res` cut down by _summary and _elements (search.html#summary), tagged SUBSETTED when
    anything was left out (`subsetted`: the caller already left something out)."""
    keep = MANDATORY | REQUIRED.get(rtype, set())
    if summary == "true":
        res = {k: v for k, v in res.items() if k in SUMMARY_ELEMENTS or k in keep}
        subsetted = True
    elif summary == "data":
        res = {k: v for k, v in res.items() if k != "text"}
    elif summary == "text":
        res = {k: v for k, v in res.items() if k == "text" or k in keep}
        subsetted = True
    if elements:
        res = {k: v for k, v in res.items() if k in elements or k in keep}
        subsetted = True
    if subsetted:
        meta = dict(res.get("meta") or {})
        meta["tag"] = [t for t in meta.get("tag", []) if t.get("code") != "SUBSETTED"] + [SUBSETTED]
        res = {**res, "meta": meta}
    return res


def summary_arg(s: str | None) -> str | None:
    """The `_summary` value `s` as sent (None: not sent), checked."""
    if s is not None and s not in ("true", "false", "count", "data", "text"):
        raise InvalidRequest(f"_summary must be one of true, false, count, data, text (not '{s}')")
    return s


def elements_arg(e: str | None) -> list[str] | None:
    """The `_elements` value `e` as sent (None: not sent) as a list of element names; None when it names none."""
    return [x.strip() for x in e.split(",") if x.strip()] if e else None


def derived_bodies(catalog) -> dict[str, dict]:
    """Resources served but not stored and listed by search, by id: the ConceptMaps between adjacent editions."""
    return derived_edition_maps(catalog)


def served_body(catalog, rid: str) -> dict | None:
    """The body of resource `rid` that is served but not stored: a derived map, or (found by id, never listed) a
    SNOMED CT implicit ConceptMap's header by the id a search gave it; None when neither."""
    body = derived_edition_maps(catalog).get(rid)
    if body is None and rid.startswith(RESERVED_MAP_ID):
        from mappings.snomed_implicit_maps import conceptmap_by_id
        # the stored editions' catalog: the implicit maps read RF2 editions, which a request cannot bring
        body = conceptmap_by_id(store_view(catalog), rid)
    return body


def derived_headers(catalog, rtype: str) -> list[ResourceHeader]:
    """Resources served but not stored: ConceptMaps between adjacent editions without a change list."""
    if rtype != "ConceptMap":
        return []
    return [served_header(cm) for cm in derived_bodies(catalog).values()]


def served_header(cm: dict) -> ResourceHeader:
    """The header of a ConceptMap served but not stored: a derived map, or a SNOMED CT implicit map's header (its
    body: mappings.snomed_implicit_maps)."""
    return ResourceHeader(None, "ConceptMap", cm["id"], cm["url"], cm.get("version"), cm.get("name"),
                          cm.get("title"), cm.get("status"), cm.get("publisher"), cm.get("date"), 0)


def find_resource(catalog, rtype: str, rid: str) -> tuple[ResourceHeader, dict | None] | None:
    """The header of resource `rtype`/`rid` and, for one served but not stored, its body (built once here, for the
    caller to show or operate on); None when the server has no such resource."""
    h = catalog.header_by_id(rtype, rid)
    if h is not None:
        return h, None
    body = served_body(catalog, rid) if rtype == "ConceptMap" else None
    return (served_header(body), body) if body is not None else None
