"""SNOMED CT implicit value sets (FHIR R4 "Using SNOMED CT with FHIR").

    http://snomed.info/sct?fhir_vs                 all concepts
    http://snomed.info/sct?fhir_vs=isa/<id>        <id> and its descendants
    http://snomed.info/sct?fhir_vs=refset          concepts that are (loaded) reference sets
    http://snomed.info/sct?fhir_vs=refset/<id>     members of reference set <id>
    http://snomed.info/sct?fhir_vs=ecl/<ECL>       an ECL expression constraint (URL-encoded)

The base may name an edition and version, http://snomed.info/sct/<module>[/version/<date>];
the resolver then pins compose.include.version to it (the latest loaded
version of that module when no date is given).

The concept `isa/` and `refset/` name must suit the edition the include is applied to, which the request
decides (terminology/implicit.py, CodeFilter): `isa/<id>` must be a concept of it; `refset/<id>` must be a
reference set of it — a refset with members loaded, or a concept below 900000000000455006 |Reference set|
(which, with no members in this release, is an empty value set: the refset exists, its members are not
here). Only an edition that holds the refset hierarchy can say a concept is not a refset; an extract without
it answers an empty value set for a concept it cannot place.

The implicit ConceptMaps (http://snomed.info/sct[/<module>[/version/<date>]]?fhir_cm=<refset>) share the base:
`map_url` reads one and `map_edition` picks the edition it names, for both kinds of map (the association maps,
mappings.snomed_implicit_maps, and the map refsets, mappings.snomed_maps), so the two cannot disagree about one;
`map_url_of` writes one. `module_of` reads an edition URI by the same rule for the succession graph
(mappings.snomed_history), and `not_loaded` is the one answer to a version that names no loaded edition.
"""
from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import unquote

from ..errors import InvalidRequest, NotFound, shortened
from ..identifiers import SNOMED, split_canonical
from ..implicit import CodeFilter, code_filter, in_version, resolver
from ..versions import newest_named
from .constants import REFSET_ROOT


class RefsetFilter(CodeFilter):
    """`concept in <id>` of `refset/<id>`: refused on an edition where <id> is known not to be a reference set."""
    __slots__ = ()

    def problem(self, cs) -> str | None:
        is_refset = getattr(cs, "is_refset", None)
        if is_refset is None:
            return None
        bad = next((c for c in self.codes() if is_refset(c) is False), None)
        if bad is None:
            return None
        what = "not a concept of" if cs.get(bad) is None else "not a reference set (a concept below " \
            f"{REFSET_ROOT} |Reference set|) in"
        loaded = cs.loaded_refsets()
        listed = f"; reference sets with members loaded: {', '.join(loaded[:20])}{' …' if len(loaded) > 20 else ''}" \
            if loaded else ""
        return f"{self.named()}: {shortened(bad)} is {what} {in_version(cs)}{self.loaded_text()}{listed}"


# an edition base of the SNOMED CT URI spec: ASCII digits only ([0-9]: \d takes any script's digits), and \Z (`$`
# lets a final newline through)
_EDITION = r"http://snomed\.info/sct(?:/([0-9]{6,18})(?:/version/([0-9]{8}))?)?"
_VS = re.compile(_EDITION + r"\?fhir_vs(?:=(.*))?\Z", re.S)
# a URL meant as an implicit value set (a snomed.info/sct base with ?fhir_vs), whether or not it can be read
_VS_MEANT = re.compile(r"http://snomed\.info/sct(?:/[^?]*)?\?fhir_vs(?:=.*)?\Z", re.S)
VALUESET_URL_FORM = "http://snomed.info/sct[/<module>[/version/<YYYYMMDD>]]?fhir_vs[=isa/<id>|refset/<id>|ecl/<ECL>]"
# a URL meant as an implicit ConceptMap (a snomed.info/sct base with ?fhir_cm), and one that can be read
_CM_MEANT = re.compile(r"http://snomed\.info/sct(?:/[^?]*)?\?fhir_cm(?:=.*)?\Z", re.S)
_CM = re.compile(_EDITION + r"\?fhir_cm=([0-9]{6,18})\Z")
_VERSION_URI = re.compile(r"http://snomed\.info/sct/([0-9]{6,18})/version/([0-9]{8})\Z")
_EDITION_URI = re.compile(_EDITION + r"\Z")
MAP_URL_FORM = "http://snomed.info/sct[/<module>[/version/<YYYYMMDD>]]?fhir_cm=<reference set id>"


def parse(url: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(module, date, kind, argument) of an implicit SNOMED URL, or Nones when it is not one."""
    m = _VS.match(url or "")
    if not m:
        return None, None, None, None
    module, date, rest = m.group(1), m.group(2), m.group(3)
    if rest is None or rest == "":
        return module, date, "all", None
    kind, _, arg = rest.partition("/")
    return module, date, kind, unquote(arg) if arg else None


def is_valueset_url(url) -> bool:
    """Whether `url` is the server's to answer as a SNOMED CT implicit value set: one the resolver reads, or one meant
    as one (a snomed.info/sct base with ?fhir_vs) that it refuses. A stored ValueSet at such a url would answer in
    its place (a stored value set is found first), so none may be written there; the RF2 import's own reference
    set value sets (trusted, never checked) hold what the implicit url answers."""
    return isinstance(url, str) and _VS_MEANT.match(url) is not None


def edition_uri(module: str | None, date: str | None) -> str | None:
    """The edition URI a base names: <module>/version/<date>, <module> (its latest version), or None (none)."""
    if module is None:
        return None
    return f"{SNOMED}/{module}/version/{date}" if date else f"{SNOMED}/{module}"


def module_and_date(version: str | None) -> tuple[str, str] | None:
    """(module, date) of an edition version URI http://snomed.info/sct/<module>/version/<date>."""
    m = _VERSION_URI.match(version or "")
    return (m.group(1), m.group(2)) if m else None


def module_of(edition: str | None) -> str | None:
    """The module of a SNOMED CT edition URI (with or without its /version/), else None."""
    m = _EDITION_URI.match(edition or "")
    return m.group(1) if m else None


def _version(catalog, module: str | None, date: str | None) -> str | None:
    """The version an implicit value set's include pins: the base's edition, a module alone read as its latest loaded
    edition by the rule every version a request names is read by (versions.matches_version; map_edition's too)."""
    named = edition_uri(module, date)
    if module is None or date:
        return named
    return newest_named(named, catalog.codesystem_versions(SNOMED)) or named


@resolver
def snomed_valueset(catalog, url: str) -> dict | None:
    if "|" in (url or ""):
        # '|version' ends a canonical, but an ECL expression holds |term| pairs: an even count of bars
        # there is terms only
        ecl = url.partition("?fhir_vs=ecl/")[2]
        if not ecl:
            url = url.split("|", 1)[0]
        elif ecl.count("|") % 2:
            url = url.rsplit("|", 1)[0]
    module, date, kind, arg = parse(url)
    if kind is None:
        return None
    include: dict = {"system": SNOMED}
    version = _version(catalog, module, date)
    if version:
        include["version"] = version
    if kind == "isa" and arg:
        include["filter"] = [code_filter(catalog, url, SNOMED, "concept", "is-a", arg.strip())]
        title = f"SNOMED CT concept {arg} and its descendants"
    elif kind == "refset" and arg:
        include["filter"] = [code_filter(catalog, url, SNOMED, "concept", "in", arg.strip(), RefsetFilter)]
        title = f"Members of SNOMED CT reference set {arg}"
    elif kind == "refset":
        include["filter"] = [{"property": "constraint", "op": "=", "value": "< 900000000000455006"}]
        title = "SNOMED CT reference sets"
    elif kind == "ecl" and arg:
        include["filter"] = [{"property": "constraint", "op": "=", "value": arg}]
        title = f"SNOMED CT concepts matching {arg}"
    elif kind == "all":
        title = "All SNOMED CT concepts"
    else:
        raise InvalidRequest(f"'{url}' is not a SNOMED CT implicit value set: use ?fhir_vs, ?fhir_vs=isa/<id>, "
                             "?fhir_vs=refset/<id> or ?fhir_vs=ecl/<expression>")
    return {"resourceType": "ValueSet", "url": url, "name": "SNOMEDCT_implicit", "title": title,
            "status": "active", "compose": {"include": [include]}}


class MapUrl(NamedTuple):
    """An implicit ConceptMap URL, read: its base's module and date, the refset, and the `|version` it carried."""
    module: str | None
    date: str | None
    refset: str
    url: str                # without the |version
    pinned: str | None


def map_url(url: str | None) -> MapUrl | None:
    """The implicit SNOMED CT ConceptMap `url` (`url|version` too) names; None when it is not one (another map's);
    InvalidRequest when it is meant as one (a snomed.info/sct base with ?fhir_cm) and cannot be read."""
    if not url or not url.startswith("http://snomed.info/sct"):
        return None
    plain, pinned = split_canonical(url)
    m = _CM.match(plain)
    if m is None:
        if not _CM_MEANT.match(plain):
            return None
        raise InvalidRequest(f"'{shortened(plain)}' is not a SNOMED CT implicit ConceptMap URL: use {MAP_URL_FORM}",
                             location="url")
    return MapUrl(m.group(1), m.group(2), m.group(3), plain, pinned)


def map_url_of(refset: str, edition: str | None = None, catalog=None) -> str:
    """The implicit ConceptMap URL of `refset`: on the base of `edition` (an edition URI), else the bare base,
    which names the default edition (so also when `edition` is the `catalog`'s default one)."""
    if edition and catalog is not None and edition == catalog.default_version("CodeSystem", SNOMED):
        edition = None
    return f"{edition or SNOMED}?fhir_cm={refset}"


def _loaded(catalog) -> str:
    return ", ".join(catalog.codesystem_versions(SNOMED))


def not_loaded(catalog, named: str) -> NotFound:
    """The 404 for a SNOMED CT edition (`named`: 'version <uri>', or the edition) that is not loaded: every path
    that reads a SNOMED CT version answers it so, naming the loaded editions."""
    # a date or a number alone names no edition: every module has its own on that day (the loaded list may show
    # that very date in a URI, which would read as a contradiction without this)
    how = "" if "snomed.info/sct/" in named else \
        "; a SNOMED CT edition is named by its URI, http://snomed.info/sct/<module>/version/<YYYYMMDD>"
    return NotFound(f"SNOMED CT {named} is not loaded; loaded: {_loaded(catalog)}{how}", tx_code="not-found")


def map_edition(catalog, module: str | None = None, date: str | None = None, *, pinned: str | None = None,
                conceptmap_version: str | None = None, code_version: str | None = None):
    """The SnomedIndex whose reference sets an implicit ConceptMap reads: its url base's edition (<module> alone:
    that module's latest version), else the map's `|version` (`pinned`), else `conceptmap_version`, else
    `code_version` (only where no url names the map: the SNOMED CT version of the code, which picks the map
    refsets' edition), else the default edition. Every version given must name a loaded edition, and the same one
    as the base. NotFound says which editions are loaded."""
    asked = tuple(a for a in (pinned, conceptmap_version, code_version) if a)
    base = edition_uri(module, date)
    cs = catalog.codesystem(SNOMED, base or (asked[0] if asked else None))
    if cs is None:
        if not catalog.codesystem_versions(SNOMED):
            raise NotFound("no SNOMED CT edition is loaded, so SNOMED CT implicit ConceptMaps (?fhir_cm=) are not "
                           "available", tx_code="not-found")
        raise not_loaded(catalog, shortened(base or (asked[0] if asked else "(the default edition)")))
    for a in asked[0 if base else 1:]:
        other = cs if a == cs.version else catalog.codesystem(SNOMED, a)
        if other is None:
            raise not_loaded(catalog, f"version {shortened(a)}")
        if other.version != cs.version:
            raise NotFound(f"the implicit ConceptMap reads SNOMED CT {cs.version}"
                           f"{f' (named by its url, {base})' if base else ''}, but version {shortened(a)} names "
                           f"{other.version}: ask for one edition", tx_code="not-found")
    if not hasattr(cs, "assoc"):
        # a SNOMED CT CodeSystem resource (a fragment), not an RF2 import: it has no reference sets
        raise NotFound(f"SNOMED CT {getattr(cs, 'version', None) or '(no version)'} was not imported from RF2, so it holds no "
                       f"reference sets to serve as implicit ConceptMaps (?fhir_cm=); loaded: {_loaded(catalog)}",
                       tx_code="not-found")
    return cs
