"""http://unitsofmeasure.org: UCUM unit expressions as a code system, checked against the UCUM essence.

Quantities in FHIR (laboratory results above all) carry UCUM units, and FHIR validators ask the terminology
server whether `mg/dL`, `10*9/L` or `mmol/mol{Hb}` are units. UCUM is a grammar: a unit is any expression of
atoms (with a prefix where the atom is metric) joined by `.` and `/`, with integer exponents, parentheses
and `{annotations}`; `terminology/data/ucum/ucum-essence.xml` names the atoms and prefixes. Codes are
case-sensitive. The display of a unit is the unit itself (as clinical systems print it); an English
reading such as "(milligram) / (deciliter)" is a designation, so either is a valid display.
"""
from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from functools import lru_cache

from .codesystem import Concept
from .grammar import GrammarIndex, register

UCUM = "http://unitsofmeasure.org"
_ESSENCE = os.path.join(os.path.dirname(__file__), "data", "ucum", "ucum-essence.xml")
_NS = {"u": "http://unitsofmeasure.org/ucum-essence"}
_EXPONENT = re.compile(r"[+-]?\d+")
_STOP = "./(){}"

RESOURCE = {
    "resourceType": "CodeSystem", "id": "ucum", "url": UCUM, "version": "2.2", "name": "UCUM",
    "title": "Unified Code for Units of Measure (UCUM)", "status": "active", "experimental": False,
    "publisher": "Regenstrief Institute, Inc.", "language": "en", "caseSensitive": True, "content": "complete",
    "description": "Unit expressions checked against the UCUM essence 2.2 (prefixes, base units, units). Its "
                   "codes cannot be listed, so a value set must name the units it takes.",
}


class _NotAUnit(Exception):
    pass


@lru_cache(maxsize=1)
def _essence() -> tuple[dict, dict]:
    """(atom code -> (name, metric), prefix code -> name)."""
    root = ET.parse(_ESSENCE).getroot()
    atoms = {b.get("Code"): (b.findtext("u:name", namespaces=_NS), True) for b in root.findall("u:base-unit", _NS)}
    for u in root.findall("u:unit", _NS):
        atoms[u.get("Code")] = (u.findtext("u:name", namespaces=_NS), u.get("isMetric") == "yes")
    prefixes = {p.get("Code"): p.findtext("u:name", namespaces=_NS) for p in root.findall("u:prefix", _NS)}
    return atoms, prefixes


def _unit_name(unit: str) -> str | None:
    atoms, prefixes = _essence()
    if unit in ("10*", "10^"):      # "the number ten for arbitrary powers": 10*9 reads 10 ^ 9
        return "10"
    if unit in atoms:               # an atom wins over a prefixed reading ('cd' is candela, not centiday)
        return atoms[unit][0]
    for p, pname in prefixes.items():
        if unit.startswith(p) and unit[len(p):] in atoms and atoms[unit[len(p):]][1]:
            return pname + atoms[unit[len(p):]][0]
    return None


def _simple_unit(symbol: str) -> str:
    """The reading of an atom with an optional prefix and exponent ('cm2' -> 'centimeter ^ 2'), or a factor."""
    if symbol.isdigit():
        return symbol
    for cut in range(len(symbol), 0, -1):
        unit, exponent = symbol[:cut], symbol[cut:]
        if exponent and not _EXPONENT.fullmatch(exponent):
            continue
        name = _unit_name(unit)
        if name is not None:
            return f"{name} ^ {exponent}" if exponent else name
    raise _NotAUnit(f"'{symbol}' is not a UCUM unit")


class _Reader:
    """Recursive descent over the UCUM syntax: main term, terms, components (UCUM §§ 2–6)."""

    def __init__(self, text: str):
        self.text, self.at = text, 0

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def main(self) -> str:
        out = "1 / " + self.term() if self._take("/") else self.term()
        if self.at != len(self.text):
            raise _NotAUnit(f"unexpected '{self.peek()}' at position {self.at + 1}")
        return out

    def term(self) -> str:
        out = self.component()
        while self.peek() in (".", "/") and self.peek():
            op = " * " if self.text[self.at] == "." else " / "
            self.at += 1
            out += op + self.component()
        return out

    def component(self) -> str:
        if self._take("("):
            inner = self.term()
            if not self._take(")"):
                raise _NotAUnit("a '(' is not closed")
            return f"({inner})"
        if self.peek() == "{":
            self._annotation()
            return "1"
        start, depth = self.at, 0
        while self.at < len(self.text) and (depth or self.text[self.at] not in _STOP):
            depth += {"[": 1, "]": -1}.get(self.text[self.at], 0)
            self.at += 1
        if self.at == start:
            raise _NotAUnit(f"a unit is missing at position {start + 1}")
        out = f"({_simple_unit(self.text[start:self.at])})"
        if self.peek() == "{":
            self._annotation()
        return out

    def _annotation(self) -> None:
        end = self.text.find("}", self.at)
        if end < 0 or "{" in self.text[self.at + 1:end]:
            raise _NotAUnit("an annotation '{…}' is not closed")
        self.at = end + 1

    def _take(self, ch: str) -> bool:
        if self.peek() == ch:
            self.at += 1
            return True
        return False


def reading(code: str) -> str:
    """The English reading of a unit expression; ValueError (naming the fault) when it is not one."""
    if not code.isascii() or any(not 33 <= ord(ch) <= 126 for ch in code):
        raise ValueError("a UCUM unit is written in printable ASCII without spaces")
    try:
        return _Reader(code).main()
    except _NotAUnit as e:
        raise ValueError(str(e)) from None


def _concept(code: str) -> Concept | None:
    try:
        text = reading(code)
    except ValueError:
        return None
    return Concept(code=code, display=code, designations=[{"language": "en", "value": text}])


UNITS = register(GrammarIndex(RESOURCE, _concept))
