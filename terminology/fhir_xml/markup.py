"""What FHIR XML is made of before any FHIR type is read: its namespaces, and the first element of a piece of XML."""
from __future__ import annotations

from xml.parsers import expat

NS = "http://hl7.org/fhir"
XHTML = "http://www.w3.org/1999/xhtml"


class _Found(Exception):
    pass


def root_element(data: bytes | str, whole: bool = True) -> tuple[str, str] | None:
    """(namespace, name) of the first element of `data`, None when it is not well-formed XML. `whole`: all of
    `data` must be, as a fragment to write inside a document (so no XML declaration or DOCTYPE either, which
    stand only at a document's start); else only as far as its first element (the start of a file, which may
    hold a declaration)."""
    found, foreign = [], []
    p = expat.ParserCreate(namespace_separator="}")

    def start(tag, _attrs):
        if not found:
            ns, _, name = tag.rpartition("}")
            found.append((ns, name))
        if not whole:
            raise _Found

    p.StartElementHandler = start
    if whole:
        p.XmlDeclHandler = lambda *args: foreign.append(1)
        p.StartDoctypeDeclHandler = lambda *args: foreign.append(1)
    try:
        p.Parse(data, whole)
    except _Found:
        pass
    except (expat.ExpatError, ValueError, LookupError):
        return None         # not well-formed, or in an encoding expat cannot read
    return found[0] if found and not foreign else None
