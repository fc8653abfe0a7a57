"""A CodeSystem that defines a code more than once (csd-1 broken), read as one concept per code.

Only for code systems a request brings along (tx-resource, codeSystem, contained): stored content is refused
instead (validation.py). The reference server (FHIRsmith codesystem.js buildMaps) keeps the last definition of
a code and links it to every concept it was nested under or related to, so a client sending such a code system
gets answers rather than an error there; this module gives the index the same reading by rewriting the
resource, because the index keeps the first definition of a code and drops the rest.
"""
from __future__ import annotations

HIERARCHY_PROPERTIES = ("parent", "child")


def repeated_codes(concepts) -> list[str]:
    """The codes defined more than once in a concept tree, in the order their second definition comes."""
    seen: set = set()
    repeated: list = []
    for c, _parent in _walk(concepts):
        code = c.get("code")
        if isinstance(code, str):
            if code in seen and code not in repeated:
                repeated.append(code)
            seen.add(code)
    return repeated


def merged_duplicates(resource: dict) -> dict:
    """`resource` with each code defined once (a new dict; `resource` itself when no code repeats).

    The merged concept stands where the code first appears and carries its last definition (display,
    definition, designations, properties: the reference keeps the last); its children are those of every
    definition, and every concept it was nested under becomes a `parent` property, so the index gives it all
    its parents. Parent and child properties of the earlier definitions are kept too."""
    concepts = resource.get("concept")
    if not isinstance(concepts, list) or not repeated_codes(concepts):
        return resource
    last: dict[str, dict] = {}
    parents: dict[str, list] = {}
    children: dict[str, list] = {}
    links: dict[str, list] = {}      # parent/child properties of all definitions
    for c, parent in _walk(concepts):
        code = c.get("code")
        if not isinstance(code, str):
            continue
        last[code] = c
        ps = parents.setdefault(code, [])
        if parent is not None and parent not in ps:
            ps.append(parent)
        kids = children.setdefault(code, [])
        for k in c.get("concept") if isinstance(c.get("concept"), list) else ():
            if isinstance(k, dict) and isinstance(k.get("code"), str) and k["code"] not in kids:
                kids.append(k["code"])
        got = links.setdefault(code, [])
        for p in c.get("property") if isinstance(c.get("property"), list) else ():
            if isinstance(p, dict) and p.get("code") in HIERARCHY_PROPERTIES and p not in got:
                got.append(p)
    placed: set = set()

    def place(code: str, under: str | None) -> dict:
        placed.add(code)
        node = {k: v for k, v in last[code].items() if k != "concept"}
        props = [p for p in node.get("property") or () if isinstance(p, dict)]
        extra = [p for p in links[code] if p not in props]
        if len(parents[code]) > 1 or (under is None and parents[code]):
            # nesting shows one parent; the others (all of them, so that a stated `parent` lists each) as properties
            extra += [{"code": "parent", "valueCode": p} for p in parents[code]
                      if {"code": "parent", "valueCode": p} not in props + extra]
        if extra:
            node["property"] = props + extra
        kids = [place(k, code) for k in children[code] if k in last and k not in placed]
        if kids:
            node["concept"] = kids
        return node

    top = []
    try:
        for c in concepts:
            code = c.get("code") if isinstance(c, dict) else None
            if not isinstance(code, str):
                top.append(c)       # (the shape check reports it)
            elif code not in placed:
                top.append(place(code, None))
    except RecursionError:
        return resource     # nested past reading: the shape check refuses it as it stands
    return {**resource, "concept": top}


_END = object()


def _walk(concepts):
    """(concept, code of the concept it is nested in) for every concept, in document order (pre-order), without
    recursion (a supplied resource may nest deeply)."""
    stack = [(iter(concepts if isinstance(concepts, list) else ()), None)]
    while stack:
        level, parent = stack[-1]
        c = next(level, _END)
        if c is _END:
            stack.pop()
            continue
        if not isinstance(c, dict):
            continue
        yield c, parent
        kids = c.get("concept")
        if isinstance(kids, list) and kids:
            code = c.get("code")
            stack.append((iter(kids), code if isinstance(code, str) else None))
