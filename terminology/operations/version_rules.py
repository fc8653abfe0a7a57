"""The version parameters of a request (system-version, force-/check-system-version and their value set
counterparts) and the wording of messages about versions that are refused or not loaded.

Kept apart from composition because $expand, $validate-code and $lookup all read and word them alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..editions import day_of, is_year
from ..errors import InvalidRequest, NotFound, NotHeld
from ..identifiers import canonical, split_canonical
from ..versions import is_pattern, matches_version, newest_named, present_versions  # noqa: F401 (re-exported)


@dataclass
class SystemVersionRules:
    """system-version / force-system-version / check-system-version, by system URL; and the same for value
    sets (default-/force-/check-valueset-version, by value set URL: the value set of the request and the
    value sets its compose imports)."""
    default: dict = field(default_factory=dict)
    force: dict = field(default_factory=dict)
    check: dict = field(default_factory=dict)
    vs_default: dict = field(default_factory=dict)
    vs_force: dict = field(default_factory=dict)
    vs_check: dict = field(default_factory=dict)
    # (parameter, system) of the code system rules that chose a version in this request (`chose`): the ones
    # $expand echoes. Made by the first `chose`, so requests naming none pay nothing (not even an empty set).
    chosen: set | None = field(default=None, compare=False, repr=False)
    # the request's `date`: a value set whose versions are edition years is read in the one in force then
    # (valueset_for_date)
    date: str | None = None

    @classmethod
    def parse(cls, default=(), force=(), check=(), vs_default=(), vs_force=(), vs_check=(),
              date: str | None = None) -> "SystemVersionRules":
        if date is None and not (default or force or check or vs_default or vs_force or vs_check):
            return cls()    # (most requests name none: a third of the parse's cost, paid once or twice a request)

        def table(values, name, what="system", one=True):
            out = {}
            for v in values or ():
                if isinstance(v, str) and not v.strip():
                    continue        # an empty value is not given, as for the other parameters
                url, ver = split_canonical(v) if isinstance(v, str) else (None, None)
                if ver is None:
                    raise InvalidRequest(f"parameter '{name}' must be '{what}|version', not '{v}'", location=name)
                if not url or not url.strip():
                    raise InvalidRequest(f"parameter '{name}' must be '{what}|version', not '{v}': it names no "
                                         f"{what}", location=name)
                if "|" in ver:
                    raise InvalidRequest(f"parameter '{name}' must be '{what}|version', not '{v}': it holds more "
                                         "than one '|'", location=name)
                if one and out.get(url, ver) != ver:
                    # which of two forced (or default) versions wins is not the server's to guess
                    raise VersionCheckFailed(f"The parameter '{name}' names two versions of '{url}' ('{out[url]}' "
                                             f"and '{ver}'): which one to use is not known", tx_code="version-error")
                out[url] = ver
            return out
        date = date if isinstance(date, str) and date.strip() else None
        return cls(table(default, "system-version"), table(force, "force-system-version"),
                   table(check, "check-system-version", one=False),
                   table(vs_default, "default-valueset-version", "url"),
                   table(vs_force, "force-valueset-version", "url"),
                   table(vs_check, "check-valueset-version", "url", one=False),
                   date=date)

    @property
    def valueset_rule_in_force(self) -> bool:
        """Whether a value set version rule is in force: default-, force- or check-valueset-version, or a `date`
        alone, which defaults a version-less reference to a value set whose versions are edition years
        (valueset_for_date). Every place that asks whether a request may read value sets in other versions than
        a request without rules asks this: the import resolution of a compose (ComposeEvaluator.valueset), the
        fact tables that must not keep a fact across requests that choose value set versions differently
        (revision_cache.FactTable), and a membership plan (membership_plan.plain_request)."""
        return self.date is not None or bool(self.vs_force or self.vs_default or self.vs_check)

    def valueset_version(self, url: str, version: str | None) -> str | None:
        """The version of value set `url` to use, given the version a reference names (None: any).

        check-valueset-version chooses nothing here: the value set is found as without it, and
        `check_valueset` then refuses a version it does not allow (a version-error, not "not found")."""
        if url in self.vs_force:
            return self.vs_force[url]
        if version is None and url in self.vs_default:
            return self.vs_default[url]
        return version

    def pick_valueset_version(self, catalog, url: str, version: str | None) -> str | None:
        """The version of value set `url` a reference naming `version` (None: any) is read in: forced or
        defaulted, else, when the reference leaves it open, the version a check names if one held fits it (the
        newest a wildcard check names, as check-system-version does for a versionless include: the value set's
        author left the choice open); else, with a `date`, the edition year in force then (valueset_for_date);
        else the default (the latest; for edition years the one in force today), which `check_valueset` may then
        refuse."""
        version = self.valueset_version(url, version)
        if version is None:
            check = self.vs_check.get(url)
            if check is not None and find_valueset(catalog, url, check) is not None:
                version = check
            elif self.date is not None:
                version = valueset_for_date(catalog, url, self.date)
        return version

    def chose(self, name: str, system: str) -> None:
        """Record that rule `name` (system-version, check-system-version, force-system-version) gave `system`
        its version: the engine calls this where the rule decides (ComposeEvaluator.resolve_version)."""
        if self.chosen is None:
            self.chosen = set()
        self.chosen.add((name, system))

    def applied(self, used_codesystems) -> set[tuple[str, str]]:
        """(parameter, system) of the code system version rules that an expansion using `used_codesystems`
        (canonicals, system|version) applied, which are the ones it echoes as the reference servers do
        (FHIRsmith's determineVersionBase notes a rule only where it decides): force-system-version for a
        system it used; system-version and check-system-version only where they chose the version (`chosen`: a
        reference naming no version, nothing forced, and for a check no default either). A check that merely
        verified a version the value set names, or a default for an include naming its own, chose nothing.
        A rule for a system not used applied to nothing."""
        used = {split_canonical(canon)[0] for canon in used_codesystems}
        out = {("force-system-version", url) for url in self.force if url in used}
        out.update((name, url) for name, url in self.chosen or () if url in used and name != "force-system-version")
        return out

    def check_instance(self, vs: dict) -> None:
        """The rules for a value set named exactly (ValueSet/{id}): default-valueset-version chooses nothing (it
        only fills a reference without a version), a force-valueset-version of its URL must name its version
        (another version is a contradiction, not a choice), and check-valueset-version applies as to any."""
        _hold_to(self.vs_force, vs, "The value set '{url}' asked for is version '{version}', but the parameter "
                                    "'force-valueset-version' names version '{given}'")
        self.check_valueset(vs)

    def check_valueset(self, vs: dict) -> None:
        """check-valueset-version: the value set in use must have the version it names."""
        _hold_to(self.vs_check, vs, "The version '{version}' is not allowed for value set '{url}': required to be "
                                    "'{given}' by a version-check parameter")


def valueset_for_date(catalog, url: str, on: str) -> str | None:
    """The version of value set `url` in force on date `on`, when its versions are edition years (the rule
    value sets of ICD-10-NO, one per edition, each pinned to it): the newest whose year has started by then (an
    edition holds from 1 January). None (the version a read naming none gets, as without a date: the one in
    force today, Catalog.find_header) when that one is in force then too, when none had started (the date rule
    then refuses the default with its own message), or when any version is no year (semver, HL7 test content: a
    date does not tell their versions apart)."""
    held = catalog.versions("ValueSet", url)
    if len(held) < 2 or not all(is_year(v) for v in held):
        return None
    year = day_of(on)[:4]
    started = [v for v in held if v <= year]
    # the version this catalog reads when none is named: in force today for stored ones, the latest of a request's
    # own value sets (they win over stored ones of the url)
    default = catalog.default_version("ValueSet", url)
    if not started or started[-1] == default:
        return None
    return started[-1]


def _hold_to(table: dict, vs: dict, refusal: str) -> None:
    """Refuse value set `vs` (a version-error worded by `refusal`, with its url, version and the version given)
    when the version rule `table` (by value set URL) gives it a version that does not name its own. A value set
    without a version is held to none."""
    url, version = vs.get("url"), vs.get("version")
    given = table.get(url) if url else None
    if given is not None and version is not None and not names_version(given, version):
        raise VersionCheckFailed(refusal.format(url=url, version=version, given=given), tx_code="version-error")


def names_version(asked: str | None, version: str | None) -> bool:
    """Whether the version `asked` names `version`: equal, or a pattern matching it (1.x, 1.0.*, 1?), by the one
    rule of code system and value set versions (terminology.versions.matches_version): 1 and 1.0 do not name
    1.0.0."""
    return asked is not None and version is not None and matches_version(asked, version)


def requested_valueset(url: str, version: str | None, held: str | None = None) -> tuple[str, str | None]:
    """(url, version) of the value set a request names by `url` (which may carry '|version') and
    `valueSetVersion` (`version`; empty is not given). `held`: the version of the instance the request was
    made on, if any. Two versions agree when one names the other (`url|1.x` and `valueSetVersion=1.0.0`: the
    more precise one is used); an instance is exact, so a version given must name it. Versions that do not agree
    are refused: which one the client meant is not the server's to guess."""
    url, in_url = split_canonical(url)
    named = [(name, v) for name, v in (("url", in_url), ("valueSetVersion", version or None)) if v is not None]
    chosen = None
    if len(named) == 2:
        (_n1, a), (_n2, b) = named
        chosen = b if names_version(a, b) else a if names_version(b, a) else None
    elif named:
        chosen = named[0][1]
    if held is not None:
        chosen = held if all(names_version(v, held) for _n, v in named) else None
        named.append(("the value set instance", held))
    if len(named) > 1 and chosen is None:
        said = " and ".join(f"{name} ('{v}')" for name, v in named)
        raise InvalidRequest(f"The value set version is given twice and differently, by {said}: which one to use is "
                             f"not known", location="valueSetVersion", tx_code="version-error")
    return url, chosen


def find_valueset(catalog, url: str, version: str | None) -> dict | None:
    """Value set `url` in `version`, as a reference names it: the latest or that version exactly (the catalog's
    rule, catalog.pick_version), else the newest a pattern (1.x, 1.0.*, 1?) names, a release before any
    pre-release. A version is not a prefix: 1 and 1.0 do not name 1.0.0 (terminology.versions.matches_version,
    as for code systems). None: no version held fits."""
    if not is_pattern(version):
        return catalog.valueset(url, version)
    held = catalog.versions("ValueSet", url)
    if version not in held:
        # the catalog would take the newest a wildcard matches, a pre-release too; a pattern names releases first
        named = newest_named(version, held)
        if named is None:
            return None
        version = named
    return catalog.valueset(url, version)


def missing_valueset(catalog, url: str, version: str | None, imported: bool = False,
                     asked: tuple[str, str | None] | None = None) -> NotFound:
    """The error for value set `url` (in `version`) that is not held. The versions held go in the issue's
    diagnostics, so the text stays the one clients match on.

    `asked` (the url and valueSetVersion as the request sent them) words it as $expand does.
    An import (`imported`) is worded as the reference servers' $expand words it (FHIRsmith expand.js
    checkCanExpandValueset), whether or not other versions of it are held, and names no place in the compose
    (theirs names none either); $validate-code words it otherwise (`MissingImport`)."""
    if imported:
        return MissingImport(catalog, url, version)
    if asked is not None:
        # $expand of a url (asked: the url and valueSetVersion as sent): the reference server's $expand words it
        # so (FHIRsmith expand.js), where its $validate-code says "A definition for the value Set …"
        given_url, given_version = asked
        text = f"ValueSet not found: {given_url}" + (f" version {given_version}" if given_version else "")
        return NotHeld(text, tx_code="not-found", diagnostics=_held_versions(catalog, url, version))
    text = f"A definition for the value Set '{url}|{version}' could not be found" if version else \
        f"A definition for the value Set '{url}' could not be found"
    return NotHeld(text, tx_code="not-found", diagnostics=_held_versions(catalog, url, version))


class MissingImport(NotFound):
    """A value set that a compose imports is not held (in the version named). `validate_text` is the wording
    of $validate-code's answer (FHIRsmith validate.js prepareConceptSet: Unable_to_resolve_value_Set_ with the
    canonical as written); the message is $expand's (VS_EXP_IMPORT_UNK_PINNED, or VS_EXP_IMPORT_UNK), both
    tx-issue-type not-found as FHIRsmith's current expand.js writes them (an older copy wrote 'unknown', a code
    tx-issue-type does not define)."""

    def __init__(self, catalog, url: str, version: str | None):
        text = f"Unable to find included value set '{url}'" + (f" version '{version}'" if version is not None else "")
        super().__init__(text, tx_code="not-found", diagnostics=_held_versions(catalog, url, version))
        self.validate_text = f"A definition for the value Set '{canonical(url, version)}' could not be found"


def _held_versions(catalog, url: str, version: str | None) -> str | None:
    """The diagnostics for value set `url` not held in `version`: the versions that are."""
    if version is None or catalog.valueset(url) is None:
        return None
    known = catalog.versions("ValueSet", url)
    return f"Valid versions: {present_versions(known)}" if known else "The value set is held without a version"


class VersionCheckFailed(InvalidRequest):
    """The version in use is not the one a check-*-version parameter requires, or the version parameters
    contradict each other (two forced versions of one system): an `exception` with tx-issue-type version-error."""
    issue_code = "exception"


def version_check_text(system: str, version: str, required: str) -> str:
    return (f"The version '{version}' is not allowed for system '{system}': required to be '{required}' "
            f"by a version-check parameter")


def unknown_version_tail(known) -> str:
    """What follows "... could not be found, so ..." for a version that is not loaded: the versions that are."""
    return f"Valid versions: {present_versions(known)}" if known else "No versions of this code system are known"


def unknown_system(catalog, system: str, version: str | None,
                   purpose: str = "the value set cannot be expanded") -> NotFound:
    known = catalog.codesystem_versions(system)
    if version is not None:
        return NotHeld(f"A definition for CodeSystem '{system}' version '{version}' could not be found, "
                        f"so {purpose}. {unknown_version_tail(known)}", tx_code="not-found")
    return NotHeld(f"A definition for CodeSystem '{system}' could not be found, so {purpose}", tx_code="not-found")
