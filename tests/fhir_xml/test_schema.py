"""The element order, repetition and types XML needs, as the R4 core package's StructureDefinitions give them."""
from __future__ import annotations

import json

from terminology.fhir_xml.schema import SCHEMA_FILE, build, by_name, resource_types


def test_the_shipped_schema_is_what_the_r4_core_package_says():
    # r4_elements.json is written by `python -m terminology.fhir_xml.schema`; a change of the builder shows here
    with open(SCHEMA_FILE, encoding="utf-8") as f:
        assert json.load(f) == build()


def test_order_attributes_and_repetition():
    coding = by_name()["Coding"]
    assert sorted(coding, key=lambda n: coding[n][0]) == ["id", "extension", "system", "version", "code",
                                                          "display", "userSelected"]
    assert coding["id"][4] == 1 and coding["system"][4] == 0          # Element.id is an attribute
    assert by_name()["Extension"]["url"][4] == 1                       # so is Extension.url
    assert by_name()["Coding"]["userSelected"][1:3] == ("p", "boolean")
    assert by_name()["CodeSystem"]["concept"][1:4] == ("c", "CodeSystem.concept", 1)
    # a contentReference: a concept's concepts are concepts
    assert by_name()["CodeSystem.concept"]["concept"][1:3] == ("c", "CodeSystem.concept")
    assert by_name()["Parameters.parameter"]["part"][1:3] == ("c", "Parameters.parameter")
    assert by_name()["Parameters.parameter"]["resource"][1] == "r"
    assert by_name()["Narrative"]["div"][1] == "x"


def test_choice_elements_are_listed_per_type_in_their_place():
    param = by_name()["Parameters.parameter"]
    assert param["valueCoding"][1:3] == ("c", "Coding") and param["valueBoolean"][1:3] == ("p", "boolean")
    for variant in ("valueCoding", "valueString", "valueBoolean"):
        assert param["name"][0] < param[variant][0] < param["resource"][0] < param["part"][0]


def test_every_r4_resource_type_is_known():
    types = resource_types()
    assert {"CodeSystem", "ValueSet", "ConceptMap", "NamingSystem", "Parameters", "Bundle", "OperationOutcome",
            "CapabilityStatement", "TerminologyCapabilities", "Patient"} <= types
    assert len(types) == 146 and "Resource" not in types and "DomainResource" not in types
