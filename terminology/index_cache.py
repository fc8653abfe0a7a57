"""CodeSystem indexes of resources requests bring, kept between requests by a digest of their content.

FHIR validators and test suites send the same `tx-resource` CodeSystems with every request; indexing one of
12,000 concepts takes about 0.1 s. `SuppliedIndexes` keeps the index of each sound (shape-checked) body it
is asked for, found again by the SHA-256 of the body's canonical JSON (`json_values.content_digest`), so a
repeated request reuses it. `IndexShelf` is a request's own shelf in front of it: every overlay of one request
(a batch's entries and checks) takes a body's index from there, so each body is indexed once per request.

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
from .json_values import canonical_bytes, content_digest  # noqa: F401  (content_digest: imported from here too)


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


class IndexShelf:
    """The CodeSystem indexes built of resources a request brought. One shelf serves every overlay of a request:
    a batch whose entries or checks share a tx-resource indexes it once.

    An index is found by the identity of the body it was built from (the body is held with it, so its id is not
    reused meanwhile), else by an equal body of the same url and version (the entries of a batch Bundle that
    each carry a copy of one resource): equal bodies make equal indexes. Bounded by indexes and by concepts
    held, the oldest going first. The shelf itself is not shared between requests; given a process-wide cache
    (`SuppliedIndexes`), it takes the index of a body checked sound from there by content digest,
    so a request repeating an earlier one's resources does not index them again."""

    MAX_INDEXES = 64
    MAX_CONCEPTS = 2_000_000

    builds = 0          # indexes built by every shelf of the process (what tests and benches count)

    def __init__(self, cache=None, digest=None):
        """`cache`: a process-wide `SuppliedIndexes` to take indexes from and put them in, by the
        content digest `digest(body)` gives: None for a body that must not be kept (one not checked sound)."""
        self._held: dict[int, _Shelved] = {}      # by id(body)
        self._uses: dict[int, int] = {}     # id(index) -> bodies held with it: its concepts count once
        self._concepts = 0
        self._lock = threading.Lock()
        self._cache = cache if digest is not None else None
        self._digest = digest

    def index(self, r: dict) -> CodeSystemIndex:
        got = self._held.get(id(r))
        if got is not None and got.body is r:
            return got.index
        cs = self._equal(r)
        if cs is None and self._cache is not None:
            key = self._digest(r)
            if key is not None:
                cs = self._cache.index(key, r, on_build=self._count_build, build=build_index)
        if cs is None:
            cs = build_index(r)
            self._count_build()
        with self._lock:
            got = self._held.get(id(r))
            if got is not None and got.body is r:
                return got.index   # another thread put it here meanwhile: one index per body
            size = 0 if self._uses.get(id(cs)) else len(cs)
            while self._held and (len(self._held) >= self.MAX_INDEXES or self._concepts + size > self.MAX_CONCEPTS):
                self._release(self._held.pop(next(iter(self._held))).index)
            self._held[id(r)] = _Shelved(r, cs)
            self._uses[id(cs)] = self._uses.get(id(cs), 0) + 1
            self._concepts += len(cs) if self._uses[id(cs)] == 1 else 0
        return cs

    def _count_build(self) -> None:
        with self._lock:
            IndexShelf.builds += 1

    def _release(self, cs: CodeSystemIndex) -> None:
        left = self._uses[id(cs)] - 1
        if left:
            self._uses[id(cs)] = left
        else:
            del self._uses[id(cs)]
            self._concepts -= len(cs)

    def _equal(self, r: dict) -> CodeSystemIndex | None:
        """The index of a held body of r's url and version that is the same JSON as `r` (`json_values.same_json`).
        A held body's canonical JSON is made once, when a copy is first compared with it; r's once a body equals
        it. Python's != first: bodies off the wire hold no tuples, and for them it only ever tells apart what
        the canonical forms would."""
        url, version = r.get("url"), r.get("version")
        mine = None
        for held in list(self._held.values()):
            body = held.body
            if body.get("url") != url or body.get("version") != version or body != r:
                continue
            if mine is None:
                mine = canonical_bytes(r)
                if mine is None:
                    return None     # no canonical form: the same only as itself, and it is not held
            if held.canon is None:
                held.canon = canonical_bytes(body)
            if held.canon == mine:
                return held.index
        return None


class _Shelved:
    """A body on a shelf, the index built of it, and its canonical JSON once a copy was compared with it."""
    __slots__ = ("body", "index", "canon")

    def __init__(self, body: dict, index: CodeSystemIndex):
        self.body, self.index, self.canon = body, index, None


# the process's cache: fhir_api gives it to the index shelf of every request
SUPPLIED_INDEXES = SuppliedIndexes()
