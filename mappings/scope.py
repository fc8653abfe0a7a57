"""The `source` and `target` value sets of $translate, asked about one code at a time.

R4 says `target` "identifies the value set in which a translation is sought"
and `source` the value set the code was chosen from. Here (TranslateRequest
.source/.target) they are always the value set of the code given and that of
the answers: the code given must be a member of `source`, and every match
returned must be a member of `target`. R4 reverse=true "reverses the meaning
of the source and target parameters", so fhir_api/ops_translate.py hands R4
`target` in as `.source` and R4 `source` as `.target` (tx.fhir.org reads it
so); the maps are walked backwards, so `.source` is checked against their
target side. R5 sourceScope/targetScope name the map's sides outright.

Membership is the engine's own (`ComposeEvaluator.contains`, the rule
$validate-code uses), asked about the one code in hand: nothing is expanded,
so a large target value set (all of SNOMED CT, an ICD-10 chapter) costs the
same as a small one.

A value set the server cannot find is still usable when a map declares it as
its scope (`sourceUri`/`targetUri`, R5 `sourceScope…`/`targetScope…`): such maps
answer as before, on the map author's word, and only they do. A value set
neither held nor declared by any map is the client's mistake, answered with
404 as $validate-code answers an unknown `url`.
"""
from __future__ import annotations

import threading

from terminology.identifiers import SNOMED, canonical_url, split_canonical
from terminology.errors import InvalidRequest, NotFound, TerminologyError
from terminology.implicit import resolve as resolve_implicit
from terminology.operations.compose import ComposeEvaluator
from terminology.operations import version_rules

from .translate import NOT_A_MATCH, TranslateResult


def logical_id(ref: str, rtype: str = "ValueSet") -> str | None:
    """The id in `{rtype}/{id}`, or `ref` itself when it is a bare logical id (R4: `source` and `target`
    "may be a logical id, or an absolute or relative location"); None for a canonical URL."""
    prefix = rtype + "/"
    if ref.startswith(prefix):
        rid = ref[len(prefix):]
        return rid if rid and "/" not in rid else None
    if ref and not any(ch in ref for ch in ":/|?#"):
        return ref
    return None


def named_valueset(catalog, ref: str) -> dict | None:
    """The value set `ref` names: a canonical (url|version, the version matched as any value set reference is:
    exact, wildcard or partial), an implicit one (`?fhir_vs`), ValueSet/id or a bare id."""
    rid = logical_id(ref)
    if rid is not None:
        for (rtype, _url), resources in (getattr(catalog, "extra", None) or {}).items():
            for r in resources:
                if rtype == "ValueSet" and r.get("id") == rid:
                    return r
        h = catalog.header_by_id("ValueSet", rid)
        if h is not None:
            return catalog.body(h.pk)
        if ref.startswith("ValueSet/"):
            return None
    url, version = split_canonical(ref)
    return version_rules.find_valueset(catalog, url, version) or resolve_implicit(catalog, ref)


def scope_problem(catalog, ref: str) -> str | None:
    """Why the value set a map declares as its scope cannot be evaluated for any code: a malformed implicit
    value set URL, or SNOMED CT ECL that does not parse. None when it can be, and when the server does not
    hold it (such a scope is taken on the map author's word)."""
    try:
        vs = named_valueset(catalog, ref)
    except InvalidRequest as e:
        return e.message
    except TerminologyError:
        return None
    compose = vs.get("compose") if isinstance(vs, dict) else None
    if not isinstance(compose, dict):
        return None
    from terminology.snomed.ecl import parse
    for key in ("include", "exclude"):
        for inc in compose.get(key) or ():
            if not isinstance(inc, dict) or inc.get("system") != SNOMED:
                continue
            for f in inc.get("filter") or ():
                if isinstance(f, dict) and f.get("property") == "constraint" and isinstance(f.get("value"), str):
                    try:
                        parse(f["value"])
                    except InvalidRequest as e:
                        return e.message
    return None


_NOT_YET = object()


class ValueSetScope:
    """One of the two value sets: whether it is known, and membership of single codes."""

    def __init__(self, catalog, ref: str, role: str, shared: bool = False):
        self.catalog = catalog
        self.ref = ref
        self.url = canonical_url(ref)
        self.role = role                      # "source" | "target", for messages
        self.vs = named_valueset(catalog, ref)
        self._ev = ComposeEvaluator(catalog) if self.vs is not None else None
        self._seen: dict = {}
        self.chars = 0                        # the characters of the codes and versions in `_seen`
        # a scope kept on a stored map's index serves every request thread; its evaluator is one request's
        # kind of object (memos, a stack of what is being recorded), so one code is worked out at a time
        self._lock = threading.Lock() if shared else None
        self._unpinned = _NOT_YET

    @property
    def known(self) -> bool:
        return self.vs is not None

    @property
    def asked(self) -> int:
        """How many different codes this scope has been asked about (a kept scope starts afresh past a limit)."""
        return len(self._seen)

    def holds(self, system: str | None, code: str | None, version: str | None = None) -> bool:
        """Whether system#code (of `version` when given and loaded) is a member; NotFound when the value
        set cannot be evaluated (an import is missing)."""
        if self.vs is None or not system or not code:
            return False
        key = (system, code, version)
        got = self._seen.get(key)
        if got is None:
            if self._lock is None:
                got = self._seen[key] = self._holds(system, code, version)
            else:
                with self._lock:
                    got = self._seen[key] = self._holds(system, code, version)
            # the length of what a client sends is the client's choice: a kept scope is bounded by it too
            self.chars += len(system) + len(code) + len(version or "")
        return got

    def _holds(self, system: str, code: str, version: str | None) -> bool:
        try:
            system = self.catalog.canonical_system(system)
            cs = self._codesystem(system, version)
            concept = None
            if cs is not None:
                concept, _how = cs.find(code)
                if concept is not None:
                    code = concept.code
                elif getattr(cs, "content", "complete") == "complete":
                    # a code its complete code system does not have is in no value set of it, as $validate-code
                    # answers (a whole-system include would otherwise admit it); fragments stay lenient
                    return False
            if self._ev.contains(self.vs, system, code, concept, cs):
                return True
            # a scope pinned to an edition the store lacks (THO's v2 value sets name 2.0.0 of tables it ships as
            # 3.0.0) is read against the editions loaded: the map's author named the system, the store holds it
            relaxed = self._relaxed()
            return relaxed is not None and self._ev.contains(relaxed, system, code, concept, cs)
        except Exception:
            # a scope serves more than one code (all those of a request, or of a store revision): the next
            # code is asked of an evaluator as fresh as a scope of its own would have
            self._ev = ComposeEvaluator(self.catalog)
            raise

    def _relaxed(self) -> dict | None:
        """The value set with the version taken off each include and exclude that pins an edition the store
        lacks; None when there is none. Made once and kept (the evaluator's memos go by the value set)."""
        if self._unpinned is _NOT_YET:
            compose = self.vs.get("compose") if isinstance(self.vs.get("compose"), dict) else {}
            parts, changed = {}, False
            for key in ("include", "exclude"):
                if not isinstance(compose.get(key), list):
                    continue
                parts[key] = []
                for part in compose[key]:
                    if isinstance(part, dict) and part.get("version") and isinstance(part.get("system"), str) \
                            and self._not_loaded(part["system"], part["version"]):
                        part, changed = {k: v for k, v in part.items() if k != "version"}, True
                    parts[key].append(part)
            self._unpinned = {**self.vs, "compose": {**compose, **parts}} if changed else None
        return self._unpinned

    def _not_loaded(self, system: str, version: str) -> bool:
        try:
            return self._ev.codesystem(self.catalog.canonical_system(system), version, required=False) is None
        except TerminologyError:
            return True

    def _codesystem(self, system: str, version: str | None):
        # the match's own edition when it is loaded, else the one the value set would use
        for v in ((version, None) if version else (None,)):
            try:
                cs = self._ev.codesystem(system, v, required=False)
            except TerminologyError:
                cs = None
            if cs is not None:
                return cs
        return None


class Scopes:
    """The request's `source` and `target` value sets, resolved once per request."""

    def __init__(self, catalog, req):
        # the parameter names the client used (R5 sourceScope/targetScope, swapped with targetCode)
        names = getattr(req, "scope_params", None) or ("source", "target")
        self.source = ValueSetScope(catalog, req.source, names[0]) if req.source else None
        self.target = ValueSetScope(catalog, req.target, names[1]) if req.target else None
        for s in (self.source, self.target):
            if s is not None and not s.known and not _declared(catalog, req, s.url):
                # the reference server's wording (FHIRsmith): which parameter named it, and what cannot be done
                raise NotFound(f"The value set '{s.ref}', which is the {s.role} parameter, could not be found, so the "
                               "scope of the translation cannot be determined", tx_code="not-found", location=s.role)

    def refuses(self, req) -> TranslateResult | None:
        """result=false when the code given is not in the source value set."""
        s = self.source
        if s is None or not s.known:
            return None
        try:
            if s.holds(req.system, req.code, req.version):
                return None
        except NotFound as e:
            return TranslateResult(False, message=f"The {_word(s, 'source')} value set '{s.ref}' cannot be "
                                                  f"evaluated: {e.message}")
        # the reference server's wording (FHIRsmith): the code is outside what the client asks about, so
        # no map is consulted, not even one named by url
        return TranslateResult(False, message=f"'{req.system}#{req.code}' is not in the value set '{s.ref}', "
                                              "so no ConceptMap can translate it")

    def keep(self, got: TranslateResult) -> TranslateResult:
        """`got` with only the matches in the target value set (or from maps declared for it)."""
        t = self.target
        if t is None:
            return got
        kept, left_out = [], []
        try:
            for m in got.matches:
                # a match without a code (unmatched, retired without successor) claims nothing about the
                # target value set and never makes the result true: it stays, for what it says
                if m.in_target or m.code is None or (t.known and t.holds(m.system, m.code, m.version)):
                    kept.append(m)
                else:
                    left_out.append(m)
        except NotFound as e:
            return TranslateResult(False, message=f"The {_word(t, 'target')} value set '{t.ref}' cannot be "
                                                  f"evaluated: {e.message}", exclusive=got.exclusive)
        if len(kept) == len(got.matches):
            return got
        result = got.result and any(m.equivalence not in NOT_A_MATCH for m in kept)
        notes = [got.message] if got.message and (result or not left_out) else []
        if left_out:
            codes = ", ".join(dict.fromkeys(f"{m.system}#{m.code}" for m in left_out))
            word = _word(t, "target")
            why = (f"not in the {word} value set '{t.ref}'" if t.known else
                   f"the {word} value set '{t.ref}' is not known to this server, so only the maps declared "
                   f"for it are used")
            notes.append(f"{codes} left out: {why}" if result else
                         f"No translation in the {word} value set '{t.ref}' ({codes} left out: {why})")
        return TranslateResult(result, message="; ".join(notes) or None, matches=kept, exclusive=got.exclusive)


def _word(scope: ValueSetScope, usual: str) -> str:
    # an R4 reverse request names the answers' value set `source` (and the code's `target`): say the name the
    # client used; R5 scopes keep the wording by role
    return scope.role if scope.role in ("source", "target") else usual


def _declared(catalog, req, url: str) -> bool:
    from .conceptmap import declares_scope
    return declares_scope(catalog, req, url)
