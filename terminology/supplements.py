"""CodeSystem supplements: designations, properties and extensions added to a base code system.

A supplement is a CodeSystem with content=supplement whose `supplements`
names the base (url or url|version). Applying one yields a new index (the
stored index is shared between requests and never changed) whose concepts
carry the extra content (for a grammar, whose codes cannot be listed, each
concept as it is made). `SupplementSet` is what an operation holds: the
supplements a request asked for, applied to every index of a matching
system, remembering which were used so the answer can name them.
"""
from __future__ import annotations

import copy

from .catalog import store_view
from .codesystem import CodeSystemIndex
from .elements import value_of
from .errors import NotFound, NotSupported
from .grammar import GrammarIndex
from .identifiers import canonical, split_canonical
from .languages import translations
from .versions import matches_version
from .operations.version_rules import present_versions


def supplement_targets(supplement: dict) -> tuple[str | None, str | None]:
    ref = supplement.get("supplements")
    if not ref:
        return None, None
    return split_canonical(ref)


def apply_supplements(cs: CodeSystemIndex, supplements: list[dict]) -> CodeSystemIndex:
    """A copy of `cs` with each supplement's concept content merged in."""
    if not supplements:
        return cs
    props = list(cs.property_definitions())
    for sup in supplements:
        for pd in sup.get("property") or ():
            if all(p.get("code") != pd.get("code") for p in props):
                props.append(pd)
    if isinstance(cs, GrammarIndex):
        return _supplemented_grammar(cs, supplements, props)
    if type(cs) is not CodeSystemIndex:
        # an index with structures of its own (SNOMED CT: packed arrays, locks, caches) cannot be copied
        # concept by concept; $lookup reads such supplements per concept
        raise NotSupported(f"supplements of {cs.url} are not supported in $expand and $validate-code "
                           f"(use $lookup with useSupplement)")
    out = copy.copy(cs)
    # caches hanging on the base index (text index) would not see the new content; the hierarchy
    # is the same, so its ancestor cache is shared
    for attr in [a for a in vars(out) if a.startswith("_") and a != "_ancestors"]:
        setattr(out, attr, {} if isinstance(getattr(cs, attr), dict) else None)
    out.concepts = dict(cs.concepts)   # concepts a supplement touches are copied below, the rest shared
    out.resource = {**cs.resource, "property": props}
    out.supplemented = (cs, tuple(supplements))     # what it was made from: filters.py reads it, not every concept
    for sup in supplements:
        for flat in _flat(sup.get("concept")):
            base = cs.concepts.get(flat.get("code"))
            if base is None:
                continue
            c = out.concepts[base.code]
            if c is base:
                c = out.concepts[base.code] = copy.copy(base)
            _merge(c, sup, flat)
    return out


def _supplemented_grammar(cs: GrammarIndex, supplements: list[dict], props: list) -> GrammarIndex:
    """A grammar's codes cannot be listed, so each concept is merged with the supplements when it is made."""
    by_code = [(sup, {f.get("code"): f for f in _flat(sup.get("concept")) if isinstance(f.get("code"), str)})
               for sup in supplements]

    def make(code: str):
        base = cs.concepts.get(code)
        if base is None:
            return None
        c = base
        for sup, flats in by_code:
            flat = flats.get(code)
            if flat is not None:
                if c is base:
                    c = copy.copy(base)
                _merge(c, sup, flat)
        return c

    return GrammarIndex({**cs.resource, "property": props}, make, cs.canonical_form)


def _merge(c, sup: dict, flat: dict) -> None:
    """Add one supplement concept's content to the concept `c` (a copy the caller owns)."""
    added = supplement_designations(sup, flat)
    if added:
        c.designations = list(c.designations) + [d for d in added if d not in c.designations]
    if flat.get("property"):
        c.properties = list(c.properties) + list(flat["property"])
    if flat.get("extension"):
        c.extensions = list(c.extensions) + list(flat["extension"])
    if flat.get("display") and not c.display:
        c.display = flat["display"]


def supplement_designations(sup: dict, flat: dict) -> list[dict]:
    """The designations one supplement concept adds. A supplement is written in its own language: its
    concept.display is a display in that language (a language pack), and a designation that names no
    language is in it too."""
    lang = sup.get("language")
    out = []
    if lang and flat.get("display"):
        out.append({"language": lang, "value": flat["display"]})
    # translations of the supplement's display (`_display`) are displays in their languages too
    shown = flat.get("_display")
    for d in translations(shown.get("extension") if isinstance(shown, dict) else None):
        if d not in out:
            out.append(d)
    for d in flat.get("designation") or ():
        d = {**d, "language": lang} if lang and not d.get("language") else d
        if d not in out:
            out.append(d)
    return out


def supplement_concept(sup: dict, code: str) -> dict | None:
    return next((c for c in _flat(sup.get("concept")) if c.get("code") == code), None)


def _flat(concepts):
    for c in concepts or ():
        yield c
        yield from _flat(c.get("concept"))


class SupplementSet:
    """The supplements one request uses, resolved from canonical references."""

    def __init__(self, catalog, refs: list[str], systems=None, lang_packs: list[dict] = ()):
        """`systems`: the code systems the operation works on (None: not known); a supplement of none of
        them is as unusable as a missing one, so it is refused the same way ($lookup does so too).
        `lang_packs`: language packs (`supplied_lang_packs`) applied to their base without being asked for, as
        the reference servers apply them; never required, and not named among the used ones (`used`) but in
        `used_lang_packs`."""
        self.supplements: list[dict] = []
        self.used: list[str] = []
        self.used_lang_packs: list[str] = []
        self._packs: set[int] = set()      # positions of the language packs nobody asked for
        self.refs: list[tuple[str, int]] = []  # (reference as asked, position of the supplement it names)
        self._catalog = catalog
        self.systems = systems         # the systems the operation answers for (None: not known)
        self._stored: list[bool] = []
        self._indexes: list = []       # the stored index of a supplement whose resource body has no concepts
        self._canons: list[str] = []
        # versions of a supplement's base system the operation opened that it does not supplement; a
        # supplement left unused while its base was opened in another version cannot be honoured
        self._other_versions: list[list] = []
        missing: list[tuple[str, str | None]] = []     # (reference, why): all named in one error
        for ref in refs:
            url, version = split_canonical(ref)
            sup = catalog.resource("CodeSystem", url, version)
            target, _v = supplement_targets(sup) if sup is not None else (None, None)
            if sup is None or target is None or (systems is not None and target not in systems
                                                  and catalog.canonical_system(target) not in systems):
                if all(ref != r for r, _why in missing):
                    missing.append((ref, _why_not_found(catalog, ref, sup)))
                continue
            canon = canonical(sup.get("url"), sup.get("version"))
            if canon in self._canons:
                # 'sup' and 'sup|1' name one supplement: applied (and reported) once
                self.refs.append((ref, self._canons.index(canon)))
                continue
            idx = None
            if "concept" not in sup:
                # a stored code system keeps its concepts in its index, not in the resource body; they are
                # turned into concept dicts only when a supplemented index is built (not once it is cached)
                idx = catalog.codesystem(url, version)
                idx = idx if idx is not None and len(idx) else None
            self.refs.append((ref, len(self.supplements)))
            self.supplements.append(sup)
            self._canons.append(canon)
            self._indexes.append(idx)
            self._stored.append(not catalog.supplies("CodeSystem", url, version))
            self._other_versions.append([])
        if missing:
            raise not_found([r for r, _why in missing], [why for _r, why in missing])
        for sup in lang_packs:
            canon = canonical(sup.get("url"), sup.get("version"))
            if canon in self._canons:
                continue        # asked for as well: a required supplement like any other
            self._packs.add(len(self.supplements))
            self.supplements.append(sup)
            self._canons.append(canon)
            self._indexes.append(None)
            self._stored.append(False)
            self._other_versions.append([])

    def __bool__(self) -> bool:
        return bool(self.supplements)

    def matching(self, cs: CodeSystemIndex, _note: bool = False) -> list[tuple[int, str]]:
        """(position in `supplements`, canonical) of each supplement of this version of `cs`."""
        out = []
        for i, sup in enumerate(self.supplements):
            url, version = supplement_targets(sup)
            # a supplement may name its base by an alias (an OID a NamingSystem ties to the URL): the
            # constructor accepted it as supplementing this system, so it must also be applied to it
            if url != cs.url:
                url = self._catalog.canonical_system(url)
            if url != cs.url:
                continue
            if version is None or cs.version is None or matches_version(version, cs.version):
                out.append((i, self._canons[i]))
            elif _note and cs.version not in self._other_versions[i]:
                self._other_versions[i].append(cs.version)
        return out

    def require_applied(self, reached=None) -> None:
        """Refuse the request when a supplement it names could not be applied: its base system was used only in
        versions it does not supplement, or never opened at all (only an exclude-system of $expand names it, or
        the codes asked about are all of other systems). A required supplement is used or the operation fails
        (the reference servers' rule, and the valueset-supplement extension's: the value set "should not be used
        in its absence"): an answer silently without its designations and properties would pass for one with
        them. Called once the operation has opened the code systems it needs.

        `reached`: systems the operation answers for without opening each ($validate-code checks a code of one
        system against a whole value set: `systems`, the value set's); None: only the systems opened count."""
        failed = []
        for i, canon in enumerate(self._canons):
            if canon in self.used or i in self._packs:
                continue
            if self._other_versions[i]:
                failed.append(self.unusable(i, self._other_versions[i]))
                continue
            base, _version = supplement_targets(self.supplements[i])
            if reached is not None and (base in reached or self._catalog.canonical_system(base) in reached):
                continue
            failed.append(self.never_applied(i))
        if len(failed) == 1:
            raise failed[0]
        if failed:
            # one issue naming them all, as the reference servers answer it
            raise not_found([e.ref for e in failed], [e.diagnostics for e in failed])

    def never_applied(self, i: int) -> NotFound:
        """The error for supplement i, whose base system the operation never opened: the same answer as a
        supplement that is not there (the reference servers' words), the why in diagnostics."""
        base, version = supplement_targets(self.supplements[i])
        ref = next(r for r, j in self.refs if j == i)
        target = canonical(base, version)
        return not_found([ref], [f"{self._canons[i]} supplements {target}, which this request does not use "
                                 f"(no code of it is expanded or validated), so the supplement cannot be applied"])

    def unusable(self, i: int, versions: list) -> NotFound:
        """The error for supplement i, whose base system the request uses in `versions` only, none of them
        the one it supplements: the message in the reference servers' words (clients compare it), the why in
        diagnostics."""
        base, version = supplement_targets(self.supplements[i])
        ref = next(r for r, j in self.refs if j == i)
        loaded = ", ".join(v for v in self._catalog.codesystem_versions(base) if v) or "none"
        return not_found([ref], [f"{self._canons[i]} supplements {base} version {version}, but this request uses "
                                 f"version {present_versions(versions)} of it (loaded versions: {loaded})"])

    def concept(self, i: int, code: str) -> dict | None:
        """Supplement i's concept dict for `code` (None: it says nothing about the code)."""
        idx = self._indexes[i]
        if idx is not None:
            c = idx.get(code)
            return c.to_flat() if c is not None else None
        return supplement_concept(self.supplements[i], code)

    def designations(self, i: int, code: str) -> list[dict]:
        """The designations supplement i adds to `code`, as `apply_supplements` adds them."""
        flat = self.concept(i, code)
        return supplement_designations(self.supplements[i], flat) if flat is not None else []

    def _content(self, i: int) -> dict:
        idx = self._indexes[i]
        if idx is None:
            return self.supplements[i]
        return {**self.supplements[i], "concept": [c.to_flat() for c in idx.concepts.values()]}

    # the sets that answer for a set joined from them (`joined`): what this one applies, they record as used
    _feeds: tuple = ()

    def note_applied(self, cs: CodeSystemIndex) -> list[tuple[int, str]]:
        """`matching(cs)`, recording the supplements found among the used ones (and versions passed over), here
        and in the sets this one was joined from (through every level of imports)."""
        for feed in self._feeds:
            feed.note_applied(cs)
        matching = self.matching(cs, _note=True)
        for i, canon in matching:
            used = self.used_lang_packs if i in self._packs else self.used
            if canon not in used:
                used.append(canon)
        return matching

    def __call__(self, cs: CodeSystemIndex) -> CodeSystemIndex:
        matching = self.note_applied(cs)
        # applied (and cached) in one order whatever order the request named them in: one cached copy per set
        matching.sort(key=lambda m: m[1])
        mine = [i for i, _canon in matching]
        canons = tuple(canon for _i, canon in matching)
        stored = all(self._stored[i] for i in mine)
        if not mine:
            return cs
        base = store_view(self._catalog)
        if stored and base.codesystem(cs.url, cs.version) is cs:
            # stored system and stored supplements: build the supplemented index (and the text index and
            # caches that grow on it) once per store revision, not on every request
            return self._catalog.derived(("supplemented", cs.url, cs.version, canons),
                                         lambda _catalog: apply_supplements(cs, [self._content(i) for i in mine]))
        return apply_supplements(cs, [self._content(i) for i in mine])


def joined(parent, catalog, refs: list[str], systems) -> tuple["SupplementSet", "SupplementSet"]:
    """(the set to apply, the set of `refs` alone) for an imported value set that names supplements `refs` of its
    own (valueset-supplement): they apply to the part of the answer that comes from it, on top of the
    request's (`parent`, a SupplementSet or None), as tx.fhir.org expands an import with its own supplements.
    `refs` are checked as a requested value set's are (`systems`: those the imported value set uses); the set of
    them alone is what the operation later requires applied and names as used. The joined set records what it
    applies in both, so the request's supplements used only inside the import count as used too."""
    own = SupplementSet(catalog, refs, systems)
    if not isinstance(parent, SupplementSet) or not parent:
        return own, own
    merged = SupplementSet(catalog, [r for r, _i in parent.refs] + list(refs), None,
                           [parent.supplements[i] for i in sorted(parent._packs)])
    merged._feeds = (parent, own)
    return merged, own


SUPPLEMENT_TYPE_EXT = "http://hl7.org/fhir/StructureDefinition/codesystem-supplement-type"


def is_lang_pack(sup: dict) -> bool:
    """A language pack: a supplement typed 'lang-pack' (codesystem-supplement-type), which the reference servers
    apply to its base code system whether or not a request names it."""
    return any(isinstance(e, dict) and e.get("url") == SUPPLEMENT_TYPE_EXT and
               value_of(e) == "lang-pack"
               for e in sup.get("extension") or ())


def supplied_lang_packs(catalog) -> list[dict]:
    """The language packs among the resources the request brought (tx-resource). Only a request's own
    resources are looked through: a request that brings none does no work here. (Stored language packs are
    applied when asked for with useSupplement.)"""
    # the instance's own attribute: a stored catalog has none, and must not pay for a failed lookup
    extra = getattr(catalog, "__dict__", {}).get("extra")
    if not extra:
        return []
    return [r for (rtype, _url), found in extra.items() if rtype == "CodeSystem"
            for r in found if r.get("content") == "supplement" and r.get("supplements") and is_lang_pack(r)]


def not_found(refs: list[str], whys: list) -> NotFound:
    """The error for required supplements that cannot be applied, in the reference servers' words (FHIRsmith
    VALUESET_SUPPLEMENT_MISSING, plural form and ',' join): one issue naming them all; the whys in diagnostics."""
    text = f"Required supplement not found: {refs[0]}" if len(refs) == 1 else \
        f"Required supplements not found: {','.join(refs)}"
    why = "; ".join(w for w in whys if w) or None
    err = NotFound(text, tx_code="not-found", diagnostics=why)
    err.ref = ",".join(refs)
    return err


def valueset_supplement_refs(vs: dict | None) -> list[str]:
    """The supplements a value set requires by its valueset-supplement extensions, whatever value type carries
    the reference (valueCanonical, valueUri, valueString...: the reference servers read the primitive)."""
    refs = []
    for ext in (vs or {}).get("extension") or ():
        if isinstance(ext, dict) and ext.get("url") == VS_SUPPLEMENT_EXT:
            value = value_of(ext)
            if isinstance(value, str) and value:
                refs.append(value)
    return refs


VS_SUPPLEMENT_EXT = "http://hl7.org/fhir/StructureDefinition/valueset-supplement"


def _why_not_found(catalog, ref: str, sup: dict | None) -> str | None:
    """What there is instead of the supplement `ref` names (for diagnostics): the supplement's target when it
    was found but supplements a system the request does not use, or the loaded versions of its canonical."""
    if sup is not None:
        target = sup.get("supplements")
        return (f"{canonical(sup.get('url'), sup.get('version'))} supplements {target}, which this request does "
                f"not use" if target else f"{ref} is not a supplement (it names no code system it supplements)")
    url, _version = split_canonical(ref)
    loaded = [v for v in catalog.versions("CodeSystem", url) if v]
    return f"loaded versions of {url}: {', '.join(loaded)}" if loaded else None


def valueset_systems(catalog, vs: dict, _seen=None) -> set:
    """The code systems a value set draws codes from: its includes' systems, through its imports."""
    seen = _seen if _seen is not None else set()
    if id(vs) in seen or len(seen) > 50:
        return set()
    seen.add(id(vs))
    out = set()
    compose = vs.get("compose") or {}
    for inc in (compose.get("include") or []) + (compose.get("exclude") or []):
        if inc.get("system"):
            out.add(inc["system"])
            out.add(catalog.canonical_system(inc["system"]))
        for ref in inc.get("valueSet") or ():
            if not isinstance(ref, str):
                continue
            if "?fhir_vs" in ref:
                out.add(ref.split("?", 1)[0])
                continue
            url, version = split_canonical(ref)
            sub = catalog.valueset(url, version) or catalog.valueset(url)
            if sub is not None:
                out |= valueset_systems(catalog, sub, seen)
    for c in _contained_codings((vs.get("expansion") or {}).get("contains")):
        out.add(c)
    return out


def _contained_codings(contains):
    for c in contains or ():
        if c.get("system"):
            yield c["system"]
        yield from _contained_codings(c.get("contains"))
