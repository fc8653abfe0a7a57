"""Codings $validate-code cannot validate as given, and the answer for each: no code, no system, a system or
version that is not loaded, a supplement named as the system, a code the system does not hold, a code not in
the value set (`CodingProblems`, part of Validator).
"""
from __future__ import annotations

from ..editions import dated_editions, is_complete, is_year
from ..exclusions import exclusion_reason
from ..identifiers import canonical
from ..versions import version_key
from .display_choice import choose
from .validate_editions import introduced_later, short_name
from .validate_outcome import Issue, Locations, Outcome
from .validate_texts import UNKNOWN_CODE_REASONS, coding_text, unknown_version_text


# the reference servers' words (Coding_has_no_system__cannot_validate)
NO_SYSTEM_TEXT = ("Coding has no system. A code with no system has no defined meaning, and it cannot be validated. "
                  "A system should be provided")


class CodingProblems:
    """The problem reports of Validator. A mixin: it reads the Validator's `req`, `catalog`, `vs_name`, `exclusions`
    and calls `member`, `_vs_systems` and `_concept_text`."""

    def _no_system(self, o: Outcome, locs: "Locations") -> Outcome:
        o.ok = False
        o.issues.append(Issue("warning", "invalid", "invalid-data", NO_SYSTEM_TEXT, locs.path or "code"))
        if self.req.valueset is not None:
            o.issues.append(self._not_in_vs(o.coding, locs.code))
        return o

    def _no_code(self, o: Outcome, locs: "Locations") -> Outcome:
        """A coding without a code names no concept: there is nothing to validate (within a codeableConcept
        the other codings decide)."""
        o.ok = False
        o.code = None
        o.issues.append(Issue("warning", "invalid", "invalid-data",
                              "Coding has no code, so it cannot be validated. A code should be provided",
                              locs.path or "code"))
        return o

    def _unknown_system(self, o: Outcome, locs: "Locations", system: str, version: str | None) -> Outcome:
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
        relative = Issue("error", "invalid", "invalid-data",
                         "Coding.system must be an absolute reference, not a local reference", locs.system,
                         in_message=vs is not None) if local else None
        if relative is not None and vs is not None:
            o.issues.append(relative)
        known = self.catalog.codesystem_versions(system)
        in_vs_systems = vs is not None and system in self._vs_systems(vs)
        if version is not None:
            text = unknown_version_text(system, version, known)
        elif in_vs_systems or vs is None or local:
            text = f"A definition for CodeSystem '{system}' could not be found, so the code cannot be validated"
        else:
            text = f"A definition for CodeSystem {system} could not be found, so the code cannot be validated"
        o.issues.append(Issue("error", "not-found", "not-found", text, locs.system))
        if relative is not None and vs is None:
            # CodeSystem/$validate-code: the reference servers attach the relative-system issue to the unknown
            # system's, listed after it; the message is the unknown system's alone
            o.issues.append(relative)
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

    def _supplement_as_system(self, o: Outcome, locs: "Locations", cs) -> Outcome:
        """A supplement only adds to the concepts of its base system: it defines no codes of its own."""
        o.ok = False
        canon = canonical(cs.url, cs.version)
        o.issues.append(Issue("error", "invalid", "invalid-data",
                              f"CodeSystem {canon} is a supplement, so can't be used as a value in Coding.system",
                              locs.system))
        return o

    def _unknown_code(self, o: Outcome, locs: "Locations", cs) -> Outcome:
        vs, system = self.req.valueset, o.system
        coding = {**o.coding, "system": system}
        ver = f" version '{cs.version}'" if cs.version else ""
        if cs.content == "fragment":
            later = introduced_later(self.catalog, cs, o.code, self.req.date)
        else:
            later = first_held_later(self.catalog, cs, o.code) if cs.content == "complete" else None
        if later is not None:
            # a yearly codebook's later edition introduces the code: not yet a code of this edition
            o.ok = False
            o.issues.append(Issue("error", "code-invalid", "invalid-code", later, locs.code))
            if vs is not None:
                o.issues.append(self._not_in_vs(coding, locs.code))
            return o
        if cs.content in ("fragment", "not-present", "example"):
            # the server holds only some codes (or none): an unknown one may well exist, so say so and go on
            why, word = UNKNOWN_CODE_REASONS[cs.content]
            # a warning, not a reason the code is invalid: in `issues` only, not in `message` (as the
            # reference servers answer it)
            o.issues.append(Issue("warning", "code-invalid", "invalid-code",
                                  f"Unknown {word} '{o.code}' in the CodeSystem '{system}'{ver} - note that {why}",
                                  locs.code, in_message=False))
            # the value set may list the code itself, or take every code of the system: then it is a
            # member as far as can be told
            o.in_vs = vs is None or self.member(vs, system, o.code, None, cs)
            if not o.in_vs:
                o.ok = False
                o.issues.append(self._not_in_vs(coding, locs.code))
            elif vs is not None:
                # no concept, so no code system display: only the value set's own entry for the code has one
                o.display = choose(self._concept_text(system, o.code, None), None, cs, self.req.languages).display
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

    def _not_in_vs(self, coding: dict, loc: str) -> Issue:
        text = f"The provided code '{coding_text(coding)}' was not found in the value set '{self.vs_name}'"
        reasons = self.exclusions
        reason = reasons.reason(coding.get("system"), coding.get("code")) if reasons is not None else \
            exclusion_reason(self.req.valueset, coding.get("system"), coding.get("code"))
        if reason:
            text += f": {reason}"
        return Issue("error", "code-invalid", "not-in-vs", text, loc)


def _last_held_before(catalog, cs, code: str) -> str | None:
    """The newest loaded year edition before `cs` that holds `code`, active or not; None when none does."""
    for v in sorted((v for v, _start in dated_editions(catalog, cs.url)
                     if is_year(v) and version_key(v) < version_key(cs.version)), key=version_key, reverse=True):
        other = catalog.codesystem(cs.url, v)
        if other is not None and other.find(code)[0] is not None:
            return v
    return None


def first_held_later(catalog, cs, code: str) -> str | None:
    """Why `code`, absent from the complete year edition `cs`, is not a code of it although a later loaded
    edition holds it. The complete edition's silence is evidence (R4 content `complete`): the code came after.
    Said as "introduced in" only when the later edition is the next year and complete; across a gap in the
    loaded years, or after a fragment, only which later edition holds it. None for other code systems."""
    if not is_year(cs.version):
        return None
    later = sorted((v for v, _start in dated_editions(catalog, cs.url)
                    if is_year(v) and version_key(v) > version_key(cs.version)), key=version_key)
    for v in later:
        other = catalog.codesystem(cs.url, v)
        concept = other.find(code)[0] if other is not None else None
        if concept is None:
            if other is not None and is_complete(other.content):
                continue
            return None       # a fragment between may leave out a code that came in its year
        name, shown = short_name(cs), concept.code
        if int(v) == int(cs.version) + 1 and is_complete(other.content) and not concept.inactive:
            before = _last_held_before(catalog, cs, code)
            if before is not None:
                # in use before the gap: it comes back, it is not new (review s16 C L2)
                return (f"{shown} is not in {name} {cs.version}: it is back in use in {short_name(other)} {v} "
                        f"(it was in {name} {before})")
            return f"{shown} is not in {name} {cs.version}: it is introduced in {short_name(other)} {v}"
        return (f"{shown} is not in {name} {cs.version}; the first later loaded edition that holds it is "
                f"{short_name(other)} {v}")
    return None
