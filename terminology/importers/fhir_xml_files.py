"""FHIR content in XML: a file holding one resource or a Bundle of them (what ART-DECOR and older tools export).

Read into the JSON form by terminology.fhir_xml, then unpacked as the JSON importer unpacks (the same kept types,
the same Bundle rules); folders are the JSON importer's, which hands their .xml files here.
"""
from __future__ import annotations

import os
from typing import Iterator

from ..errors import InvalidRequest
from ..fhir_xml.read import from_xml
from ..fhir_xml.markup import NS, root_element
from .base import Item, read_bytes
from .fhir_resources import unpack

FORMAT = "fhir-xml"
# before the JSON importer (90), which takes every folder; after WHO ICD-10 (30), whose XML is not FHIR's
PRIORITY = 80
# a root element is found well inside this: an XML declaration, a comment or two, the root's namespace declarations
_HEAD = 16384


def root_namespace(path: str) -> str | None:
    """The namespace of the file's root element, reading only the start; None when the start is not XML."""
    with open(path, "rb") as fh:
        found = root_element(fh.read(_HEAD), whole=False)
    return found[0] if found else None


def detect(path: str) -> bool:
    return os.path.isfile(path) and root_namespace(path) == NS


def read(path: str, **_options) -> Iterator[Item]:
    data, err = read_bytes(path)
    if err:
        yield Item(path, error=err)
        return
    try:
        resource = from_xml(data)
    except InvalidRequest as e:
        yield Item(path, error=_in_a_file(e.message))
        return
    yield from unpack(path, resource)


def _in_a_file(message: str) -> str:
    # from_xml speaks of what it reads over HTTP; here it is a file, which the Item already names
    for body in ("the request body", "the XML body"):
        if message.startswith(body):
            return "the file" + message[len(body):]
    return message
