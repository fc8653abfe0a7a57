"""Elements without content: FHIR JSON (R4 json.html) leaves an element out rather than send it as `null`, `[]` or
`{}`. The R4B models read `null` as absent and take an empty list, so such content would pass their check and be
served back as sent, which a strict client's parser (HAPI, Firely, the HL7 validator) refuses.

A stored resource with one is refused with the paths named (validation.py), as an empty string is; a code system a
request brings is read without them (fhir_api/supplied.py); a value set it brings is read as it came (leniently, as
the reference servers read it) and echoed without them (fhir_api/ops_valueset.py). `null` stays allowed where R4 allows it: an item of a primitive array whose `_name`
array carries that item's id or extensions (or the other way round).
"""
from __future__ import annotations

# deeper than this the walk stops: the models refuse such nesting anyway (validation.py, "nested too deeply")
MAX_DEPTH = 120


def _empty(value) -> bool:
    return value is None or (isinstance(value, (list, dict)) and not value)


def _written(empty) -> str:
    return "null" if empty is None else "[]" if isinstance(empty, list) else "{}"


def empty_value_paths(node, path: str = "", limit: int = 10) -> list[str]:
    """'ValueSet.compose.include: []' for each element without content, at most `limit`."""
    out: list[str] = []
    _walk(node, path, out, limit, 0)
    return out


def _walk(node, path: str, out: list[str], limit: int, depth: int) -> None:
    if len(out) >= limit or depth > MAX_DEPTH:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else key
            if _empty(value):
                out.append(f"{where}: {_written(value)}")
            elif isinstance(value, list):
                # a primitive array and its `_name` array: an item may be null in one where the other has it
                other = node.get(key[1:] if key.startswith("_") else "_" + key)
                carried = other if isinstance(other, list) else ()
                for i, item in enumerate(value):
                    if item is None and i < len(carried) and not _empty(carried[i]):
                        continue
                    if _empty(item):
                        out.append(f"{where}[{i}]: {_written(item)}")
                    else:
                        _walk(item, f"{where}[{i}]", out, limit, depth + 1)
            else:
                _walk(value, where, out, limit, depth + 1)
            if len(out) >= limit:
                return


def without_empty(node, depth: int = 0):
    """`node` without its elements that hold nothing (after their own are dropped); the same object when it has
    none, so a resource sent as R4 asks is used as it came."""
    if depth > MAX_DEPTH:
        return node
    if isinstance(node, dict):
        kept = {}
        changed = False
        for key, value in node.items():
            clean = without_empty(value, depth + 1)
            if _empty(clean):
                changed = True
                continue
            changed = changed or clean is not value
            kept[key] = clean
        return kept if changed else node
    if isinstance(node, list):
        # an item that held only empty elements goes; a null keeps its place (a primitive array's nulls line up
        # with its `_name` array)
        items = [clean for clean in (without_empty(item, depth + 1) for item in node)
                 if clean is None or not _empty(clean)]
        return items if len(items) != len(node) or any(a is not b for a, b in zip(items, node)) else node
    return node
