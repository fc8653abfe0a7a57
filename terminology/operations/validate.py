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

from ..errors import InvalidRequest, NotFound, TerminologyError
from ..editions import day_of, not_in_force
from ..identifiers import NORWEGIAN_CODEBOOKS, canonical, split_canonical
from ..languages import preferred_display
from ..model_errors import is_r4_code
from ..norway.advice import (edition_on, grouping_advice, last_edition, old_display, rules_of,
                             successor_note)
from ..norway.next_edition import next_change, next_display, value_set_hint
from ..versions import matches_version, one_version
from ..snomed.ecl_budget import per_operation
from ..snomed.successors import inactive_note as snomed_inactive_note
from .compose import ComposeEvaluator
from .compose_checks import MAX_IMPORT_DEPTH, check_imports
from .concept_status import (is_abstract, is_deprecated, reported_status, standards_status, status_day,
                             validity_problem)
from .display_choice import codesystem_choice, valueset_language
from .validate_display import DisplayCheck
from .validate_outcome import Issue, Locations, Outcome
from .validate_problems import NO_SYSTEM_TEXT, CodingProblems
from .validate_texts import (NOTHING_TO_VALIDATE_VS, coding_text, mismatch_text, presence_status, unknown_version_text,
                             version_loc)
from .validate_versions import CodeSystemVersionChoice
from .version_rules import MissingImport, SystemVersionRules


@dataclass
class ValidateRequest:
    valueset: dict | None = None          # None: CodeSystem/$validate-code
    codesystem: str | None = None         # CodeSystem/$validate-code: the system url
    codesystem_version: str | None = None  # CodeSystem/$validate-code: `version` beside a coding
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


class Validator(CodeSystemVersionChoice, DisplayCheck, CodingProblems):
    # the notes on draft/experimental/deprecated content: a list made by the first note (most requests have none)
    status_issues: "list[Issue] | tuple" = ()
    # how messages name the value set validated against (url|version): validate_code sets it from the facts kept
    # about the value set (ValueSetFacts.own_facts, where it is worked out); None without one
    vs_name: str | None = None
    # why the value set leaves out the codes its excludes list (exclusions.ExclusionReasons): validate_code sets it
    # from the same facts; None: read off the value set when a refusal needs it
    exclusions = None

    def __init__(self, catalog, req: ValidateRequest):
        self.catalog = catalog
        self.req = req
        compose = req.valueset.get("compose") if req.valueset else None
        locked = compose.get("lockedDate") if isinstance(compose, dict) else None
        # a version refused by check-system-version is validated anyway; _version_check reports the refusal
        self.ev = ComposeEvaluator(catalog, rules=req.rules, date=req.date or locked, supplements=req.supplements,
                                   check_versions=False)
        vs = req.valueset
        if vs is not None:
            self.ev.see(vs)     # what is kept across requests about its includes depends on where it came from
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

    def _concept_entry(self, system: str, code: str, cs=None) -> dict | None:
        """The value set's own concept entry for `system#code` (its display and extensions)."""
        return self._concept_entry_in(system, code, cs)[0]

    def _concept_entry_in(self, system: str, code: str, cs=None) -> tuple[dict | None, dict | None]:
        """(entry, the include that lists it) of the value set's own concept entry for `system#code`, Nones when
        it lists none. In a case-insensitive `cs` an entry written in another case is the same concept's:
        $expand takes its display, so must this."""
        includes = self._system_includes(system)
        if not includes.lists:
            return None, None       # (the usual value set: filters or whole systems, no entries of its own)
        folded: tuple = (None, None)
        for inc in includes.includes:
            if inc.get("concept"):
                entry = self.ev.concept_entries(inc).get(code)
                if entry is not None:
                    return entry, inc
                if folded[0] is None and cs is not None and not cs.case_sensitive:
                    got = self.ev.folded_concept_entries(inc).get(code.casefold())
                    if got is not None:
                        folded = (got, inc)
        return folded

    def _include_language(self, inc: dict) -> str | None:
        """The language of the value set whose compose holds `inc`: the one validated against or one it imports
        whole (as `_includes_of` walks them), so that an imported value set's displays are in its own language."""
        root = self.req.valueset
        seen, todo = set(), [(root, 0)]
        while todo:
            vs, depth = todo.pop()
            if id(vs) in seen:
                continue
            seen.add(id(vs))
            for i in (vs.get("compose") or {}).get("include") or ():
                if i is inc:
                    return valueset_language(vs)
                refs = i.get("valueSet") if isinstance(i, dict) and i.get("system") is None else None
                if not isinstance(refs, list) or depth >= MAX_IMPORT_DEPTH:
                    continue
                for ref in refs:
                    try:
                        todo.append((self.ev.valueset(ref), depth + 1))
                    except TerminologyError:
                        continue
        return valueset_language(root)

    # --- status notes (draft / experimental / deprecated content) ---------------------
    def note_status(self, kind: str, res: dict, canon: str) -> None:
        # every status, the value set's own too; a draft value set says nothing of draft content (itself included)
        status = reported_status(res, self.req.valueset)
        if status is None:
            return
        text = f"Reference to {status} {kind} {canon}"
        if all(i.text != text for i in self.status_issues):
            if not self.status_issues:
                self.status_issues = []
            self.status_issues.append(Issue("information", "business-rule", "status-check", text, in_message=False))

    def _note_codesystem_status(self, cs) -> None:
        """note_status of the code system in hand, its canonical written only when there is a status to say (the
        usual code system has none: $validate-code's hot path). Whether it has any is a fact of its resource,
        kept on the index (as compose keeps an include's rules there): with none, there is nothing to weigh
        against the value set's own status (reported_status says None whatever the value set)."""
        res = cs.resource
        kept = getattr(cs, _STATUS_ATTR, None)
        if kept is None or kept[0] is not res:
            kept = (res, standards_status(res))
            try:
                setattr(cs, _STATUS_ATTR, kept)
            except AttributeError:
                pass        # an index that keeps nothing: asked again next time
        if kept[1] is not None and reported_status(res, self.req.valueset) is not None:
            self.note_status("CodeSystem", res, canonical(cs.url, cs.version))

    # --- one coding ------------------------------------------------------------------
    def check(self, coding: dict, path: str) -> Outcome:
        """Validate one coding; `path` is its place in the input ('' for code/system/display)."""
        o = self._check(coding, path)
        if o.ok and o.cs is not None and o.cs.content == "example":
            # an example code system says too little to be sure of anything (the reference servers' warning, in
            # `message` too): FHIRsmith checkCodeableConcept
            shown = f' ("{coding["display"]}")' if coding.get("display") else ""
            o.issues.append(Issue("warning", "not-found", "vs-invalid",
                                  f"The system {o.system} was found but did not contain enough information to "
                                  f'properly validate the code "{o.code}"{shown} (mode = example)', path or "code"))
        return o

    def _check(self, coding: dict, path: str) -> Outcome:
        req, vs = self.req, self.req.valueset
        o = Outcome(coding, path, code=coding.get("code"))
        locs = _LOCATIONS.get(path) or _locations(path)
        system = coding.get("system") or req.codesystem
        version = coding.get("version")
        self._explicit_version = version is not None
        self._chosen_by_vs = False
        if o.code is None or o.code == "":
            return self._no_code(o, locs)
        if system is None:
            if vs is not None and req.mode == "code" and not req.infer_system:
                # a bare code names no concept until a system (or inferSystem) says whose it is: the reference
                # servers find nothing to validate in such a request
                raise InvalidRequest(NOTHING_TO_VALIDATE_VS)
            if vs is None or not req.infer_system:
                return self._no_system(o, locs)
            system = self._infer(o.code, o, locs.code)
            if system is None:
                o.ok = False
                o.issues.append(self._not_in_vs(coding, locs.code))
                return o
        system = self.catalog.canonical_system(system)
        o.system = system
        if vs is None and req.codesystem is not None and system != self.catalog.canonical_system(req.codesystem):
            o = self._in_own_system(o, locs, system, version)
            if req.mode != "codeableConcept" and not any(i.severity == "error" for i in o.issues):
                # a code its own system holds: nothing but the code system validated against explains the answer
                # (a codeableConcept says so once for all its codings, in _assemble)
                o.issues.append(Issue("error", "code-invalid", "not-in-vs",
                                      f"The provided code '{coding_text({**o.coding, 'system': system})}' was not "
                                      f"found in the value set '{_codesystem_vs(self, ())}'", locs.code))
            return o
        if vs is None and req.codesystem_version is not None:
            version = self._version_asked(o, locs, version)
        if vs is not None:
            chosen = self._choose_version(o, locs, vs, system, version)
            if chosen is False:
                return o
            version = chosen
        late = not_in_force(self.catalog, system, version, req.date) \
            if req.date and not _ruled(req.rules, system) else None
        if late:
            # no loaded edition answers for the date (editions.not_in_force, $lookup's rule): answered as an
            # unknown version is
            o.ok = False
            o.issues.append(Issue("error", "not-found", "not-found", late, locs.system))
            return o
        cs = self._codesystem(system, version)
        if cs is None:
            return self._unknown_system(o, locs, system, version)
        if cs.content == "supplement":
            return self._supplement_as_system(o, locs, cs)
        self._explicit_version = self._explicit_version and cs.version == coding.get("version")
        o.cs, o.version = cs, cs.version
        if vs is None and version is not None and req.rules.force:
            self._forced_past(o, locs, cs, version)
        if req.rules.check:
            self._version_check(o, cs)
        self._note_codesystem_status(cs)
        missing = self._missing_versions(system) if vs is not None else []
        for v in missing:
            # an include of a version that is not loaded: $expand refuses the value set (404), so membership
            # cannot be told, whichever version the code is validated in
            o.issues.append(Issue("error", "not-found", "not-found",
                                  unknown_version_text(system, v, self.catalog.codesystem_versions(system))))
        if missing:
            o.unknown_system = canonical(system, missing[0])
            o.caused_by_unknown = True
        concept, how = cs.find(o.code) if o.code is not None else (None, None)
        if concept is None:
            return self._unknown_code(o, locs, cs)
        o.concept, o.how = concept, how
        self._code_form(o, locs, cs, how)
        o.display = preferred_display(concept, cs, req.languages)
        period = validity_problem(concept, req.date) if req.date else None
        if period is not None:
            o.ok = False
            o.issues.append(Issue("error", "business-rule", "code-rule",
                                  f"The concept '{concept.code}' is not valid on {req.date[:10]} ({period})",
                                  locs.code))
        if not req.membership_only:
            self._check_display(o, coding.get("display"), locs.display)
        # (an index none of whose concepts is inactive or deprecated, as most code systems are, need not ask)
        current = cs.all_current()
        o.inactive = False if current else concept.inactive
        if o.inactive:
            st = concept.status
            what = f"{st} and inactive" if st and st.lower() not in ("inactive",) else "inactive"
            o.status_note = Issue("warning", "business-rule", "code-comment",
                                  f"The concept '{concept.code}' has a status of {what} and its use should be reviewed",
                                  path or "code")   # a plain code: at `code`, as every other issue about it
            if hasattr(cs, "assoc"):
                # SNOMED CT: what to use instead, from the historical associations (a term bank holds concepts of
                # older releases; review s16 hospital M4)
                text = snomed_inactive_note(cs, concept.code)
                if text is not None:
                    o.issues.append(Issue("information", "informational", "code-comment", text, path or "code",
                                          in_message=False))
        # (no date asked: the server's today, KODEBRO_TODAY when set, as the edition in force is read)
        elif not current and self._deprecated(concept, cs):
            o.deprecated = True
            o.status_note = Issue("warning", "business-rule", "code-comment",
                                  f"The concept '{concept.code}' is deprecated and its use should be reviewed",
                                  _STATUS_PLACE.get(req.mode, "CodeableConcept"))
        if o.status_note is not None:
            o.issues.append(o.status_note)
        if vs is None:
            if not req.abstract_ok and is_abstract(concept):
                # no value set whose membership could say why: the abstract issue is the only reason given
                self._refuse_abstract(o, locs, always_say=True)
            o.in_vs = True
            return o
        return self._membership(o, locs, vs, cs)

    def _deprecated(self, concept, cs) -> bool:
        """concept_status.is_deprecated on the request's day, the day worked out only when the concept can be
        deprecated: by its status, or through a deprecation property its system uses. A SNOMED CT edition has
        inactive concepts (so `all_current` is false) but no deprecation property: the day (~0.4 us) is not needed."""
        if not cs.deprecation_codes() and not concept.deprecated_by_status:
            return False
        return is_deprecated(concept, status_day(self.catalog, self.req.date), cs)

    def _in_own_system(self, o: Outcome, locs: "Locations", system: str, version: str | None) -> Outcome:
        """CodeSystem/$validate-code, a coding of another system (alone or in a codeableConcept): not a code of the
        code system validated against, but (as the reference servers judge it) checked in its own code system, so
        that an unknown system, an unknown code or a wrong display there is reported as anywhere else; a code it
        holds adds nothing here, and is answered with its own version and display."""
        o.ok = False
        cs = self._codesystem(system, version)
        if cs is None:
            self._unknown_system(o, locs, system, version)
            # the code system validated against is not the cause: beside a valid coding this one caused the
            # answer (x-caused-by-unknown-system), alone it is just unknown (x-unknown-system)
            o.caused_by_unknown = False
            return o
        if cs.content == "supplement":
            return self._supplement_as_system(o, locs, cs)
        o.cs, o.version = cs, cs.version
        concept = cs.find(o.code)[0]
        if concept is None:
            self._unknown_code(o, locs, cs)
        else:
            o.concept = concept
            o.display = preferred_display(concept, cs, self.req.languages)
            if not self.req.membership_only:
                self._check_display(o, o.coding.get("display"), locs.display)
        o.in_vs = False
        return o

    def _version_asked(self, o: Outcome, locs: "Locations", version: str | None) -> str:
        """CodeSystem/$validate-code given a `version` beside a coding (or codeableConcept): the code system of
        the version asked for is validated against (as the reference servers take it: the value set they
        validate against includes that version), and a coding of another version is reported as differing."""
        asked = self.req.codesystem_version
        if version is None:
            return asked
        used = one_version(asked, version)
        if used is not None:
            return used             # one version, the more specific of the two
        if self._codesystem(o.system, asked) is not None:
            # (a version asked for that is not loaded is the answer alone: an unknown code system version)
            o.ok = False
            o.issues.append(Issue("error", "invalid", "vs-invalid", mismatch_text(o.system, asked, version),
                                  version_loc(locs)))
        return asked

    def _forced_past(self, o: Outcome, locs: "Locations", cs, version: str) -> None:
        """CodeSystem/$validate-code: force-system-version took another version than the one asked for. The
        reference servers validate against a value set of the forced version, so the version asked for is
        reported as differing from it (VALUESET_VALUE_MISMATCH), and the answer is false."""
        if cs.version is not None and cs.url in self.req.rules.force and not matches_version(version, cs.version):
            o.issues.append(Issue("error", "invalid", "vs-invalid", mismatch_text(cs.url, cs.version, version),
                                  version_loc(locs)))

    def _refuse_abstract(self, o: Outcome, locs: "Locations", always_say: bool = False) -> None:
        """abstract=false and the code may not be chosen: refused before its status is looked at, so the answer
        carries no inactive/status notes (the reference servers decide in this order)."""
        o.ok = False
        if o.status_note is not None:
            o.issues.remove(o.status_note)
            o.status_note, o.inactive, o.deprecated = None, False, False
        if always_say or not self.req.membership_only:
            o.issues.append(_abstract_issue(o.system, o.concept.code, locs.code))

    def advise(self, o: Outcome) -> None:
        """The way forward on a Norwegian codebook (norway/advice.py), as information issues beside the answer:
        for a refused code the codes below a grouping, or the older edition an unknown code was last in; for a
        display refused as wrong, the older edition whose text it was; for an accepted code, its coding rules, and
        for an accepted grouping (CodeSystem check) or retired code what a refused one is told. Nothing else in the
        answer changes. Each look beyond the concept in hand is made only when the answer needs it (a refusal, a
        rule, a grouping or an inactive concept in hand): $validate-code's hot path pays for the checks alone."""
        concept, cs = o.concept, o.cs
        refused = not (o.ok and o.in_vs)
        if o.coding.get("version") and self.req.valueset is not None and self.req.date is None and \
                any(i.tx_code == "vs-invalid" for i in o.issues):
            text = value_set_hint(self.catalog, self.req.valueset, o.coding["version"])
            if text is not None:
                o.issues.append(Issue("information", "informational", "code-comment", text,
                                      _coding_loc(o.path, "version"), in_message=False))
        if concept is None:
            if refused and o.code and any(i.tx_code == "invalid-code" for i in o.issues):
                text = last_edition(self.catalog, cs, o.code)
                if text is not None:
                    o.issues.append(Issue("information", "informational", "code-comment", text,
                                          _coding_loc(o.path, "code"), in_message=False))
                self._successors(o, o.code)
            return
        for i in o.issues:
            if i.tx_code == "invalid-display" and i.severity != "information":
                text = old_display(self.catalog, cs, concept, o.coding.get("display") or "")
                if text is None:
                    # next year's text, loaded in December (norway/next_edition.py)
                    text = next_display(self.catalog, cs, concept, o.coding.get("display") or "",
                                        self.req.date is None and not o.coding.get("version")
                                        and self.req.codesystem_version is None
                                        and not _ruled(self.req.rules, cs.url))
                if text is not None:
                    o.issues.append(Issue("information", "invalid", "display-comment", text,
                                          _coding_loc(o.path, "display"), in_message=False))
                break
        if refused:
            # a grouping has codes below it to choose from (`children` first: a leaf is not asked more)
            if concept.children and concept.abstract:
                o.issues.append(Issue("information", "informational", "code-comment", grouping_advice(cs, concept),
                                      _coding_loc(o.path, "code"), in_message=False))
            # (an abstract code refused has lost o.inactive: its concept is asked, unless none of the index's is)
            if o.inactive or (not cs.all_current() and concept.inactive) or \
                    (self.req.date and validity_problem(concept, self.req.date)):
                self._successors(o, concept.code)
            return
        # accepted. A grouping is a code of the code system, which is all CodeSystem/$validate-code asks, but not
        # one to report: said as when refused. A value set that holds the grouping chose it (blocks for statistics)
        if self.req.valueset is None and concept.children and concept.abstract:
            o.issues.append(Issue("information", "informational", "code-comment", grouping_advice(cs, concept),
                                  _coding_loc(o.path, "code"), in_message=False))
        # a retired code still accepted (no date, an edition that keeps it as retired) is the one coders meet most;
        # only then is the succession graph asked (it loads on first use)
        if o.inactive:
            self._successors(o, concept.code)
        elif self.req.date is None:
            # what 1 January does to the code, when next year's edition is loaded (norway/next_edition.py; with
            # none loaded, one look at the loaded versions)
            text = next_change(self.catalog, cs, concept)
            if text is not None:
                o.issues.append(Issue("information", "informational", "code-comment", text,
                                      _coding_loc(o.path, "code"), in_message=False))
        rules = rules_of(concept)
        if rules:
            loc = _coding_loc(o.path, "code")
            for rule in rules:
                o.issues.append(Issue("information", "business-rule", "code-rule", rule, loc, in_message=False))

    def _successors(self, o: Outcome, code: str) -> None:
        """A retired (refused or accepted), unknown or out-of-date code: what it was replaced by, when mappings'
        succession graph knows (registered in norway/advice.py; the engine does not import mappings)."""
        text = successor_note(self.catalog, o.cs.url, code, edition_on(o.cs.version, self.req.date))
        if text is not None:
            o.issues.append(Issue("information", "informational", "code-comment", text,
                                  _coding_loc(o.path, "code"), in_message=False))

    def _code_form(self, o: Outcome, locs: "Locations", cs, how: str | None) -> None:
        """Notes for a code found in another spelling: another case, or without the ICD-10 dot."""
        concept = o.concept
        if how == "case":
            o.normalized = concept.code
            canon = canonical(cs.url, cs.version)
            # caseSensitive false or missing (R4: "accept codes in any case"): the reference words both alike
            why = (f"Although the code system '{canon}' is case insensitive, implementers are strongly "
                   f"encouraged to use the correct case anyway")
            o.issues.append(Issue("information", "business-rule", "code-rule",
                                  f"The code '{o.code}' differs from the correct code '{concept.code}' by case. "
                                  f"{why}", locs.code, in_message=False))
        elif how == "normalised":
            given = o.code
            o.code = concept.code
            # information, not a warning: the answer is valid, and the dotted form is how coders write ICD-10
            # (engines show warnings on every diagnosis). Only ICD-10-NO and media types (parameters in another
            # order or spacing) are read so: no HL7 answer has this note
            o.issues.append(Issue("information", "business-rule", "code-rule",
                                  f"The code '{given}' is written '{concept.code}' in the CodeSystem '{o.system}'; "
                                  f"'{concept.code}' is the code that was validated", locs.code, in_message=False))

    def _membership(self, o: Outcome, locs: "Locations", vs: dict, cs) -> Outcome:
        req, concept = self.req, o.concept
        missing = self._missing.get(o.system)       # (`check` asked already)
        if missing is None:
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
            if o.in_vs and not req.abstract_ok and is_abstract(concept):
                # abstract=false: a code that may not be used here is not one of this value set's codes either
                # (tx.fhir.org answers so); membership-only clients hear only that
                o.in_vs = False
                self._refuse_abstract(o, locs)
        if not o.in_vs:
            o.ok = False
            o.issues.append(self._not_in_vs(o.coding, locs.code))
            return o
        # (mirrors _concept_entry_in's first test, the usual value set listing no concepts of the system: the two
        # calls it spares cost ~0.4 us a request)
        entry = self._concept_entry(o.system, concept.code, cs) if self._system_includes(o.system).lists else None
        if entry is not None and entry.get("designation") and req.languages:
            # the display returned is the code system's (display_choice.codesystem_choice): the value set's
            # designations join its ranking; its display is accepted (_check_display), not returned
            o.display = codesystem_choice(self._concept_text(o.system, concept.code, cs), concept, cs,
                                          req.languages)
        marked = next((st for ext in entry.get("extension") or () if (st := presence_status(ext))), None) \
            if entry is not None else None
        if marked is not None:
            o.issues.append(Issue(
                "warning", "business-rule", "code-comment",
                f"The presence of the concept '{concept.code}' in the system '{o.system}' in the value set "
                f"{self.vs_name} is marked with a status of {marked} and its use should be reviewed",
                locs.code, in_message=False))
        return o

    def _infer(self, code, o: Outcome, loc: str) -> str | None:
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
            extra = f": it is not in the value set under any of its code systems ({systems})" if systems else ""
        o.issues.append(Issue("error", "not-found", "cannot-infer",
                              f"The System URI could not be determined for the code '{code}' in the ValueSet "
                              f"'{self.vs_name}'{extra}", loc))
        return None


# Where a note on the concept's status points. The coding as a whole (`Coding`, `CodeableConcept.coding[1]`) for an
# inactive one; a code given as code/system/display has no element of its own to point at, so nothing. Deprecation
# is a note on the value as a whole: `CodeableConcept` (the reference servers place both notes so).
_STATUS_PLACE = {"code": None, "coding": "Coding"}

# the attribute of a code system index that keeps (its resource, the status its resource states: standards_status)
_STATUS_ATTR = "_kodebro_validate_status"

# where a coding sits in the input, by request mode (a codeableConcept's codings: by their index)
_CODING_PATH = {"code": "", "coding": "Coding"}

# Locations of the paths every request uses, made once: they are read, never written
_LOCATIONS: dict = {}


def _locations(path: str) -> Locations:
    locs = Locations(path)
    if len(_LOCATIONS) < 64:
        _LOCATIONS[path] = locs
    return locs


def _coding_loc(path: str, part: str) -> str:
    """Where a part of the coding at `path` is in the request (`code`, `Coding.display` ...)."""
    return f"{path}.{part}" if path else part


def _abstract_issue(system: str, code: str, location: str) -> Issue:
    return Issue("error", "business-rule", "code-rule",
                 f"Code '{system}#{code}' is abstract, and not allowed in this context", location)


def _echoed_concept(req: ValidateRequest) -> dict:
    """The codeableConcept as the answer echoes it: as sent, but a code that is no R4 code (blanks at its ends) is
    left out of its coding (it is named in the message), and a coding left with nothing is dropped."""
    cc = req.codeable_concept or {"coding": req.codings}
    codings = cc.get("coding") or []
    if all(is_r4_code(c.get("code")) for c in codings if isinstance(c, dict) and "code" in c):
        return cc
    kept = [c if is_r4_code(c.get("code")) else {k: v for k, v in c.items() if k not in ("code", "_code")}
            for c in codings if isinstance(c, dict)]
    kept = [c for c in kept if c]
    return {**{k: v for k, v in cc.items() if k != "coding"}, **({"coding": kept} if kept else {})}


@per_operation     # one ECL work budget for all of the request's value sets and codings
def validate_code(catalog, req: ValidateRequest) -> ValidateResult:
    if req.valueset is None and req.codesystem is None and req.mode == "codeableConcept":
        # CodeSystem/$validate-code without url takes the system from the first coding alone, as the reference
        # servers do; that one has none (else it would name the system): there is nothing to validate against
        return ValidateResult(False, [("codeableConcept", "valueCodeableConcept", _echoed_concept(req))],
                              [Issue("warning", "invalid", "invalid-data", NO_SYSTEM_TEXT, "CodeableConcept")])
    if req.date:
        # a partial date means its first day; a malformed one is the client's error, said at once
        req.date = day_of(req.date)
    v = Validator(catalog, req)
    vs = req.valueset
    status, imports_none = None, True
    if vs is not None:
        status, imports_none, v.vs_name, v.exclusions = v.ev.own_facts(vs)
    if status is not None:
        v.note_status("ValueSet", vs, v.vs_name)
    outcomes: list[Outcome] = []
    try:
        if not imports_none:
            # a cyclic or unresolvable import anywhere in the value set is its answer whatever the code (as
            # tx.fhir.org checks in ValueSetChecker.prepare), not only when the evaluation reaches it
            check_imports(v.ev, vs)
        for i, coding in enumerate(req.codings):
            path = _CODING_PATH.get(req.mode) if req.mode != "codeableConcept" else None
            if path is None:
                path = f"CodeableConcept.coding[{i}]"
            o = v.check(coding, path)
            if o.system in NORWEGIAN_CODEBOOKS and o.cs is not None:
                v.advise(o)
            outcomes.append(o)
        if vs is not None:
            for canon in v.ev.used_valuesets:
                sub = catalog.valueset(*split_canonical(canon))
                if sub is not None:
                    v.note_status("ValueSet", sub, canon)
    except NotFound as e:
        # the value set could not be evaluated (e.g. an import is missing): an answer, not an error
        # a missing import is worded as the reference servers' $validate-code words it (not as $expand does)
        issue = Issue("error", "not-found", "not-found", e.validate_text) if isinstance(e, MissingImport) else \
            Issue("error", "not-found", e.tx_code or "not-found", e.message)
        params = []
        if req.mode == "codeableConcept":
            params.append(("codeableConcept", "valueCodeableConcept", _echoed_concept(req)))
        return ValidateResult(False, params, [issue])
    if req.supplements is not None and hasattr(req.supplements, "require_applied"):
        # as $expand: a supplement of a version not used fails the request. A code of one system is validated
        # against the whole value set (or code system), so a supplement of any system it uses is not unused
        req.supplements.require_applied(reached=getattr(req.supplements, "systems", None))
    return _assemble(req, v, outcomes)


def _assemble(req: ValidateRequest, v: Validator, outcomes: list[Outcome]) -> ValidateResult:
    issues: list[Issue] = []
    params: list[tuple] = []
    cc = req.mode == "codeableConcept"
    if cc:
        good = [o for o in outcomes if o.in_vs]
        reported: set = set()
        for o in outcomes:
            for i in o.issues:
                if i.tx_code == "not-in-vs":
                    i = Issue("information", "code-invalid", "this-code-not-in-vs", i.text, i.location,
                              in_message=False)
                elif _of_unknown_system(i):
                    # one system (or system|version) missing in several codings is reported once, at the first
                    # of them (the reference servers keep a set of the unknown systems)
                    if i.text in reported:
                        continue
                    reported.add(i.text)
                issues.append(i)
        if not good and req.valueset is not None:
            issues.append(Issue("error", "code-invalid", "not-in-vs",
                                f"No valid coding was found for the value set '{v.vs_name}'"))
        elif not good and not any(i.severity == "error" for i in issues):
            # CodeSystem/$validate-code: the reference servers validate against a value set of the whole code
            # system, and name it so
            issues.append(Issue("error", "code-invalid", "not-in-vs",
                                f"No valid coding was found for the value set '{_codesystem_vs(v, outcomes)}'"))
        # the first coding in the value set is the one answered with (code, system, version, display), as the
        # reference servers answer it (FHIRsmith 0.11: "the FIRST matching coding, not the last")
        best = good[0] if good else None
        result = bool(good)
        if good:
            issues = _unknown_systems_not_checked(issues, [o for o in outcomes if o not in good])
        params.append(("codeableConcept", "valueCodeableConcept", _echoed_concept(req)))
    else:
        best = outcomes[0] if outcomes else None
        issues = list(best.issues) if best else []
        result = bool(best) and best.ok and best.in_vs
    if best is not None:
        # (a code with blanks at its ends is named in the message; as valueCode it would not be R4)
        if best.code is not None and is_r4_code(best.code):
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
            st = best.concept.lifecycle
            params.append(("status", "valueCode", st if st and st.lower() == "deprecated" else "deprecated"))
        if best.normalized is not None:
            params.append(("normalized-code", "valueCode", best.normalized))
    if cc and (best is None or best.concept is None or not best.inactive):
        _other_inactive(outcomes, params)
    if v.status_issues:
        issues.extend(v.status_issues)
    # any error (wrong display, unknown code in another coding ...) makes the answer false
    if result:
        for i in issues:
            if i.severity == "error":
                result = False
                break
    if not result:
        # a valid answer names no missing system: it caused nothing (a coding of it beside a valid one was only
        # not checked)
        named: set = set()
        for o in outcomes:
            if o.unknown_system and o.unknown_system not in named:
                named.add(o.unknown_system)
                # beside a valid coding, a missing system is why the answer is not simply true: it caused the result
                caused = o.caused_by_unknown or (cc and best is not None)
                name = "x-caused-by-unknown-system" if caused else "x-unknown-system"
                params.append((name, "valueCanonical",
                               _unknown_named(v.catalog, o.unknown_system, req.valueset is None)))
    return ValidateResult(result, params, issues)


def _unknown_systems_not_checked(issues: list, unmatched: list) -> list:
    """A codeableConcept with a coding in the value set: a coding of a code system that is not loaded does not
    veto it, so its not-found error becomes a warning that it was not checked (R4: the concept is valid when any
    coding is; FHIRsmith's checkCodeableConcept, after hapifhir/org.hl7.fhir.core#2272, in its wording)."""
    at = {f"{o.path}.system": o.coding for o in unmatched}
    out = []
    for i in issues:
        coding = at.get(i.location) if i.severity == "error" and i.tx_code == "not-found" else None
        if coding is not None:
            system = coding.get("system") or ""
            named = f"{system}|{coding['version']}" if coding.get("version") else system
            i = Issue("warning", i.code, i.tx_code,
                      f"A definition for the code system '{named}' could not be found, so this coding was not "
                      f"checked. The CodeableConcept is still valid: another coding is in the value set", i.location)
        out.append(i)
    return out


def _other_inactive(outcomes: list, params: list) -> None:
    """A codeableConcept: a coding whose concept is inactive gets the inactive-concept warning whether or not it is
    the one answered with, and with it `inactive` (and `status`, unless plain 'inactive'), as FHIRsmith's
    checkCodeableConcept answers (the code resolved, so its status is known); the first such coding's."""
    for o in outcomes:
        if o.concept is not None and o.inactive and o.status_note is not None and o.status_note in o.issues:
            params.append(("inactive", "valueBoolean", True))
            st = o.concept.status
            # one status: a deprecated coding answered with has said its own already
            if st and st.lower() != "inactive" and not any(p[0] == "status" for p in params):
                params.append(("status", "valueCode", st))
            return


def _of_unknown_system(i: Issue) -> bool:
    """An issue saying that a code system (version) is not loaded, or that membership cannot be told for that:
    worded the same for every coding of that system."""
    return i.tx_code == "not-found" or (i.tx_code == "vs-invalid" and i.location is None)


def _codesystem_vs(v: Validator, outcomes: list) -> str:
    """How the reference servers name the value set CodeSystem/$validate-code validates against: the code
    system's `valueSet`, else its url + '/vs', with the code system's version."""
    system = v.catalog.canonical_system(v.req.codesystem)
    cs = next((o.cs for o in outcomes if o.cs is not None and o.system == system), None)
    if cs is None:
        cs = v._codesystem(system, v.req.codesystem_version)
    if cs is None:
        return f"{system}/vs"
    return canonical((cs.resource or {}).get("valueSet") or f"{cs.url}/vs", cs.version)


def _unknown_named(catalog, canon: str, codesystem_op: bool = False) -> str:
    """How the answer names a system (system|version) that is not loaded: a system held without any version is
    named by its URL alone, as the reference servers name it (FHIRsmith setUnknownSystem(url) when no version
    of it is known); so is, in CodeSystem/$validate-code, a system not held at all
    (UNKNOWN_CODESYSTEM_VERSION_NONE); others as given."""
    url, version = split_canonical(canon)
    if version is not None and not catalog.codesystem_versions(url) and (
            codesystem_op or catalog.codesystem(url) is not None):
        return url
    return canon


def _ruled(rules, system: str) -> bool:
    """A system-version rule names `system`: the rule, not the date, picks its version."""
    return system in rules.force or system in rules.default or system in rules.check
