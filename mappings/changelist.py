"""Kodebro's change-list format: one row per change between two editions of a codebook.

A change list is what a curator writes (or `kodebro diff-editions` drafts) from
the yearly change documents. Columns (CSV header names = JSON keys):

    codebook            canonical URL, OID or short name (NCMP, NCSP, NCRP, ICD10NO, ICPC2, Saerkoder)
    edition             the edition in which the change took effect (e.g. 2021)
    kind                new | retired | text | replaced | merged | split | moved | reactivated
    code                the code the change is about (the old code for successions)
    successor           successor code(s); several are separated by '|' (JSON: a list too)
    successor_codebook  codebook of the successors when it is not `codebook`
    old_text, new_text  texts before and after (text changes; old text of a retired code ...)
    text_part           which text changed: display (kodetekst, default) or subtext (undertekst)
    note                free text: the source and any judgement made
    successors_unnamed  true on a `retired` row whose source says new codes took over without printing them
                        (a fact the $translate answer rests on, so not left to the wording of the note)

In the store a change list lives as FHIR ConceptMaps, one per codebook and
edition (see `to_conceptmaps`), so that it survives in a store that keeps only
terminology resources and is served as a plain ConceptMap between adjacent
editions. `rows_from_conceptmap` reads it back; both directions keep every
column.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, asdict

from terminology.editions import is_complete, is_year
from terminology.errors import TerminologyError
from terminology.identifiers import CODEBOOKS, KODEBRO_BASE, canonical_system, codebook_label

KINDS = ("new", "retired", "text", "replaced", "merged", "split", "moved", "reactivated")
COLUMNS = ("codebook", "edition", "kind", "code", "successor", "successor_codebook",
           "old_text", "new_text", "text_part", "note", "successors_unnamed")
TEXT_PARTS = ("display", "subtext")
SUCCESSION_KINDS = ("replaced", "merged", "split", "moved")

SD = KODEBRO_BASE + "/StructureDefinition/"
EXT_KIND = SD + "change-kind"
EXT_NOTE = SD + "change-note"
EXT_OLD = SD + "change-old-text"
EXT_NEW = SD + "change-new-text"
EXT_PART = SD + "change-text-part"
EXT_UNNAMED = SD + "change-successors-unnamed"
EXT_CHANGELIST = SD + "change-list"          # on the ConceptMap: codebook + edition it holds
MAP_PREFIX = KODEBRO_BASE + "/ConceptMap/changes-"

_SHORT = {short.lower(): url for url, (short, _title) in CODEBOOKS.items()}
_SEP = re.compile(r"\s*[|;,]\s*|\s+")


@dataclass
class Change:
    codebook: str
    edition: str
    kind: str
    code: str
    successor: list = field(default_factory=list)
    successor_codebook: str | None = None
    old_text: str | None = None
    new_text: str | None = None
    text_part: str = "display"
    note: str | None = None
    successors_unnamed: bool = False
    # the reference sets whose rows state the change, when a release states its own history (SNOMED CT
    # association refsets): data for the match `source`, not a change-list column (the note is for people)
    refsets: tuple = ()

    @property
    def target_codebook(self) -> str:
        return self.successor_codebook or self.codebook

    def as_row(self) -> dict:
        d = asdict(self)
        d["successor"] = "|".join(self.successor)
        d["successor_codebook"] = self.successor_codebook or ""
        d["successors_unnamed"] = "true" if self.successors_unnamed else ""
        return {k: ("" if d[k] is None else d[k]) for k in COLUMNS}


def resolve_codebook(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip()
    return _SHORT.get(name.lower()) or canonical_system(name)


def short_name(system: str) -> str:
    known = CODEBOOKS.get(system)
    if known:
        return known[0]
    return system.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def label(system: str) -> str:
    """The codebook's name in messages and summaries (Særkoder, ICD-10-NO); `short_name` stays the ASCII key of
    the `codebook` column and map ids."""
    return codebook_label(system)


def _short_json(v) -> str:
    import json
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 60 else s[:57] + "..."


def _text(v) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def parse_row(raw: dict) -> tuple[Change | None, str | None]:
    """(change, None) or (None, reason) for one CSV/JSON row."""
    if not isinstance(raw, dict):
        return None, "a row must be an object with the change-list columns"
    if None in raw:
        extra = [v for v in raw[None] if str(v).strip()]
        if extra:
            # a delimiter inside an unquoted text moves every later value one column on: never guess which
            return None, (f"{len(raw[None])} value(s) more than the header has columns: "
                          f"{', '.join(repr(v) for v in extra[:3])}{' ...' if len(extra) > 3 else ''} "
                          "(quote a text that holds the delimiter, or name the column in the header)")
        raw = {k: v for k, v in raw.items() if k is not None}     # trailing empty cells lose nothing
    unknown = [k for k in raw if k not in COLUMNS and k]
    if unknown:
        return None, f"unknown column(s) {', '.join(sorted(unknown))}; columns are {', '.join(COLUMNS)}"
    for k, v in raw.items():     # JSON: never file str() of an object or list as a code or text
        if k == "successor" and isinstance(v, list):
            v = next((s for s in v if isinstance(s, (dict, list))), None)
        if isinstance(v, (dict, list)):
            what = "an object" if isinstance(v, dict) else "a list"
            want = "a code or a list of codes" if k == "successor" else "text"
            return None, f"'{k}' must be {want}, not {what}: {_short_json(v)}"
    codebook = resolve_codebook(_text(raw.get("codebook")))
    edition = _text(raw.get("edition"))
    kind = (_text(raw.get("kind")) or "").lower()
    code = _text(raw.get("code"))
    succ = raw.get("successor")
    if isinstance(succ, list):
        successors = [str(s).strip() for s in succ if str(s).strip()]
    else:
        successors = [s for s in _SEP.split(_text(succ) or "") if s]
    succ_book = resolve_codebook(_text(raw.get("successor_codebook")))
    part = (_text(raw.get("text_part")) or "display").lower()
    unnamed = raw.get("successors_unnamed")
    unnamed = unnamed if isinstance(unnamed, bool) else {"true": True, "false": False, "": False}.get(
        (_text(unnamed) or "").lower())
    if not codebook:
        return None, "codebook is missing"
    if not edition:
        return None, "edition is missing"
    if kind not in KINDS:
        return None, f"kind '{kind}' is not one of {', '.join(KINDS)}" if kind else "kind is missing"
    if not code:
        return None, "code is missing"
    if part not in TEXT_PARTS:
        return None, f"text_part '{part}' is not one of {', '.join(TEXT_PARTS)}"
    if unnamed is None:
        return None, f"successors_unnamed '{raw.get('successors_unnamed')}' is not true or false"
    if unnamed and kind != "retired":
        return None, f"successors_unnamed is for a 'retired' row (kind '{kind}' names its successors)"
    if kind in SUCCESSION_KINDS and not successors:
        return None, f"kind '{kind}' needs a successor code"
    if kind not in SUCCESSION_KINDS and successors:
        return None, f"kind '{kind}' takes no successor (use replaced, merged, split or moved)"
    if kind not in SUCCESSION_KINDS and succ_book and succ_book != codebook:
        return None, f"kind '{kind}' takes no successor_codebook"
    if kind in ("replaced", "merged") and len(successors) != 1:
        return None, f"kind '{kind}' takes exactly one successor (several alternatives: use split)"
    if kind == "split" and len(successors) < 2:
        return None, "kind 'split' needs at least two alternative successors (one: use replaced)"
    if kind == "moved" and (succ_book or codebook) == codebook:
        return None, "kind 'moved' needs a successor_codebook different from codebook"
    if kind == "text" and _text(raw.get("new_text")) is None and _text(raw.get("old_text")) is None:
        return None, "kind 'text' needs old_text and/or new_text"
    if any(s == code for s in successors) and (succ_book or codebook) == codebook and kind != "split":
        return None, "a code cannot succeed itself (only a split may keep the old code as one alternative)"
    return Change(codebook, edition, kind, code, successors,
                  succ_book if succ_book and succ_book != codebook else None,
                  _text(raw.get("old_text")), _text(raw.get("new_text")), part, _text(raw.get("note")),
                  unnamed), None


# what `kodebro diff-editions` writes at the start of the note of a row it derived from the code lists
DERIVED_MARK = "derived:"
# the word after 'derived:' in the note of a subdivision `edition_diff.diff` found
_SUBDIVIDED = "subdivided"


def still_derived(c: Change) -> bool:
    """Whether a change-list row is still as `diff-editions` derived it: its note starts with 'derived:' and
    its kind is the drafted one. A curator who turned a derived retirement into a succession has edited the row
    even when the note was left; a derived subdivision is drafted as a split (replaced for one new code)."""
    note = (c.note or "").lstrip().lower()
    if not note.startswith(DERIVED_MARK):
        return False
    if c.kind in SUCCESSION_KINDS:
        rest = note[len(DERIVED_MARK):].lstrip()
        if not (c.kind in ("split", "replaced") and rest.startswith(_SUBDIVIDED)):
            return False
        # a subdivision narrowed by the curator (R17 -> R17.9 only) names other successors than the note's "over
        # R170, R179, which ...": edited, so the curator's
        drafted = rest.split(" over ", 1)[1].split(", which", 1)[0] if " over " in rest else None
        return drafted is None or sorted(x.strip() for x in drafted.split(",")) == \
            sorted(s.lower() for s in c.successor)
    return True


# --- files ------------------------------------------------------------------------

def read_csv_rows(text: str) -> list[tuple[int, dict]]:
    """(line the row starts on, row) for each data row; values beyond the header sit under the key None."""
    text = text.lstrip("\ufeff")
    sample = text[:2000]
    first = sample.split("\n", 1)[0]
    delim = ";" if sample.count(";") > sample.count(",") and "\t" not in first else ","
    if "\t" in first:
        delim = "\t"
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    header = None
    out = []
    while True:
        start = reader.line_num + 1      # a quoted value may span lines: name the line the row starts on
        try:
            cells = next(reader)
        except StopIteration:
            break
        if not cells:
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            continue
        row = dict(zip(header, cells))
        if len(cells) > len(header):
            row[None] = cells[len(header):]
        out.append((start, row))
    return out


def write_csv(changes, fh) -> None:
    w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for c in changes:
        w.writerow(c.as_row())


def to_json(changes) -> dict:
    rows = []
    for c in changes:
        d = {k: v for k, v in c.as_row().items() if v not in ("", None)}
        d["successor"] = list(c.successor)
        if not d["successor"]:
            del d["successor"]
        if d.get("text_part") == "display":
            del d["text_part"]
        if c.successors_unnamed:
            d["successors_unnamed"] = True
        rows.append(d)
    return {"format": "kodebro-changelist", "version": 1, "changes": rows}


# --- the stored form: ConceptMaps -------------------------------------------------

# What one change says of old code -> successor, as an R4 ConceptMapEquivalence: the one rule for the stored
# change-list map (`to_conceptmaps`) and the $translate walk (mappings.succession, which also reads plain
# edition maps back into kinds: `_edition_map_changes`). 'new' has no predecessor, so no equivalence.
KIND_EQUIVALENCE = {"text": "equivalent", "reactivated": "equal", "replaced": "equivalent", "moved": "equivalent",
                    "merged": "wider", "split": "narrower", "retired": "unmatched"}
# a change the server derived from two code lists (edition_diff), which no curator has read: a new text may
# narrow or widen the code (ICPC-2 P73 "Affektiv lidelse" -> "Bipolar lidelse", 2025), and a grouping over a
# single new code may leave part of the old code out. R4 `inexact`: "uncertain whether they have the same
# boundaries", so that 2024 and 2025 counts are not pooled on the server's word
DERIVED_EQUIVALENCE = {"text": "inexact", "replaced": "inexact"}


def kind_equivalence(kind: str, alternatives: int = 1, derived: bool = False) -> str | None:
    """The equivalence of one change of `kind` with `alternatives` successors; `derived`: found by comparing
    editions (edition_diff), not stated in a change list."""
    if alternatives > 1:
        # one of several alternatives is narrower; a merge into one of several (parse_row refuses it) says little
        return "inexact" if kind == "merged" else "narrower"
    if derived and kind in DERIVED_EQUIVALENCE:
        return DERIVED_EQUIVALENCE[kind]
    return KIND_EQUIVALENCE.get(kind)


def _equivalence(c: Change) -> str | None:
    return kind_equivalence(c.kind, len(c.successor))


def map_url(codebook: str, edition: str) -> str:
    return f"{MAP_PREFIX}{short_name(codebook).lower()}-{edition}"


def previous_edition(edition: str) -> str | None:
    return str(int(edition) - 1) if is_year(edition) else None


def to_conceptmaps(changes) -> list[dict]:
    """One ConceptMap per (codebook, edition): the adjacent-edition map, with the change rows as elements."""
    by_key: dict[tuple[str, str], list[Change]] = {}
    for c in changes:
        by_key.setdefault((c.codebook, c.edition), []).append(c)
    maps = []
    for (book, edition), rows in sorted(by_key.items()):
        short = short_name(book)
        prev = previous_edition(edition)
        groups: dict[str, dict] = {}
        for c in rows:
            tgt = c.target_codebook
            g = groups.get(tgt)
            if g is None:
                g = {"source": book}
                if prev:
                    g["sourceVersion"] = prev
                g["target"] = tgt
                g["targetVersion"] = edition
                g["element"] = []
                if tgt == book:
                    # codes not listed are unchanged: a standard client gets the same code back
                    g["unmapped"] = {"mode": "provided"}
                groups[tgt] = g
            ext = [{"url": EXT_KIND, "valueCode": c.kind}]
            for url, val in ((EXT_OLD, c.old_text), (EXT_NEW, c.new_text), (EXT_NOTE, c.note)):
                if val is not None:
                    ext.append({"url": url, "valueString": val})
            if c.text_part != "display":
                ext.append({"url": EXT_PART, "valueCode": c.text_part})
            if c.successors_unnamed:
                ext.append({"url": EXT_UNNAMED, "valueBoolean": True})
            el = {"extension": ext, "code": c.code}
            if c.old_text and c.text_part == "display":
                el["display"] = c.old_text
            eq = _equivalence(c)
            if c.kind in SUCCESSION_KINDS:
                el["target"] = []
                for s in c.successor:
                    t = {"code": s, "equivalence": eq}
                    if c.new_text and len(c.successor) == 1:
                        t["display"] = c.new_text
                    if eq == "narrower":
                        t["comment"] = f"one of {len(c.successor)} alternatives: {', '.join(c.successor)}"
                    elif c.note:
                        t["comment"] = c.note
                    el["target"].append(t)
            elif c.kind == "retired":
                el["target"] = [{"equivalence": "unmatched",
                                 "comment": c.note or f"retired in {edition} without successor"}]
            elif c.kind in ("text", "reactivated"):
                t = {"code": c.code, "equivalence": eq}
                if c.new_text and c.text_part == "display":
                    t["display"] = c.new_text
                el["target"] = [t]
            # kind 'new': an element with no target — the code did not exist in the previous edition
            g["element"].append(el)
        title_prev = f"{prev} → " if prev else ""
        maps.append({
            "resourceType": "ConceptMap",
            "id": f"changes-{short.lower()}-{edition}"[:64],
            "url": map_url(book, edition),
            "version": edition,
            "name": f"{re.sub(r'[^A-Za-z0-9]', '', short)}Changes{edition}",
            "title": f"{short}: endringer {title_prev}{edition}",
            "status": "active",
            "extension": [{"url": EXT_CHANGELIST, "extension": [
                {"url": "codebook", "valueUri": book}, {"url": "edition", "valueString": edition}]}],
            "description": (f"Changes to {short} that took effect in edition {edition}, in Kodebro's change-list "
                            "form. Codes not listed are unchanged (unmapped mode 'provided')."),
            "group": list(groups.values()),
        })
    return maps


def is_changelist_map(cm: dict) -> bool:
    return any(e.get("url") == EXT_CHANGELIST for e in cm.get("extension") or ())


def not_in_edition(catalog, system: str, edition: str, code: str) -> bool:
    """The one rule by which a change-list map says "unchanged" of a code it does not list (`unmapped` provided,
    or a map of a pair of editions without changes): of any code, inactive too, unless `edition` of `system` is
    loaded complete and lacks it (NOPE99 is no unchanged NCMP code; a fragment's silence says nothing)."""
    return edition_code(catalog, system, edition, code)[0]


def edition_code(catalog, system: str, edition: str, code: str) -> tuple[bool, object | None]:
    """(`not_in_edition`, the concept `edition` of `system` holds for `code` or None), from one look-up of the
    edition: for a caller that answers with the concept when the code is not ruled out. A fragment of the edition
    the request brought says nothing of a code: the stored edition, when the store holds it, decides."""
    cs = _edition(catalog, system, edition)
    base = getattr(catalog, "base", None)
    if base is not None and (cs is None or not is_complete(cs.content)):
        cs = _edition(base, system, edition) or cs
    if cs is None:
        return False, None
    concept = cs.find(code)[0]
    return concept is None and is_complete(cs.content), concept


def _edition(catalog, system: str, edition: str):
    try:
        cs = catalog.codesystem(system, edition)
    except TerminologyError:
        return None
    return cs if cs is not None and cs.version == edition else None


def not_a_code_of(code: str, system: str, edition: str) -> str:
    """The one wording of "not a code of this edition" in the mappings' answers: the codebook by the name a person
    knows it by (`label`: NCMP, not its OID), then the edition."""
    return f"{code} is not a code of {label(system)} edition {edition}"


def rows_from_conceptmap(cm: dict) -> list[Change]:
    """The change rows a stored change-list ConceptMap holds (inverse of to_conceptmaps)."""
    out = []
    edition = cm.get("version")
    for g in cm.get("group") or ():
        book = g.get("source")
        tgt = g.get("target")
        ed = g.get("targetVersion") or edition
        for el in g.get("element") or ():
            ext = {e.get("url"): e for e in el.get("extension") or ()}
            kind = (ext.get(EXT_KIND) or {}).get("valueCode")
            if kind not in KINDS:
                continue
            val = lambda u: (ext.get(u) or {}).get("valueString")  # noqa: E731
            part = (ext.get(EXT_PART) or {}).get("valueCode") or "display"
            succ = [t["code"] for t in el.get("target") or () if t.get("code")] \
                if kind in SUCCESSION_KINDS else []
            out.append(Change(book, ed, kind, el.get("code"), succ,
                              tgt if kind in SUCCESSION_KINDS and tgt != book else None,
                              val(EXT_OLD), val(EXT_NEW), part, val(EXT_NOTE),
                              (ext.get(EXT_UNNAMED) or {}).get("valueBoolean") is True))
    return out
