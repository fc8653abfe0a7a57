"""$validate-code for ValueSets and CodeSystems: is this code (coding, codeable concept) valid here?

Problems with the code are an answer (result=false with issues), not an
error: unknown system or version, unknown code, wrong display, inactive code,
code not in the value set. Each problem is an `Issue` with the FHIR issue code,
the tx-issue-type code and the location in the input (`code`, `Coding.code`,
`CodeableConcept.coding[1].display` ...). Messages are in the wording the
reference servers use, so that clients that match on them keep working.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from ..codesystem import STANDARDS_STATUS
from ..errors import NotFound
from ..editions import day_of
from ..exclusions import exclusion_reason
from ..identifiers import canonical, split_canonical
from ..languages import displays_in, preferred_display
from ..versions import matches_version
from .compose import (ComposeEvaluator, SystemVersionRules, is_abstract, standards_status, unknown_version_tail,
                      validity_problem, version_check_text, vs_canonical)

VS_DEPRECATED = "http://hl7.org/fhir/StructureDefinition/valueset-deprecated"


@dataclass
class Issue:
    severity: str
    code: str
    tx_code: str
    text: str
    location: str | None = None
    in_message: bool = True


@dataclass
class ValidateRequest:
    valueset: dict | None = None          # None: CodeSystem/$validate-code
    codesystem: str | None = None         # CodeSystem/$validate-code: the system url
    codings: list = field(default_factory=list)   # Coding dicts
    mode: str = "code"                    # code | coding | codeableConcept
    codeable_concept: dict | None = None  # as given, echoed in the answer
    infer_system: bool = False
    languages: list = field(default_factory=list)
    language_text: str | None = None      # the language list as given, for messages
    lenient_display: bool = False
    active_only: bool = False
    membership_only: bool = False
    abstract_ok: bool = True
    date: str | None = None
    rules: SystemVersionRules = field(default_factory=SystemVersionRules)
    supplements: object = None


@dataclass
class ValidateResult:
    result: bool
    params: list                          # (name, value key, value)
    issues: list

    @property
    def message(self) -> str | None:
        texts = sorted({i.text for i in self.issues if i.in_message and (i.severity != "information" or
                                                                        i.tx_code == "invalid-display")})
        return "; ".join(texts) if texts else None


@dataclass
class _Outcome:
    coding: dict
    path: str
    issues: list = field(default_factory=list)
    system: str | None = None
    version: str | None = None
    code: str | None = None
    display: str | None = None
    concept: object = None
    cs: object = None
    in_vs: bool = False
    ok: bool = True
    unknown_system: str | None = None
    caused_by_unknown: bool = False
    normalized: str | None = None
    how: str | None = None
    inactive: bool = False                # the concept's (a computed property: read once)
    deprecated: bool = False              # likewise


class _Locations:
    """Where the parts of one coding sit in the request: `code` or `Coding.code` or `CodeableConcept.coding[1].code`."""

    def __init__(self, path: str):
        self.path = path
        self.code = f"{path}.code" if path else "code"
        self.system = f"{path}.system" if path else "system"
        self.display = f"{path}.display" if path else "display"


def _coding_text(c: dict, with_display: bool = True) -> str:
    sys = c.get("system") or ""
    ver = f"|{c['version']}" if c.get("version") else ""
    disp = f" ('{c['display']}')" if with_display and c.get("display") else ""
    return f"{sys}{ver}#{c.get('code') or ''}{disp}"


class Validator:
    def __init__(self, catalog, req: ValidateRequest):
        self.catalog = catalog
        self.req = req
        locked = (req.valueset.get("compose") or {}).get("lockedDate") if req.valueset else None
        # a version refused by check-system-version is validated anyway; _version_check reports the refusal
        self.ev = ComposeEvaluator(catalog, rules=req.rules, date=req.date or locked, supplements=req.supplements,
                                   check_versions=False)
        vs = req.valueset
        if vs is not None:
            self.ev.see(vs)     # what is kept across requests about its includes depends on where it came from
        self.vs_name = (vs_canonical(vs) or "(unidentified)") if vs is not None else None
        self.status_issues: list[Issue] = []
        self._explicit_version = False
        self._chosen_by_vs = False        # the version was chosen as the one whose include selects the code
        self._includes: dict = {}
        self._used: dict = {}
        self._missing: dict = {}

    # --- helpers -------------------------------------------------------------------
    def _codesystem(self, system: str, version: str | None):
        """The index of system|version, None when it is not loaded. Any other problem building it (a supplement
        that cannot be applied, a refused version) is the request's answer, not an unknown system."""
        try:
            return self.ev.codesystem(system, version, required=False)
        except NotFound:
            return None

    def _vs_systems(self, vs: dict, depth: int = 0) -> set:
        out = set()
        compose = vs.get("compose") or {}
        if not compose and isinstance(vs.get("expansion"), dict):
            return {self.catalog.canonical_system(system) for system, _code in self.ev.expansion_keys(vs)}
        for inc in compose.get("include") or ():
            if inc.get("system"):
                out.add(self.catalog.canonical_system(inc["system"]))
            if depth < 10:
                for ref in inc.get("valueSet") or ():
                    try:
                        out |= self._vs_systems(self.ev.valueset(ref), depth + 1)
                    except NotFound:
                        pass
        return out

    def member(self, vs: dict, system: str, code: str, concept, cs) -> bool:
        """Membership as $expand decides it (compose.py), asked about the one code in hand."""
        return self.ev.contains(vs, system, code, concept, cs, strict=self._explicit_version or self._chosen_by_vs)

    def _includes_of(self, system: str) -> list:
        """The includes of `system` in the value set and in the value sets it imports whole (at any depth):
        those whose version decides which version of `system` a code is taken in, as $expand does."""
        got = self._includes.get(system)
        if got is None:
            got = self._includes[system] = [inc for inc, _path in self.ev.system_includes(self.req.valueset, system)]
        return got

    def _pinned_version(self, system: str) -> str | None:
        """The version of `system` the value set names, when it names exactly one."""
        versions = {inc.get("version") for inc in self._includes_of(system)}
        return versions.pop() if len(versions) == 1 else None

    def _versions_used(self, system: str) -> list:
        """The versions of `system` the value set's includes take, after the version rules (None: the latest)."""
        got = self._used.get(system)
        if got is None:
            got = self._used[system] = self.ev.versions_used(self.req.valueset, system, self._includes_of(system))
        return got

    def _missing_versions(self, system: str) -> list:
        """The versions of `system` the value set's includes need and the server does not have. With one
        version in use there is nothing to add: a missing one is the version validated in, reported as such."""
        got = self._missing.get(system)
        if got is None:
            got = self._missing[system] = [] if len(self._versions_used(system)) < 2 else \
                self.ev.missing_versions(self.req.valueset, system, self._includes_of(system))
        return got

    def _concept_entry(self, system: str, code: str) -> dict | None:
        """The value set's own concept entry for `system#code` (its display and extensions)."""
        for inc in self._includes_of(system):
            if inc.get("concept"):
                entry = self.ev.concept_entries(inc).get(code)
                if entry is not None:
                    return entry
        return None

    # --- status notes (draft / experimental / deprecated content) ---------------------
    def note_status(self, kind: str, res: dict, canon: str) -> None:
        status = standards_status(res)
        if status is None:
            return
        text = f"Reference to {status} {kind} {canon}"
        if all(i.text != text for i in self.status_issues):
            self.status_issues.append(Issue("information", "business-rule", "status-check", text, in_message=False))

    def _other_system(self, o: _Outcome, locs: "_Locations", wanted: str) -> _Outcome:
        """CodeSystem/$validate-code of a coding from another system: not a code of this one (R4: "the system
        must match"). Within a codeableConcept it is only noted; another coding may be of this system."""
        o.ok = o.in_vs = False
        severity = "information" if self.req.mode == "codeableConcept" else "error"
        o.issues.append(Issue(severity, "invalid", "invalid-data",
                              f"The code system '{o.system}' of the code is not the code system '{wanted}' that "
                              f"is being validated against", locs.system))
        return o

    # --- one coding ------------------------------------------------------------------
    def check(self, coding: dict, path: str) -> _Outcome:
        """Validate one coding; `path` is its place in the input ('' for code/system/display)."""
        req, vs = self.req, self.req.valueset
        o = _Outcome(coding=coding, path=path, code=coding.get("code"))
        locs = _Locations(path)
        system = coding.get("system") or req.codesystem
        version = coding.get("version")
        self._explicit_version = version is not None
        self._chosen_by_vs = False
        if o.code is None or o.code == "":
            return self._no_code(o, locs)
        if system is None:
            if vs is None or not (req.infer_system or req.mode == "code"):
                return self._no_system(o, locs)
            system = self._infer(o.code, o, locs.code)
            if system is None:
                o.ok = False
                o.issues.append(self._not_in_vs(coding, locs.code))
                return o
        system = self.catalog.canonical_system(system)
        o.system = system
        if vs is None and req.codesystem is not None and system != self.catalog.canonical_system(req.codesystem):
            return self._other_system(o, locs, req.codesystem)
        if vs is not None:
            chosen = self._choose_version(o, locs, vs, system, version)
            if chosen is False:
                return o
            version = chosen
        cs = self._codesystem(system, version)
        if cs is None:
            return self._unknown_system(o, locs, system, version)
        if cs.content == "supplement":
            return self._supplement_as_system(o, locs, cs)
        self._explicit_version = self._explicit_version and cs.version == coding.get("version")
        o.cs, o.version = cs, cs.version
        self._version_check(o, cs)
        self.note_status("CodeSystem", cs.resource, canonical(cs.url, cs.version))
        missing = self._missing_versions(system) if vs is not None else []
        for v in missing:
            # an include of a version that is not loaded: $expand refuses the value set (404), so membership
            # cannot be told, whichever version the code is validated in
            o.issues.append(Issue("error", "not-found", "not-found",
                                  _unknown_version_text(system, v, self.catalog.codesystem_versions(system))))
        if missing:
            o.unknown_system = canonical(system, missing[0])
            o.caused_by_unknown = True
        concept, how = cs.find(o.code) if o.code is not None else (None, None)
        if concept is None:
            return self._unknown_code(o, locs, cs)
        o.concept, o.how = concept, how
        self._code_form(o, locs, cs, how)
        o.display = preferred_display(concept, cs, req.languages)
        period = validity_problem(concept, req.date)
        if period is not None:
            o.ok = False
            o.issues.append(Issue("error", "business-rule", "code-rule",
                                  f"The concept '{concept.code}' is not valid on {req.date[:10]} ({period})",
                                  locs.code))
        if not req.membership_only:
            self._check_display(o, coding.get("display"), locs.display)
        o.inactive = concept.inactive
        if o.inactive:
            st = concept.status
            what = f"{st} and inactive" if st and st.lower() not in ("inactive",) else "inactive"
            o.issues.append(Issue("warning", "business-rule", "code-comment",
                                  f"The concept '{concept.code}' has a status of {what} and its use should be reviewed",
                                  path or "Coding"))
        elif concept.deprecated:
            o.deprecated = True
            o.issues.append(Issue("warning", "business-rule", "code-comment",
                                  f"The concept '{concept.code}' is deprecated and its use should be reviewed",
                                  path or "Coding"))
        if not req.abstract_ok and is_abstract(concept, cs):
            o.ok = False
            o.issues.append(Issue("error", "business-rule", "code-rule",
                                  f"Code '{o.system}#{concept.code}' is abstract, and not allowed in this context",
                                  locs.code))
        if vs is None:
            o.in_vs = True
            return o
        return self._membership(o, locs, vs, cs)

    def _choose_version(self, o: _Outcome, locs: "_Locations", vs: dict, system: str, coding_version):
        """The version of `system` to validate against: the value set's (after the version rules) unless the
        coding names a version that fits it. A coding version that differs is an issue on `version`;
        False when the answer is complete already (a version that is not loaded, nothing to check against)."""
        rules = self.req.rules
        vs_version = self._pinned_version(system)
        if system in rules.force:
            wanted = rules.force[system]
        else:
            wanted = vs_version or rules.default.get(system) or rules.check.get(system)
        if coding_version is None:
            if system in rules.force:
                return wanted
            # a value set taking several versions of the system: the version whose include selects the code
            chosen = self._version_for_code(system, o.code, o.coding.get("display"))
            return chosen if chosen is not None else wanted
        loaded = self.catalog.codesystem_versions(system)
        if wanted is not None and matches_version(wanted, coding_version):
            wanted = coding_version
        if wanted is None and any(v == coding_version or matches_version(coding_version, v) for v in loaded):
            wanted = coding_version
        cs = self._codesystem(system, wanted)
        if cs is None:
            if wanted is None or wanted == coding_version:
                return coding_version          # nothing loaded fits: reported as an unknown system/version
            o.issues.append(Issue("error", "invalid", "vs-invalid", _mismatch_text(system, wanted, coding_version),
                                  _version_loc(locs)))
            return wanted
        if cs.version == coding_version or matches_version(coding_version, cs.version):
            return wanted
        known = coding_version in loaded
        if wanted is None:
            if not known:
                # the value set takes any version; the one named is not here, so membership cannot be told
                self._unknown_system(o, locs, system, coding_version)
                o.issues.append(Issue("warning", "not-found", "vs-invalid",
                                      f"Unable to check whether the code is in the value set '{self.vs_name}' because "
                                      f"the code system {canonical(system, coding_version)} was not found"))
                o.caused_by_unknown = True
                return False
            text = (f"The code system '{system}' version '{cs.version}' for the versionless include in the ValueSet "
                    f"include is different to the one in the value ('{coding_version}')")
            o.issues.append(Issue("warning", "invalid", "vs-invalid", text, _version_loc(locs)))
        elif vs_version is None:
            # the version comes from a rule (system-version, check-system-version), not from the value set
            text = (f"The code system '{system}' version '{wanted}' for the versionless include in the ValueSet "
                    f"include is different to the one in the value ('{coding_version}')")
            o.issues.append(Issue("error", "invalid", "vs-invalid", text, _version_loc(locs)))
        elif wanted != vs_version:
            text = (f"The code system '{system}' version '{wanted}' resulting from the version '{vs_version}' "
                    f"in the ValueSet include is different to the one in the value ('{coding_version}')")
            o.issues.append(Issue("error", "invalid", "vs-invalid", text, _version_loc(locs)))
        else:
            o.issues.append(Issue("error", "invalid", "vs-invalid", _mismatch_text(system, vs_version, coding_version),
                                  _version_loc(locs)))
        if not known:
            o.issues.append(Issue("error", "not-found", "not-found",
                                  _unknown_version_text(system, coding_version, loaded), locs.system))
            o.unknown_system = canonical(system, coding_version)
            o.caused_by_unknown = True
        return wanted

    def _version_for_code(self, system: str, code, display) -> str | None:
        """A value set that takes several versions of one system: the version whose include selects the code,
        the one $expand lists it with (of several, one with the display given, when one is); membership is
        then decided in that version only. When no include selects it (not a member in any version), the
        first version holding it, for the messages. None: the usual choice."""
        used = self._versions_used(system)
        if len(used) < 2 or code is None:
            return None
        selecting = self.ev.versions_selecting(self.req.valueset, system, code)
        if selecting:
            self._chosen_by_vs = True
            for v in selecting if display else ():
                cs = self._codesystem(system, v)
                concept = cs.find(code)[0] if cs is not None else None
                if concept is not None and any(text == display for _l, text in displays_in(concept, cs, None)):
                    return v
            return selecting[0]
        for v in used:
            cs = self._codesystem(system, v) if v is not None else None
            if cs is not None and cs.find(code)[0] is not None:
                return v
        return None

    def _version_check(self, o: _Outcome, cs) -> None:
        """check-system-version: the version in use must match the pattern, else the answer is false."""
        pattern = self.req.rules.check.get(cs.url)
        if pattern is not None and cs.version is not None and not matches_version(pattern, cs.version):
            o.ok = False
            o.issues.append(Issue("error", "exception", "version-error",
                                  version_check_text(cs.url, cs.version, pattern)))

    def _no_system(self, o: _Outcome, locs: "_Locations") -> _Outcome:
        o.ok = False
        o.issues.append(Issue("warning", "invalid", "invalid-data",
                              "Coding has no system. A code with no system has no defined meaning, and it "
                              "cannot be validated. A system should be provided", locs.path or "code"))
        if self.req.valueset is not None:
            o.issues.append(self._not_in_vs(o.coding, locs.code))
        return o

    def _no_code(self, o: _Outcome, locs: "_Locations") -> _Outcome:
        """A coding without a code names no concept: there is nothing to validate (within a codeableConcept
        the other codings decide)."""
        o.ok = False
        o.code = None
        o.issues.append(Issue("warning", "invalid", "invalid-data",
                              "Coding has no code, so it cannot be validated. A code should be provided",
                              locs.path or "code"))
        return o

    def _unknown_system(self, o: _Outcome, locs: "_Locations", system: str, version: str | None) -> _Outcome:
        vs = self.req.valueset
        coding = {**o.coding, "system": system}
        o.ok = False
        if self.catalog.valueset(system) is not None and self.catalog.codesystem(system) is None:
            o.issues.append(Issue("error", "invalid", "invalid-data",
                                  f"The Coding references a value set, not a code system ('{system}')", locs.system))
            if vs is not None:
                o.issues.append(self._not_in_vs(coding, locs.code))
            return o
        local = ":" not in system
        if local:
            o.issues.append(Issue("error", "invalid", "invalid-data",
                                  "Coding.system must be an absolute reference, not a local reference", locs.system))
        known = self.catalog.codesystem_versions(system)
        in_vs_systems = vs is not None and system in self._vs_systems(vs)
        if version is not None:
            text = _unknown_version_text(system, version, known)
        elif in_vs_systems or vs is None or local:
            text = f"A definition for CodeSystem '{system}' could not be found, so the code cannot be validated"
        else:
            text = f"A definition for CodeSystem {system} could not be found, so the code cannot be validated"
        o.issues.append(Issue("error", "not-found", "not-found", text, locs.system))
        o.unknown_system = canonical(system, version)
        if vs is None:
            # CodeSystem/$validate-code: the code system asked for is itself the cause; the version asked for
            # is echoed, as the reference servers do
            o.caused_by_unknown = True
            o.version = version
        elif in_vs_systems:
            # the value set itself depends on the missing system: its membership cannot be told
            o.caused_by_unknown = True
        elif vs is not None:
            o.issues.append(self._not_in_vs(coding, locs.code))
        return o

    def _supplement_as_system(self, o: _Outcome, locs: "_Locations", cs) -> _Outcome:
        """A supplement only adds to the concepts of its base system: it defines no codes of its own."""
        o.ok = False
        canon = canonical(cs.url, cs.version)
        o.issues.append(Issue("error", "invalid", "invalid-data",
                              f"CodeSystem {canon} is a supplement, so can't be used as a value in Coding.system",
                              locs.system))
        return o

    def _unknown_code(self, o: _Outcome, locs: "_Locations", cs) -> _Outcome:
        vs, system = self.req.valueset, o.system
        coding = {**o.coding, "system": system}
        ver = f" version '{cs.version}'" if cs.version else ""
        if cs.content in ("fragment", "not-present", "example"):
            # the server holds only some codes (or none): an unknown one may well exist, so say so and go on
            why, word = _PARTIAL_CONTENT[cs.content]
            o.issues.append(Issue("warning", "code-invalid", "invalid-code",
                                  f"Unknown {word} '{o.code}' in the CodeSystem '{system}'{ver} - note that {why}",
                                  locs.code))
            # the value set may list the code itself, or take every code of the system: then it is a
            # member as far as can be told
            o.in_vs = vs is None or self.member(vs, system, o.code, None, cs)
            if not o.in_vs:
                o.ok = False
                o.issues.append(self._not_in_vs(coding, locs.code))
            elif vs is not None:
                # no concept to take a display from: only the value set's own entry for the code has one
                o.display = (self._concept_entry(system, o.code) or {}).get("display")
            return o
        o.ok = False
        if vs is not None and self.req.membership_only:
            o.issues.append(self._not_in_vs(o.coding, locs.code))
            return o
        o.issues.append(Issue("error", "code-invalid", "invalid-code",
                              f"Unknown code '{o.code}' in the CodeSystem '{system}'{ver}", locs.code))
        if vs is not None:
            o.issues.append(self._not_in_vs(coding, locs.code))
        return o

    def _code_form(self, o: _Outcome, locs: "_Locations", cs, how: str | None) -> None:
        """Notes for a code found in another spelling: another case, or without the ICD-10 dot."""
        concept = o.concept
        if how == "case":
            o.normalized = concept.code
            canon = canonical(cs.url, cs.version)
            o.issues.append(Issue("information", "business-rule", "code-rule",
                                  f"The code '{o.code}' differs from the correct code '{concept.code}' by case. "
                                  f"Although the code system '{canon}' is case insensitive, implementers are strongly "
                                  f"encouraged to use the correct case anyway", locs.code, in_message=False))
        elif how == "normalised":
            given = o.code
            o.code = concept.code
            o.issues.append(Issue("warning", "business-rule", "code-rule",
                                  f"The code '{given}' is written '{concept.code}' in the CodeSystem '{o.system}'; "
                                  f"'{concept.code}' is the code that was validated", locs.code))

    def _membership(self, o: _Outcome, locs: "_Locations", vs: dict, cs) -> _Outcome:
        req, concept = self.req, o.concept
        missing = self._missing_versions(o.system)
        if missing:
            # the value set needs a version that is not loaded (reported by `check`): membership cannot be told
            o.ok = o.in_vs = False
            o.issues.append(Issue("warning", "not-found", "vs-invalid",
                                  f"Unable to check whether the code is in the value set '{self.vs_name}' because "
                                  f"the code system {canonical(o.system, missing[0])} was not found"))
            return o
        if o.inactive and (req.active_only or (vs.get("compose") or {}).get("inactive") is False):
            o.issues.append(Issue("error", "business-rule", "code-rule",
                                  f"The concept '{concept.code}' is valid but is not active", locs.code))
            o.in_vs = False
        else:
            o.in_vs = self.member(vs, o.system, concept.code, concept, cs)
        if not o.in_vs:
            o.ok = False
            o.issues.append(self._not_in_vs(o.coding, locs.code))
            return o
        entry = self._concept_entry(o.system, concept.code)
        if entry is not None and any(_marks_deprecated(ext) for ext in entry.get("extension") or ()):
            o.issues.append(Issue(
                "warning", "business-rule", "code-comment",
                f"The presence of the concept '{concept.code}' in the system '{o.system}' in the value set "
                f"{self.vs_name} is marked with a status of deprecated and its use should be reviewed",
                locs.code, in_message=False))
        return o

    def _not_in_vs(self, coding: dict, loc: str) -> Issue:
        text = f"The provided code '{_coding_text(coding)}' was not found in the value set '{self.vs_name}'"
        reason = exclusion_reason(self.req.valueset, coding.get("system"), coding.get("code"))
        if reason:
            text += f": {reason}"
        return Issue("error", "code-invalid", "not-in-vs", text, loc)

    def _infer(self, code, o: _Outcome, loc: str) -> str | None:
        vs = self.req.valueset
        found = []
        for system in sorted(self._vs_systems(vs)):
            # in the versions the value set takes the system in (a version pinned in an import included)
            for version in self._versions_used(system) or [None]:
                cs = self._codesystem(system, version)
                concept, _how = cs.find(code) if cs is not None and code else (None, None)
                if concept is not None and self.member(vs, system, concept.code, concept, cs):
                    found.append(system)
                    break
        if len(found) == 1:
            return found[0]
        if found:
            extra = f": value set expansion has multiple matches: [{', '.join(found)}]"
        else:
            systems = ", ".join(sorted(self._vs_systems(vs)))
            extra = f": none of the value set's code systems ({systems}) has this code" if systems else ""
        o.issues.append(Issue("error", "not-found", "cannot-infer",
                              f"The System URI could not be determined for the code '{code}' in the ValueSet "
                              f"'{self.vs_name}'{extra}", loc))
        return None

    def _check_display(self, o: _Outcome, display: str | None, loc: str) -> None:
        if not display:
            return
        req, concept, cs = self.req, o.concept, o.cs
        # '*' (with q > 0: '*;q=0' entries are gone already) makes any language acceptable: then every
        # display and designation of the concept is a valid display
        langs = req.languages or []
        wanted = [] if "*" in langs else list(langs)
        options = displays_in(concept, cs, wanted or None)
        if any(_same_display(text, display) for _lang, text in options):
            return
        every = displays_in(concept, cs, None)
        entry = self._concept_entry(o.system, concept.code) if req.valueset is not None else None
        if entry is not None and (entry.get("display") or entry.get("designation")):
            # the display (and designations) a value set gives its concept are valid displays of it there
            own = SimpleNamespace(display=entry.get("display"), designations=entry.get("designation") or [])
            where = SimpleNamespace(language=req.valueset.get("language") or getattr(cs, "language", None))
            options = options + displays_in(own, where, wanted or None)
            if any(_same_display(text, display) for _lang, text in options):
                return
            every = every + displays_in(own, where, None)
        lang_text = req.language_text or "--"
        sev = "warning" if req.lenient_display else "error"
        ident = f"{o.system}#{concept.code}"
        if not every:
            # the concept has no display in any language: there is nothing to compare the display given with
            o.issues.append(Issue("information", "invalid", "invalid-display",
                                  f"The code {ident} has no display names, so the display '{display}' cannot be "
                                  f"checked", loc))
            return
        if wanted and not options:
            if any(_same_display(text, display) for _l, text in every):
                o.issues.append(Issue("information", "invalid", "invalid-display",
                                      f"There are no valid display names found for the code {ident} for language(s) "
                                      f"'{lang_text}'. The display is '{display}' which is a valid display for the "
                                      f"default language", loc))
                return
            # a concept with designations only has no default display to name
            default = f". Default display is '{concept.display}'" if concept.display else ""
            o.issues.append(Issue(sev, "invalid", "invalid-display",
                                  f"Wrong Display Name '{display}' for {ident}. There are no valid display names found "
                                  f"for language(s) '{lang_text}'{default}", loc))
            if sev == "error":
                o.ok = False
            return
        norm = " ".join(display.split()).casefold()
        ws = any(" ".join(text.split()).casefold() == norm for _l, text in options)
        shown = options or every
        if len(shown) == 1:
            valid = f"Valid display is {_display_choice(*shown[0])}"
        else:
            valid = (f"Valid display is one of {len(shown)} choices: "
                     + " or ".join(_display_choice(lang, t) for lang, t in shown))
        head = "Wrong whitespace in Display Name" if ws else "Wrong Display Name"
        o.issues.append(Issue(sev, "invalid", "invalid-display",
                              f"{head} '{display}' for {ident}. {valid} (for the language(s) '{lang_text}')", loc))
        if sev == "error":
            o.ok = False


# content -> (why an unknown code may still exist, the word for it): the reference servers' wording
_PARTIAL_CONTENT = {
    "fragment": ("the code system is labeled as a fragment, so the code may be valid in some other fragment", "Code"),
    "example": ("the code system is labeled as an example, so the code may be valid in the full code system",
                "Code"),
    "not-present": ("the code system's content is not held by this server", "code"),
}


def _same_display(text: str, display: str) -> bool:
    """Displays are compared without regard to case, as the reference servers compare them: 'display 1' is a
    way of writing 'Display 1', not another name."""
    return text == display or text.casefold() == display.casefold()


def _display_choice(lang: str | None, text: str) -> str:
    """'text' (lang), or just 'text' when its language is not known."""
    return f"'{text}' ({lang})" if lang else f"'{text}'"


def _version_loc(locs: "_Locations") -> str:
    return f"{locs.path}.version" if locs.path else "version"


def _mismatch_text(system: str, vs_version: str, coding_version: str) -> str:
    return (f"The code system '{system}' version '{vs_version}' in the ValueSet include is different to the one "
            f"in the value ('{coding_version}')")


def _unknown_version_text(system: str, version: str, known) -> str:
    return (f"A definition for CodeSystem '{system}' version '{version}' could not be found, so the code cannot be "
            f"validated. {unknown_version_tail(known)}")


def _marks_deprecated(ext: dict) -> bool:
    """A value set concept extension saying the concept's presence is deprecated."""
    if ext.get("url") == VS_DEPRECATED:
        return str(ext.get("valueCode", ext.get("valueBoolean"))).lower() == "true"
    return ext.get("url") == STANDARDS_STATUS and ext.get("valueCode") == "deprecated"


def validate_code(catalog, req: ValidateRequest) -> ValidateResult:
    if req.date:
        # a partial date means its first day; a malformed one is the client's error, said at once
        req.date = day_of(req.date)
    v = Validator(catalog, req)
    vs = req.valueset
    if vs is not None:
        v.note_status("ValueSet", vs, v.vs_name)
    outcomes: list[_Outcome] = []
    try:
        for i, coding in enumerate(req.codings):
            path = {"code": "", "coding": "Coding"}.get(req.mode, f"CodeableConcept.coding[{i}]")
            outcomes.append(v.check(coding, path))
        if vs is not None:
            for canon in v.ev.used_valuesets:
                sub = catalog.valueset(*split_canonical(canon))
                if sub is not None:
                    v.note_status("ValueSet", sub, canon)
    except NotFound as e:
        # the value set could not be evaluated (e.g. an import is missing): an answer, not an error
        issue = Issue("error", "not-found", e.tx_code or "not-found", e.message)
        params = []
        if req.mode == "codeableConcept":
            params.append(("codeableConcept", "valueCodeableConcept", req.codeable_concept or {"coding": req.codings}))
        return ValidateResult(False, params, [issue])
    return _assemble(req, v, outcomes)


def _assemble(req: ValidateRequest, v: Validator, outcomes: list[_Outcome]) -> ValidateResult:
    issues: list[Issue] = []
    params: list[tuple] = []
    cc = req.mode == "codeableConcept"
    if cc:
        good = [o for o in outcomes if o.in_vs]
        for o in outcomes:
            for i in o.issues:
                if i.tx_code == "not-in-vs":
                    i = Issue("information", "code-invalid", "this-code-not-in-vs", i.text, i.location,
                              in_message=False)
                issues.append(i)
        if not good and req.valueset is not None:
            issues.append(Issue("error", "code-invalid", "not-in-vs",
                                f"No valid coding was found for the value set '{v.vs_name}'"))
        elif not good and not any(i.severity == "error" for i in issues):
            issues.append(Issue("error", "invalid", "invalid-data",
                                f"None of the codings is a code of the code system '{req.codesystem}'"))
        best = good[0] if good else None
        result = bool(good)
        params.append(("codeableConcept", "valueCodeableConcept", req.codeable_concept or {"coding": req.codings}))
    else:
        best = outcomes[0] if outcomes else None
        issues = list(best.issues) if best else []
        result = bool(best) and best.ok and best.in_vs
    if best is not None:
        if best.code is not None:
            params.append(("code", "valueCode", best.code))
        if best.system is not None:
            params.append(("system", "valueUri", best.system))
        if best.version is not None:
            params.append(("version", "valueString", best.version))
        if best.display is not None:
            params.append(("display", "valueString", best.display))
        if best.concept is not None and best.inactive:
            params.append(("inactive", "valueBoolean", True))
            if best.concept.status:
                params.append(("status", "valueCode", best.concept.status))
        elif best.concept is not None and best.deprecated:
            params.append(("status", "valueCode", best.concept.lifecycle))
        if best.normalized is not None:
            params.append(("normalized-code", "valueCode", best.normalized))
    for o in outcomes:
        if o.unknown_system:
            name = "x-caused-by-unknown-system" if o.caused_by_unknown else "x-unknown-system"
            params.append((name, "valueCanonical", o.unknown_system))
    issues.extend(v.status_issues)
    # any error (wrong display, unknown code in another coding ...) makes the answer false
    if any(i.severity == "error" for i in issues):
        result = False
    return ValidateResult(result, params, issues)
