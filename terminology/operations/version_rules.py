"""The version parameters of a request (system-version, force-/check-system-version and their value set
counterparts) and the wording of messages about versions that are refused or not loaded.

Kept apart from composition because $expand, $validate-code and $lookup all read and word them alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InvalidRequest, NotFound
from ..identifiers import split_canonical
from ..versions import matches_version


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

    @classmethod
    def parse(cls, default=(), force=(), check=(), vs_default=(), vs_force=(), vs_check=()) -> "SystemVersionRules":
        def table(values, name, what="system", one=True):
            out = {}
            for v in values or ():
                url, ver = split_canonical(v) if isinstance(v, str) else (None, None)
                if ver is None:
                    raise InvalidRequest(f"parameter '{name}' must be '{what}|version', not '{v}'", location=name)
                if one and out.get(url, ver) != ver:
                    # which of two forced (or default) versions wins is not the server's to guess
                    raise VersionCheckFailed(f"The parameter '{name}' names two versions of '{url}' ('{out[url]}' "
                                             f"and '{ver}'): which one to use is not known", tx_code="version-error")
                out[url] = ver
            return out
        return cls(table(default, "system-version"), table(force, "force-system-version"),
                   table(check, "check-system-version", one=False),
                   table(vs_default, "default-valueset-version", "url"),
                   table(vs_force, "force-valueset-version", "url"),
                   table(vs_check, "check-valueset-version", "url", one=False))

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
        defaulted, else, when the reference leaves it open, the one version a check names if it is held (the
        value set's author left the choice open); else the latest, which `check_valueset` may then refuse."""
        version = self.valueset_version(url, version)
        if version is None:
            checked = self.checked_version(url)
            if checked is not None and catalog.valueset(url, checked) is not None:
                version = checked
        return version

    def checked_version(self, url: str) -> str | None:
        """The one version check-valueset-version names for `url` (None: no check, or a wildcard)."""
        check = self.vs_check.get(url)
        return check if check is not None and not any(s in ("x", "*", "X") for s in check.split(".")) else None

    def check_valueset(self, vs: dict) -> None:
        """check-valueset-version: the value set in use must have the version it names."""
        url, version = vs.get("url"), vs.get("version")
        required = self.vs_check.get(url) if url else None
        if required is not None and version is not None and not matches_version(required, version):
            raise VersionCheckFailed(f"The version '{version}' is not allowed for value set '{url}': required to be "
                                     f"'{required}' by a version-check parameter", tx_code="version-error")


class VersionCheckFailed(InvalidRequest):
    """The version in use is not the one a check-*-version parameter requires, or the version parameters
    contradict each other (two forced versions of one system): an `exception` with tx-issue-type version-error."""
    issue_code = "exception"


def version_check_text(system: str, version: str, required: str) -> str:
    return (f"The version '{version}' is not allowed for system '{system}': required to be '{required}' "
            f"by a version-check parameter")


def present_versions(versions) -> str:
    """A list of versions as the reference servers write it in messages: "1", "1 or 2", "1, 2 and 3"."""
    versions = [str(v) for v in versions]
    if len(versions) < 2:
        return "".join(versions)
    return f"{', '.join(versions[:-1])} {'or' if len(versions) == 2 else 'and'} {versions[-1]}"


def unknown_version_tail(known) -> str:
    """What follows "... could not be found, so ..." for a version that is not loaded: the versions that are."""
    return f"Valid versions: {present_versions(known)}" if known else "No versions of this code system are known"


def unknown_system(catalog, system: str, version: str | None,
                   purpose: str = "the value set cannot be expanded") -> NotFound:
    known = catalog.codesystem_versions(system)
    if version is not None:
        return NotFound(f"A definition for CodeSystem '{system}' version '{version}' could not be found, "
                        f"so {purpose}. {unknown_version_tail(known)}", tx_code="not-found")
    return NotFound(f"A definition for CodeSystem '{system}' could not be found, so {purpose}", tx_code="not-found")
