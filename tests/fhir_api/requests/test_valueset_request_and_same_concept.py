"""F14 and F16 (first half) of the s15 structure review.

F14: what $expand, $validate-code and $related share at the API edge (the value set a request names, languages,
supplements, version rules) lives in fhir_api/valueset_request.py, and the three operation modules take it from
there rather than from the $expand module.

F16: "do two codings name one concept" (system aliases, the ICD-10-NO dot, case as the code system reads it) is
an engine rule, `terminology.operations.same_concept.same_concept`; $validate-code asks it before it refuses a
`code`, `coding` and `codeableConcept` that name different concepts.
"""
from __future__ import annotations

import ast
import os

import pytest

from fhir_api import ops_related, ops_validate, ops_valueset, valueset_request
from terminology import Catalog, open_store
from terminology.identifiers import ICD10_NO
from terminology.operations.same_concept import concept_of, same_concept
from tests.conftest import ROOT

SHARED = ("language_value", "resolve_valueset", "supplements_for", "version_rules")
ICD10_NO_OID = "urn:oid:2.16.578.1.12.4.1.1.7110"
ANY_CASE = "http://example.org/s15h/any-case"
EXACT_CASE = "http://example.org/s15h/exact-case"


def _cs(rid, url, codes, version="1", **extra):
    return {"resourceType": "CodeSystem", "id": rid, "url": url, "version": version, "status": "active",
            "content": "complete", "concept": [{"code": c, "display": c} for c in codes], **extra}


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    store = open_store(str(tmp_path_factory.mktemp("s15h") / "kodebro.db"))
    store.write([_cs("icd", ICD10_NO, ["J128", "I210a", "A00"]),
                 _cs("anycase", ANY_CASE, ["mg", "kg"], caseSensitive=False),
                 _cs("exact1", EXACT_CASE, ["mg", "Mg"], caseSensitive=True),
                 _cs("exact2", EXACT_CASE, ["kg"], version="2", caseSensitive=True)])
    yield Catalog(store)
    store.close()


# --- F14: the shared request helpers ------------------------------------------------------------------------

def _imported_from(module) -> dict[str, str]:
    """name -> the module (relative, as written) a `from ... import` statement of `module` takes it from."""
    tree = ast.parse(open(module.__file__, encoding="utf-8").read())
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                out[alias.asname or alias.name] = "." * node.level + (node.module or "")
    return out


def test_the_shared_helpers_are_public_names_of_valueset_request():
    for name in SHARED + ("NO_VALUESET",):
        assert not name.startswith("_") and hasattr(valueset_request, name), name


@pytest.mark.parametrize("module, names", [(ops_valueset, SHARED), (ops_validate, SHARED),
                                           (ops_related, ("resolve_valueset", "version_rules"))])
def test_the_operations_take_the_helpers_from_valueset_request(module, names):
    imported = _imported_from(module)
    for name in names:
        assert imported.get(name) == ".valueset_request", (module.__name__, name)
        assert getattr(module, name) is getattr(valueset_request, name)


def test_the_expand_module_defines_none_of_them():
    tree = ast.parse(open(ops_valueset.__file__, encoding="utf-8").read())
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    assert not defined & set(SHARED + ("NO_VALUESET",))


def test_no_module_takes_the_helpers_from_the_expand_module():
    for folder in ("fhir_api", "scripts", "mappings", "terminology"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, folder)):
            for f in files:
                if f.endswith(".py"):
                    text = open(os.path.join(dirpath, f), encoding="utf-8").read()
                    assert "ops_valueset import" not in text, os.path.join(dirpath, f)


# --- F16: same_concept in the engine ------------------------------------------------------------------------

def test_same_concept_is_engine_code_and_the_web_layer_keeps_no_copy():
    text = open(os.path.join(ROOT, "terminology", "operations", "same_concept.py"), encoding="utf-8").read()
    assert "flask" not in text and "fhir_api" not in text
    assert not hasattr(ops_validate, "_same_code") and not hasattr(ops_validate, "_concept_of")
    assert ops_validate.same_concept is same_concept


@pytest.mark.parametrize("a, b, default, same", [
    # the code as given
    ({"system": ICD10_NO, "code": "J128"}, {"system": ICD10_NO, "code": "J128"}, None, True),
    # equal codes match even where no system is loaded or named
    ({"system": "http://example.org/unknown", "code": "x"}, {"code": "x"}, None, True),
    ({"code": "x"}, {"code": "x"}, None, True),
    # the ICD-10-NO dot, either way round, by URL or by its OID alias
    ({"system": ICD10_NO, "code": "J12.8"}, {"system": ICD10_NO, "code": "J128"}, None, True),
    ({"system": ICD10_NO, "code": "J128"}, {"system": ICD10_NO_OID, "code": "J12.8"}, None, True),
    ({"system": ICD10_NO, "code": "I21.0a"}, {"system": ICD10_NO, "code": "I210a"}, None, True),
    ({"system": ICD10_NO, "code": "J12.8"}, {"system": ICD10_NO, "code": "A00"}, None, False),
    # a code the system does not hold is no concept, however close its spelling
    ({"system": ICD10_NO, "code": "J12.9"}, {"system": ICD10_NO, "code": "J129"}, None, False),
    # one side without a system: the other's system, else the default
    ({"code": "J12.8"}, {"system": ICD10_NO, "code": "J128"}, None, True),
    ({"code": "J12.8"}, {"code": "J128"}, ICD10_NO, True),
    ({"code": "J12.8"}, {"code": "J128"}, ICD10_NO_OID, True),
    ({"code": "J12.8"}, {"code": "J128"}, None, False),
    # case as the code system reads it
    ({"system": ANY_CASE, "code": "MG"}, {"system": ANY_CASE, "code": "mg"}, None, True),
    ({"system": ANY_CASE, "code": "MG"}, {"system": ANY_CASE, "code": "kg"}, None, False),
    ({"system": EXACT_CASE, "code": "mg"}, {"system": EXACT_CASE, "code": "Mg"}, None, False),
    ({"system": EXACT_CASE, "code": "MG"}, {"system": EXACT_CASE, "code": "mg"}, None, False),
    # two systems are two concepts, even for one code
    ({"system": ANY_CASE, "code": "mg"}, {"system": EXACT_CASE, "code": "mg"}, None, False),
    ({"system": ICD10_NO, "code": "J128"}, {"system": ANY_CASE, "code": "J128"}, None, False),
    # a system that is not loaded reads no spelling
    ({"system": "http://example.org/unknown", "code": "A"}, {"system": "http://example.org/unknown", "code": "a"},
     None, False),
])
def test_same_concept(catalog, a, b, default, same):
    assert same_concept(catalog, a, b, default) is same
    assert same_concept(catalog, b, a, default) is same


def test_a_coding_is_read_in_the_version_it_names(catalog):
    one = {"system": EXACT_CASE, "code": "mg", "version": "1"}
    assert concept_of(catalog, EXACT_CASE, one).code == "mg"
    assert concept_of(catalog, EXACT_CASE, {**one, "code": "kg"}) is None
    assert concept_of(catalog, EXACT_CASE, {**one, "code": "kg", "version": "2"}).code == "kg"
    # a version that is not loaded: no concept (not an error)
    assert concept_of(catalog, EXACT_CASE, {**one, "version": "9"}) is None
    assert concept_of(catalog, None, one) is None
    assert concept_of(catalog, EXACT_CASE, {"system": EXACT_CASE}) is None


# --- the same answers over HTTP -----------------------------------------------------------------------------

def _validate(client, *params):
    r = client.post("/fhir/CodeSystem/$validate-code",
                    json={"resourceType": "Parameters", "parameter": [dict(p) for p in params]})
    return r.status_code, r.get_json()


@pytest.fixture
def loaded(client):
    for r in (_cs("icd", ICD10_NO, ["J128", "A00"]), _cs("anycase", ANY_CASE, ["mg", "kg"], caseSensitive=False)):
        assert client.put(f"/fhir/CodeSystem/{r['id']}", json=r).status_code in (200, 201)
    return client


def test_a_code_and_a_coding_of_one_concept_are_validated_once(loaded):
    status, body = _validate(loaded, {"name": "url", "valueUri": ICD10_NO}, {"name": "code", "valueCode": "J12.8"},
                             {"name": "coding", "valueCoding": {"system": ICD10_NO_OID, "code": "J128"}})
    assert status == 200, body
    assert {p["name"]: p.get("valueBoolean") for p in body["parameter"]}["result"] is True
    status, body = _validate(loaded, {"name": "url", "valueUri": ANY_CASE}, {"name": "code", "valueCode": "MG"},
                             {"name": "coding", "valueCoding": {"system": ANY_CASE, "code": "mg"}})
    assert status == 200, body


def test_a_code_and_a_coding_of_two_concepts_are_refused(loaded):
    status, body = _validate(loaded, {"name": "url", "valueUri": ICD10_NO}, {"name": "code", "valueCode": "J12.8"},
                             {"name": "coding", "valueCoding": {"system": ICD10_NO, "code": "A00"}})
    assert status == 400 and body["resourceType"] == "OperationOutcome"
    assert "different codes" in body["issue"][0]["details"]["text"]
