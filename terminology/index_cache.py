"""CodeSystem indexes of resources requests bring, kept between requests by a digest of their content.

FHIR validators and test suites send the same `tx-resource` CodeSystems with every request; indexing one of
12,000 concepts takes about 0.1 s. `SuppliedIndexes` keeps the index of each sound (shape-checked) body it
is asked for, found again by the SHA-256 of the body's canonical JSON, so a repeated request reuses it.

Why this is safe:
- the key is the whole content: canonical JSON (keys sorted) tells `true` from `1` and `1.0` from `1`, which
  FHIR's types keep apart and Python's == does not; a body with no canonical form (an integer over 64 bits,
  a lone surrogate, a NaN) is never kept;
- an index is built from a private copy read back from the canonical JSON, so it holds no object of any
  request (nothing a request does to its own body reaches a kept index), and nothing changes an index once
  built: supplements make a copy (`supplements.apply_supplements`), and the caches that grow on an index
  (text index, compiled include rules, ancestors) are pure functions of it, as for stored indexes;
- only plain `CodeSystemIndex`es are kept: a url with an index class of its own (SNOMED CT) is built per
  request as before.

It retains client-supplied terminology in memory, up to its caps (concepts, entries and bytes of JSON), the
least recently used going first, in each worker. An index takes about seven times its JSON in memory (more
for bodies rich in designations), so the 16 MiB of JSON allowed is some 120 MB per worker at most.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import orjson

from .codesystem import INDEX_CLASSES, CodeSystemIndex, build_index


def canonical_bytes(value) -> bytes | None:
    """The canonical JSON of a parsed JSON value (keys sorted, no spaces), or None when it has none.

    orjson writes `true`, `1` and `1.0` apart, and refuses integers over 64 bits and lone surrogates; it
    writes NaN and infinities as `null` (JSON has no such numbers), so a `null` in the output is checked
    against the value (NaN equals nothing, an infinity is not None): a value it would write as another's
    has no canonical form."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return None
    if b"null" in text:
        try:
            if orjson.loads(text) != value:
                return None
        except orjson.JSONDecodeError:
            return None
    return text


def content_digest(value) -> bytes | None:
    """SHA-256 of `canonical_bytes(value)`: one key for the shape check's verdict and the index cache."""
    text = canonical_bytes(value)
    return None if text is None else hashlib.sha256(text).digest()


class _Entry:
    __slots__ = ("index", "weight", "size")

    def __init__(self, index: CodeSystemIndex, size: int):
        self.index, self.size = index, size
        self.weight = max(len(index), 1)      # an index without concepts still takes a place


class SuppliedIndexes:
    """A bounded, thread-safe LRU of CodeSystem indexes by content digest (see the module docstring).

    `stats`: hits (an index given again), builds (indexes built here), evictions, refused (bodies not kept:
    too large for the caps, not a plain CodeSystemIndex, or changed since they were checked)."""

    def __init__(self, max_concepts: int = 200_000, max_entries: int = 128, max_bytes: int = 16 << 20):
        self.max_concepts, self.max_entries, self.max_bytes = max_concepts, max_entries, max_bytes
        self._kept: OrderedDict[bytes, _Entry] = OrderedDict()
        self._concepts = 0
        self._bytes = 0
        self._lock = threading.Lock()
        self._building: dict[bytes, threading.Lock] = {}   # one build per digest at a time
        self.stats = {"hits": 0, "builds": 0, "evictions": 0, "refused": 0}

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def concepts(self) -> int:
        return self._concepts

    def clear(self) -> None:
        """Drop every kept index and start the counters again."""
        with self._lock:
            self._kept.clear()
            self._concepts = self._bytes = 0
            self.stats = dict.fromkeys(self.stats, 0)

    def _hit(self, digest: bytes) -> CodeSystemIndex | None:
        got = self._kept.get(digest)
        if got is None:
            return None
        self._kept.move_to_end(digest)
        self.stats["hits"] += 1
        return got.index

    def index(self, digest: bytes, resource: dict, on_build=None, build=build_index) -> CodeSystemIndex | None:
        """The index of `resource`, whose content digest is `digest` (worked out when it was checked): kept,
        or built now (`build`) from a private copy and kept. None when it is not to be kept (the caller
        indexes it for its request alone). `on_build()` is called after each build here."""
        if INDEX_CLASSES.get(resource.get("url"), CodeSystemIndex) is not CodeSystemIndex:
            return None
        with self._lock:
            got = self._hit(digest)
            if got is not None:
                return got
            gate = self._building.setdefault(digest, threading.Lock())
        try:
            with gate:      # a second request with the same body waits for the first one's build
                with self._lock:
                    got = self._hit(digest)
                if got is not None:
                    return got
                text = canonical_bytes(resource)
                if text is None or hashlib.sha256(text).digest() != digest:
                    with self._lock:
                        self.stats["refused"] += 1      # changed since the digest was made: not this key's
                    return None
                cs = build(orjson.loads(text))
                if on_build is not None:
                    on_build()
                self._keep(digest, _Entry(cs, len(text)))
                return cs
        finally:
            with self._lock:
                if self._building.get(digest) is gate:
                    del self._building[digest]

    def _keep(self, digest: bytes, entry: _Entry) -> None:
        with self._lock:
            self.stats["builds"] += 1
            if entry.weight > self.max_concepts or entry.size > self.max_bytes:
                self.stats["refused"] += 1
                return
            while self._kept and (len(self._kept) >= self.max_entries
                                  or self._concepts + entry.weight > self.max_concepts
                                  or self._bytes + entry.size > self.max_bytes):
                _d, old = self._kept.popitem(last=False)
                self._concepts -= old.weight
                self._bytes -= old.size
                self.stats["evictions"] += 1
            self._kept[digest] = entry
            self._concepts += entry.weight
            self._bytes += entry.size


# the process's cache: fhir_api gives it to the index shelf of every request
SUPPLIED_INDEXES = SuppliedIndexes()
