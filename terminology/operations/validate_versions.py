"""Which version of a code system $validate-code checks a coding against: the value set's includes, the
version rules of the request and the version the coding names (`CodeSystemVersionChoice`, part of Validator).
"""
from __future__ import annotations

from ..errors import TerminologyError
from ..identifiers import canonical
from ..versions import matches_version, version_key
from .validate_outcome import Issue, Locations, Outcome
from .validate_texts import has_text, mismatch_text, resulting_text, unknown_version_text, version_loc
from .version_rules import version_check_text


class CodeSystemVersionChoice:
    """The version choosing part of Validator. A mixin: it reads the Validator's `req`, `catalog`, `ev`, `vs_name`,
    its per-request memos `_includes`, `_used`, `_missing`, `_chosen_by_vs`, and calls `_codesystem` and
    `_unknown_system`."""

    def _includes_of(self, system: str) -> list:
        """The includes of `system` in the value set and in the value sets it imports whole (at any depth):
        those whose version decides which version of `system` a code is taken in, as $expand does."""
        return self._system_includes(system).includes

    def _system_includes(self, system: str):
        """The (include, path) pairs of `system`, asked of the evaluator once per request, with what is kept
        with them: the includes alone, the one version they name, whether any lists concepts
        (valueset_facts._SystemIncludes)."""
        got = self._includes.get(system)
        if got is None:
            got = self._includes[system] = self.ev.system_includes(self.req.valueset, system)
        return got

    def _versions_used(self, system: str) -> list:
        """The versions of `system` the value set's includes take, after the version rules (None: the latest)."""
        got = self._used.get(system)
        if got is None:
            got = self._used[system] = self.ev.versions_used(self.req.valueset, system,
                                                             self._system_includes(system).includes)
        return got

    def _missing_versions(self, system: str) -> list:
        """The versions of `system` the value set's includes need and the server does not have. With one
        version in use there is nothing to add: a missing one is the version validated in, reported as such."""
        got = self._missing.get(system)
        if got is None:
            got = self._missing[system] = [] if self._one_version(system) else \
                self.ev.missing_versions(self.req.valueset, system, self._includes_of(system))
        return got

    def _one_version(self, system: str) -> bool:
        """Whether the value set takes `system` in one version at most. Fewer than two includes of it take fewer
        than two versions: known without working out which (`versions_used`, a kept-fact lookup on the hot path
        of $validate-code, where a value set usually has one include of a system). Nothing is lost by not asking:
        the version rules and the date are applied to that one version anyway (`_choose_version`, `_codesystem`)."""
        return len(self._system_includes(system).includes) < 2 or len(self._versions_used(system)) < 2

    def _choose_version(self, o: Outcome, locs: "Locations", vs: dict, system: str, coding_version):
        """The version of `system` to validate against: the value set's (after the version rules) unless the
        coding names a version that fits it. A coding version that differs is an issue on `version`;
        False when the answer is complete already (a version that is not loaded, nothing to check against)."""
        rules = self.req.rules
        includes = self._system_includes(system)
        vs_version = includes.pinned()
        if coding_version is not None and vs_version is None:
            # includes that name different versions: the one this coding belongs to
            vs_version = self._include_version(system, o.code, coding_version)
        # the value set's version (an empty one is none) after the version rules; the date is left to `_codesystem`
        wanted = self.ev.resolve_version(system, vs_version or None, dated=False)
        if coding_version is None:
            if system in rules.force or len(includes.includes) < 2:
                # (fewer than two includes take one version at most: _version_for_code would say None)
                return wanted
            # a value set taking several versions of the system: the version whose include selects the code
            chosen = self._version_for_code(system, o.code, o.coding.get("display"))
            return chosen if chosen is not None else wanted
        loaded = self.catalog.codesystem_versions(system)
        if wanted is not None and matches_version(wanted, coding_version):
            wanted = coding_version
        if wanted is None and any(matches_version(coding_version, v) for v in loaded):
            wanted = coding_version
        cs = self._codesystem(system, wanted)
        if cs is None:
            if wanted is None or wanted == coding_version:
                return coding_version          # nothing loaded fits: reported as an unknown system/version
            o.issues.append(Issue("error", "invalid", "vs-invalid", mismatch_text(system, wanted, coding_version),
                                  version_loc(locs)))
            return wanted
        if matches_version(coding_version, cs.version):
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
            o.issues.append(Issue("warning", "invalid", "vs-invalid",
                                  resulting_text(system, cs.version, "", coding_version), version_loc(locs)))
        elif vs_version is None:
            # the version comes from a rule (system-version, check-system-version), not from the value set
            o.issues.append(Issue("error", "invalid", "vs-invalid",
                                  resulting_text(system, wanted, "", coding_version), version_loc(locs)))
        elif wanted != vs_version:
            o.issues.append(Issue("error", "invalid", "vs-invalid",
                                  resulting_text(system, wanted, vs_version, coding_version), version_loc(locs)))
        else:
            o.issues.append(Issue("error", "invalid", "vs-invalid", mismatch_text(system, vs_version, coding_version),
                                  version_loc(locs)))
        if not known:
            o.issues.append(Issue("error", "not-found", "not-found",
                                  unknown_version_text(system, coding_version, loaded), locs.system))
            o.unknown_system = canonical(system, coding_version)
            o.caused_by_unknown = True
        return wanted

    def _include_version(self, system: str, code, coding_version: str) -> str | None:
        """Includes of `system` that name different versions (e.g. code1 from 1.0.0, code3 from 1.2.0): the
        version, as the include names it (None: no version), of the include a coding of `coding_version` is
        judged against. As the reference servers try them (FHIRsmith validate.js check(): useThisVersion, includes
        sorted newest version first): an include naming exactly the coding's version is the only one used;
        else, newest first, an include of the coding's version that selects the code; else one that selects the
        code in its own version (the coding is then reported against it, as against a value set with that one
        version); else one of the coding's version; else the newest. Each include is read in its own version
        after the version rules, as $expand reads it. One version named, or none: that one."""
        includes = self._system_includes(system)
        named = list(dict.fromkeys(inc.get("version") for inc, _path in includes))
        if len(named) < 2:
            return named[0] if named else None
        if coding_version in named:
            return coding_version
        loaded = self.catalog.codesystem_versions(system)
        fitting, selecting = [], []
        for inc, path in _newest_first(includes):
            resolved = self.ev.resolve_version(system, inc.get("version"))
            if resolved is None:    # the latest, or any loaded version a coding names
                fits = any(matches_version(coding_version, v) for v in loaded)
            else:
                fits = matches_version(resolved, coding_version)
            cs = self._codesystem(system, coding_version if fits and resolved is None else inc.get("version"))
            concept = cs.find(code)[0] if cs is not None and code is not None else None
            try:
                selects = concept is not None and self.ev.selects(inc, path, system, concept.code, concept, cs,
                                                                  strict=True)
            except TerminologyError:
                selects = False     # membership reports an include that cannot be read
            if fits and selects:
                return inc.get("version")
            if selects:
                selecting.append(inc)
            if fits:
                fitting.append(inc)
        for found in (selecting, fitting):
            if found:
                return found[0].get("version")
        return max(named, key=version_key)

    def _version_for_code(self, system: str, code, display) -> str | None:
        """A value set that takes several versions of one system: the version whose include selects the code,
        the one $expand lists it with; membership is then decided in that version only. Of several, the newest
        (with the display given, when one has it), as the reference servers pick (FHIRsmith validate.js
        pickApplicableVersion). When no include selects it (not a member in any version), the newest version
        holding it, for the messages. None: the usual choice."""
        if code is None or self._one_version(system):
            return None
        used = self._versions_used(system)
        selecting = sorted(self.ev.versions_selecting(self.req.valueset, system, code), key=version_key, reverse=True)
        if selecting:
            self._chosen_by_vs = True
            for v in selecting if display else ():
                cs = self._codesystem(system, v)
                concept = cs.find(code)[0] if cs is not None else None
                if concept is not None and has_text(concept, cs, display):
                    return v
            return selecting[0]
        for v in sorted((v for v in used if v is not None), key=version_key, reverse=True):
            cs = self._codesystem(system, v)
            if cs is not None and cs.find(code)[0] is not None:
                return v
        return None

    def _version_check(self, o: Outcome, cs) -> None:
        """check-system-version: the version in use must match the pattern, else the answer is false."""
        pattern = self.req.rules.check.get(cs.url)
        if pattern is not None and cs.version is not None and not matches_version(pattern, cs.version):
            o.ok = False
            o.issues.append(Issue("error", "exception", "version-error",
                                  version_check_text(cs.url, cs.version, pattern)))


def _newest_first(includes: list) -> list:
    """(include, path) pairs by the version each names, newest first (an include naming none last); the order
    the reference servers try the includes of one system in."""
    return sorted(includes, key=lambda pair: version_key(pair[0].get("version")), reverse=True)
