"""The HL7 terminology shipped inside the package: the code systems, value sets and concept maps of FHIR R4 core
(4.0.1) and of HL7 Terminology (THO, 7.0.1), with the ISO 3166-1 and ISO 4217 code systems they bind to
(terminology/iso_codes.py), loaded into an empty store at first start (setting HL7).

FHIR resources bind their coded elements to these (Patient.gender to administrative-gender, every status to its
code system, the v2 and v3 tables to THO), and value sets written elsewhere include them by URL, so a terminology
server that lacks them answers "unknown code system" where every reference server answers. They are reference
data, as the NamingSystems of the Norwegian codebooks are, kept by `kodebro remove --demo`; each carries the meta.tag
HL7_TAG, so people (`kodebro list`, the search page) and clients (`_tag=`) can tell them from the codebooks.

THO is where terminology.hl7.org content is maintained; the R4 core package carries 2019 copies of 1,349 of its
code systems and value sets under the same URLs with other version labels ("4.0.1", "2.9", "2018-08-12" beside THO's
"2.0.0", "3.0.0"). Loaded side by side, a request naming no version would be answered from whichever label sorts
last, often the old copy; so a core resource whose canonical URL THO defines is left out, and THO answers for it.
Their three CodeSystems with content `not-present` (SNOMED CT among them) are placeholders, and the core package
carries the specification's examples (CodeSystem/example, ConceptMap/101 …): neither is loaded.
Both packages hold a few resources that are not valid R4 (a NamingSystem without uniqueId.type, a url holding '|'):
they are skipped and counted, as `kodebro import --skip-invalid` does.

The packages are fixed files, so their resources are checked against the R4 models once, by the tests
(tests/hl7/test_hl7_valid.py holds INVALID to exactly what validation finds), and loaded as trusted: checking
~5,000 resources with the models was three of the four seconds of every load (first start 4.7–5.1 s, now ~2.5 s).

No package ships ISO 3166-1 (`urn:iso:std:iso:3166`, countries) or ISO 4217 (`urn:iso:std:iso:4217`,
currencies), yet core's jurisdiction and currencies value sets and THO's v3-Country ones include them, and the
reference servers hold them built in; they come with the packages, built from pycountry's data and tagged alike.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from itertools import chain
from typing import Iterator

from ..identifiers import DEMO_TAG, HL7_TAG, with_tag
from ..importers import Item
from ..loader import ImportReport, StoreNotEmpty, load, read_items

HL7_DIR = os.path.dirname(os.path.abspath(__file__))
THO = os.path.join(HL7_DIR, "hl7.terminology.r4-7.0.1.tgz")
CORE = os.path.join(HL7_DIR, "hl7.fhir.r4.core-4.0.1.tgz")
LABEL = "the HL7 terminology (FHIR R4 core 4.0.1, HL7 Terminology THO 7.0.1) with ISO 3166 and ISO 4217"


# the packages' resources that are not valid R4, by package and file, with what validation says of them
INVALID = {
    ("hl7.terminology.r4-7.0.1.tgz", "NamingSystem-MeSH.json"): "uniqueId[3].type: is required but missing",
    ("hl7.terminology.r4-7.0.1.tgz", "NamingSystem-v3-loinc.json"): "uniqueId[2].type: is required but missing",
    **{("hl7.fhir.r4.core-4.0.1.tgz", f"CodeSystem-v2-{name}.json"): "url: holds a version after '|'"
       for name in ("2.1-0006", "2.3.1-0360", "2.4-0006", "2.4-0391", "2.6-0391", "2.7-0360")},
}


def package_file(item: Item) -> tuple[str, str]:
    """(package, file) of an item read from a package: ('hl7.terminology.r4-7.0.1.tgz', 'NamingSystem-MeSH.json')."""
    path, _, member = item.source.partition(":package/")
    return os.path.basename(path), member


def selected_items() -> Iterator[Item]:
    """THO's resources, then those of the core package whose canonical URL THO does not define, then the ISO 3166
    and ISO 4217 CodeSystems, as read: no placeholder, no example."""
    tho = list(read_items([THO]))
    defined = {_canonical(item) for item in tho} - {None}
    for item in chain(tho, (item for item in read_items([CORE]) if _canonical(item) not in defined), _iso_items()):
        if not (_placeholder(item) or _spec_example(item)):
            yield item


def hl7_items() -> Iterator[Item]:
    """selected_items each tagged HL7_TAG and trusted, those in INVALID as rejections."""
    for item in selected_items():
        why = INVALID.get(package_file(item))
        if why:
            yield Item(item.source, error=f"not valid R4: {why}")
            continue
        if isinstance(item.resource, dict):
            item.resource["meta"] = with_tag(item.resource, HL7_TAG)["meta"]
            item.trusted = True
        yield item


def load_hl7(store) -> ImportReport:
    """The HL7 terminology (hl7_items) in one transaction; invalid resources are skipped and named in the report."""
    return load(store, hl7_items(), skip_invalid=True)


@dataclass
class FirstContent:
    """What a new store got, counted by the stored resources' tags when asked (the CLI's log lines): counting reads
    every body again (~0.1 s with the HL7 terminology), which a server started from create_app need not pay."""
    report: ImportReport
    store: object

    @functools.cached_property
    def demo(self) -> int:
        """Demo resources, those derived from them included."""
        return len(self.store.tagged(DEMO_TAG))

    @functools.cached_property
    def hl7(self) -> dict:
        """Resource type -> how many of the HL7 terminology."""
        counts: dict = {}
        for h in self.store.tagged(HL7_TAG):
            counts[h.type] = counts.get(h.type, 0) + 1
        return counts

    @functools.cached_property
    def namingsystems(self) -> int:
        """The Norwegian codebooks' NamingSystems (reference data, loaded with the demo)."""
        return len(self.store.headers("NamingSystem")) - self.hl7.get("NamingSystem", 0)

    def hl7_summary(self) -> str:
        """'1204 CodeSystem, 77 ConceptMap, … (8 invalid R4 resources of the packages skipped)'."""
        skipped = len(self.report.rejected)
        return ", ".join(f"{self.hl7[t]} {t}" for t in sorted(self.hl7)) + \
            (f" ({skipped} invalid R4 resources of the packages skipped)" if skipped else "")


def fill_empty_store(store, *, demo: bool, hl7: bool, starting=None) -> FirstContent | None:
    """What a store gets at its first start: the demo content and/or the HL7 terminology, in one transaction, so a
    start cut off half-way leaves the store empty and the next start fills it again. A store holding anything is
    left as it is: None, also when another process fills it while this one reads the content (judged under the
    store's write lock: several processes starting on one new store fill it once). `starting()` is called before
    a load begins (a log line: the HL7 load takes seconds)."""
    if not (demo or hl7) or store.headers():
        return None
    if starting is not None:
        starting()
    from ..demo import demo_items
    items = chain(demo_items() if demo else (), hl7_items() if hl7 else ())
    # the packages' invalid resources are skipped (the demo's files are all valid: the tests load them strictly)
    try:
        return FirstContent(load(store, items, skip_invalid=hl7, derived_tag=DEMO_TAG if demo else None,
                                 into_empty=True), store)
    except StoreNotEmpty:       # another process (an API process starting beside this one) filled it first
        return None


def _iso_items() -> Iterator[Item]:
    from ..iso_codes import iso_codesystems, pycountry_version
    for cs in iso_codesystems():
        yield Item(f"pycountry {pycountry_version()}: {cs['url']}", resource=cs)


def _placeholder(item: Item) -> bool:
    """A CodeSystem with content `not-present` names a system whose codes live elsewhere (the core package's
    http://snomed.info/sct): stored, it would make the server hold SNOMED CT without a code, and answer every
    code of it "valid, content not held" instead of "code system not loaded" until an RF2 edition is imported."""
    res = item.resource
    return isinstance(res, dict) and res.get("resourceType") == "CodeSystem" and res.get("content") == "not-present"


# the R4 specification's examples in the core package (ids example, example-*, ConceptMap 101 and 103): stored, they
# answer real requests ($translate of address-use finds ConceptMap/101 beside cm-address-use-v3)
_EXAMPLE_ID = re.compile(r"example(-.*|\d*)|10[13]")


def _spec_example(item: Item) -> bool:
    res = item.resource
    return isinstance(res, dict) and item.source.startswith(CORE) and isinstance(res.get("id"), str) and \
        _EXAMPLE_ID.fullmatch(res["id"]) is not None


def _canonical(item: Item) -> tuple | None:
    res = item.resource
    if not isinstance(res, dict) or not isinstance(res.get("url"), str):
        return None
    return res.get("resourceType"), res["url"]


