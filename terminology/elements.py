"""Reading FHIR choice elements (value[x]) in the JSON form resources arrive in.

A property, extension or parameter carries at most one `value[x]` (valueCode, valueCoding, valueString…); the
engine needs either its value or its JSON name (the name says the type, and answers echo it)."""
from __future__ import annotations


def typed_value(element: dict) -> tuple[str, object] | None:
    """The (name, value) of an element's value[x], or None when it has none."""
    for k, v in element.items():
        if k.startswith("value") and k != "value":
            return k, v
    return None


def value_of(element: dict):
    """The value of an element's value[x], or None."""
    found = typed_value(element)
    return found[1] if found else None
