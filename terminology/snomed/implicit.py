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
"""
from __future__ import annotations

import re
from urllib.parse import unquote

from ..errors import InvalidRequest, shortened
from ..identifiers import SNOMED
from ..implicit import CodeFilter, code_filter, in_version, resolver
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


_BASE = re.compile(r"^http://snomed\.info/sct(?:/(\d+)(?:/version/(\d{8}))?)?\?fhir_vs(?:=(.*))?$", re.S)


def parse(url: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(module, date, kind, argument) of an implicit SNOMED URL, or Nones when it is not one."""
    m = _BASE.match(url or "")
    if not m:
        return None, None, None, None
    module, date, rest = m.group(1), m.group(2), m.group(3)
    if rest is None or rest == "":
        return module, date, "all", None
    kind, _, arg = rest.partition("/")
    return module, date, kind, unquote(arg) if arg else None


def _version(catalog, module: str | None, date: str | None) -> str | None:
    if module is None:
        return None
    if date:
        return f"{SNOMED}/{module}/version/{date}"
    prefix = f"{SNOMED}/{module}/version/"
    loaded = [v for v in catalog.codesystem_versions(SNOMED) if v.startswith(prefix)]
    return loaded[-1] if loaded else f"{SNOMED}/{module}"


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

