"""Value sets that carry only an expansion (no compose): their (system, code) keys, kept for the last ones
asked about, and their entries as members with concept views made from the expansion itself.
"""
from __future__ import annotations

import threading
from typing import Iterator

from ..codesystem import CodeSystemIndex
from ..languages import display_extensions
from .member import Member


# id(value set) -> (value set, keys) of the expansion-only value sets asked about last (a batch asks about one
# many times); bounded by value sets and by codes held, since most are brought by a request and never asked
# about again
_RECENT_KEYS: dict = {}
_RECENT_KEYS_MAX_SETS = 64
_RECENT_KEYS_MAX_CODES = 300_000
_recent_codes = 0
_recent_lock = threading.Lock()


def recent_expansion_keys(vs: dict) -> frozenset:
    got = _RECENT_KEYS.get(id(vs))
    if got is not None and got[0] is vs:
        return got[1]
    keys = []
    expansion = vs.get("expansion")
    stack = list(expansion.get("contains") or []) if isinstance(expansion, dict) else []
    while stack:
        c = stack.pop()
        if isinstance(c, dict):
            if c.get("code") and c.get("system"):
                keys.append((c["system"], c["code"]))
            stack.extend(c.get("contains") or [])
    keys = frozenset(keys)
    global _recent_codes
    with _recent_lock:
        if len(keys) > _RECENT_KEYS_MAX_CODES:
            return keys
        old = _RECENT_KEYS.pop(id(vs), None)
        if old is not None:
            _recent_codes -= len(old[1])
        while _RECENT_KEYS and (len(_RECENT_KEYS) >= _RECENT_KEYS_MAX_SETS or
                                _recent_codes + len(keys) > _RECENT_KEYS_MAX_CODES):
            _recent_codes -= len(_RECENT_KEYS.pop(next(iter(_RECENT_KEYS)))[1])
        _RECENT_KEYS[id(vs)] = (vs, keys)
        _recent_codes += len(keys)
    return keys


def expansion_members(expansion: dict) -> Iterator[Member]:
    """The codes of a value set that has only an expansion, each with a concept (and a code system view per
    system and version) made from its entry, so that inactive and abstract flags, the nesting and the
    version its entry states survive an $expand of it as they would for stored content."""
    flat: dict[tuple, list] = {}
    order: list[tuple] = []
    stack = [(c, None) for c in reversed(expansion.get("contains") or [])]
    while stack:
        c, parent = stack.pop()
        if not isinstance(c, dict):
            continue
        code, system = c.get("code"), c.get("system")
        if code and system:
            props = [{"code": "inactive", "valueBoolean": True}] if c.get("inactive") is True else []
            if c.get("abstract") is True:
                props.append({"code": "notSelectable", "valueBoolean": True})
            key = (system, c.get("version"))
            flat.setdefault(key, []).append({"code": code, "display": c.get("display"), "property": props,
                                             "designation": c.get("designation") or [],
                                             "parents": [parent] if parent else []})
            order.append((key, code, c))
        stack.extend((k, code if code and system else parent) for k in reversed(c.get("contains") or []))
    views = {key: CodeSystemIndex({"url": key[0], "version": key[1], "content": "fragment"}, rows)
             for key, rows in flat.items()}
    for key, code, c in order:
        cs = views[key]
        yield Member(key[0], key[1], code, cs.get(code), cs, display=c.get("display"),
                     designations=c.get("designation"), from_expansion=True,
                     display_extensions=display_extensions(c) if "_display" in c else None)
