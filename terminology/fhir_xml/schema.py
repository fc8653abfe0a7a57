"""What FHIR's XML form needs to know of R4 that its JSON form does not say: the order of each type's elements,
which are attributes, which repeat, and the type of each primitive. JSON objects are unordered and carry their
own types (true, 1, "x"); XML elements must come in the order the StructureDefinitions give and hold every value
as text.

Read from the R4 core package's StructureDefinitions (snapshots of every resource and data type) into
r4_elements.json beside this module, which is what the server loads: `python -m terminology.fhir_xml.schema`
writes it again, and tests/fhir_xml/test_schema.py checks it is what the package says.

An element is [name, kind, target, repeats, attribute]:
  kind   'p' primitive (target: its FHIR type, 'boolean', 'code' …), 'c' complex (target: a data type's name or,
         for a backbone element, its path 'CodeSystem.concept'), 'r' a resource inside ('Bundle.entry.resource'),
         'x' XHTML (Narrative.div)
  repeats   1 when the element may repeat (max not 1): an array in JSON
  attribute 1 when XML writes it as an attribute (Element.id, Extension.url)
A choice element `value[x]` is listed once per type, named as JSON and XML name it (valueCoding, valueString).
"""
from __future__ import annotations

import functools
import json
import os
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_FILE = os.path.join(HERE, "r4_elements.json")
CORE_PACKAGE = os.path.join(HERE, os.pardir, "hl7", "hl7.fhir.r4.core-4.0.1.tgz")

# the JSON form of each primitive's value: true/false, a number, or a string (json.html#primitive)
JSON_BOOLEAN = {"boolean"}
JSON_NUMBER = {"integer", "decimal", "positiveInt", "unsignedInt"}
_FHIRPATH = "http://hl7.org/fhirpath/System."
_FHIR_TYPE = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"


@functools.lru_cache(maxsize=1)
def schema() -> dict:
    """{'types': {type name or backbone path: [element, …]}, 'resources': [resource names],
    'primitives': [primitive type names]}"""
    with open(SCHEMA_FILE, encoding="utf-8") as f:
        return json.load(f)


@functools.lru_cache(maxsize=1)
def by_name() -> dict[str, dict[str, tuple]]:
    """Each type's elements by name, each with its place in the type's order."""
    return {t: {e[0]: (i, *e[1:]) for i, e in enumerate(elements)} for t, elements in schema()["types"].items()}


def resource_types() -> frozenset[str]:
    return frozenset(schema()["resources"])


def build(package: str = CORE_PACKAGE) -> dict:
    """The schema from the StructureDefinitions of an R4 core package."""
    defs = []
    with tarfile.open(package) as tf:
        for m in tf:
            name = m.name.rsplit("/", 1)[-1]
            if m.name.startswith("package/StructureDefinition-") and name.endswith(".json"):
                d = json.load(tf.extractfile(m))
                if d.get("derivation") == "specialization" and d.get("kind") in ("resource", "complex-type") \
                        and not d.get("abstract"):
                    defs.append(d)
                elif d.get("kind") == "primitive-type":
                    defs.append(d)
    types: dict[str, list] = {}
    resources, primitives = [], []
    for d in sorted(defs, key=lambda d: d["type"]):
        if d["kind"] == "primitive-type":
            primitives.append(d["type"])
            continue
        if d["kind"] == "resource":
            resources.append(d["type"])
        _add_elements(d, types)
    return {"resources": resources, "primitives": primitives, "types": types}


def _add_elements(sd: dict, types: dict) -> None:
    elements = sd["snapshot"]["element"]
    paths = {e["path"] for e in elements}
    for e in elements:
        path = e["path"]
        if "." not in path:
            types.setdefault(path, [])
            continue
        parent, _, name = path.rpartition(".")
        if parent not in types:
            types[parent] = []
        repeats = 1 if e.get("max") != "1" else 0
        attribute = 1 if "xmlAttr" in (e.get("representation") or []) else 0
        ref = e.get("contentReference")
        if ref:
            types[parent].append([name, "c", ref.lstrip("#"), repeats, attribute])
            continue
        codes = [_type_code(t) for t in e.get("type") or []]
        if name.endswith("[x]"):
            base = name[:-3]
            for code in codes:
                types[parent].append([base + code[0].upper() + code[1:], *_kind(code, path, paths), repeats,
                                      attribute])
        elif codes:
            types[parent].append([name, *_kind(codes[0], path, paths), repeats, attribute])


def _type_code(t: dict) -> str:
    code = t["code"]
    if code.startswith(_FHIRPATH):
        # Element.id, Extension.url, Resource.id: FHIRPath types, with the FHIR type they hold named beside
        for ext in t.get("extension") or []:
            if ext.get("url") == _FHIR_TYPE:
                return ext["valueUrl"]
        return "string"
    return code


def _kind(code: str, path: str, paths: set[str]) -> tuple[str, str]:
    if code == "xhtml":
        return "x", code
    if code == "Resource":
        return "r", code
    if code in ("BackboneElement", "Element") and any(p.startswith(path + ".") for p in paths):
        return "c", path
    if code[0].islower():
        return "p", code
    return "c", code


def main() -> None:
    with open(SCHEMA_FILE, "w", encoding="utf-8") as f:
        json.dump(build(), f, separators=(",", ":"), sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
