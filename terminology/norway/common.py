"""What the Norwegian codebook builders share: rows, dates, editions, property helpers."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from ..editions import is_year
from ..identifiers import CODEBOOKS, ICD10_NO, ICPC2, KODEBRO_BASE
from ..importers.base import Item

PUBLISHER = "Helsedirektoratet"
# designation use for the unabridged text ("Tekst uten lengdebegrensning")
DESIGNATION_USE_SYSTEM = KODEBRO_BASE + "/CodeSystem/designation-use"
FULL_TEXT_USE = {"system": DESIGNATION_USE_SYSTEM, "code": "full-text", "display": "Tekst uten lengdebegrensning"}


@dataclass(slots=True)
class Row:
    """One code as read from a source file, before it becomes a FHIR concept."""
    code: str
    display: str | None
    where: str                               # "row 17" / "entry 17": for messages
    full_text: str | None = None
    parent: str | None = None                # explicit parent (Foreldrekode)
    valid_from: str | None = None            # ISO date
    valid_to: str | None = None
    reportable: bool | None = None           # Rapporteres_til_NPR
    npr_from: str | None = None
    npr_to: str | None = None
    flags: dict = field(default_factory=dict)   # raw flag values: star, additional, sex, nonspecific, ...
    extra: list = field(default_factory=list)   # further FHIR concept.property dicts


class RowError(ValueError):
    """A row that cannot be imported; the message names the row and the reason."""


_DATE_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y %H:%M:%S",
                 "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y")


def parse_date(value, where: str, column: str) -> str | None:
    """ISO date (YYYY-MM-DD) from the date forms Norwegian files use; None for empty."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    s = str(value).strip()
    if not s:
        return None
    s = re.sub(r"(\.\d+)?(Z|[+-]\d\d:?\d\d)?$", "", s) if "T" in s else s
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt).date().isoformat()
        except ValueError:
            continue
    raise RowError(f"{where}: {column} '{value}' is not a date (expected e.g. 2021-01-01 or 01.01.2021)")


def _edition_and_cause(rows):
    """(edition, the row whose date gave it, "Gyldig_fra"/"Gyldig_til") from validity dates: the latest year
    in which a code started, or the year after the latest end date when codes were only retired (ends far
    beyond the starts are ignored)."""
    starts = [r for r in rows if r.valid_from]
    ends = [r for r in rows if r.valid_to and r.valid_to[5:] == "12-31"]
    if not starts:
        if not ends:
            return None, None, None
        last = max(ends, key=lambda r: r.valid_to)
        return str(int(last.valid_to[:4]) + 1), last, "Gyldig_til"
    first = max(starts, key=lambda r: r.valid_from)
    latest = int(first.valid_from[:4])
    retiring = [r for r in ends if latest < int(r.valid_to[:4]) + 1 <= latest + 1]
    if retiring:
        return str(latest + 1), retiring[0], "Gyldig_til"
    return str(latest), first, "Gyldig_fra"


_YEAR_IN_NAME = re.compile(r"(?<!\d)(19[89]\d|20\d\d)(?!\d)")
_EDITION = re.compile(r"\d{4}")


def edition_from_name(path: str) -> str | None:
    """The one year in the file name; several different years are ambiguous (EditionError)."""
    years = list(dict.fromkeys(_YEAR_IN_NAME.findall(os.path.basename(path))))
    if len(years) > 1:
        raise EditionError(f"the file name {os.path.basename(path)} holds {' and '.join(years)}: "
                           f"give --edition YYYY")
    return years[0] if years else None


class EditionError(ValueError):
    """The edition cannot be told safely; the message says what to give."""


def check_edition_option(value) -> str:
    """--edition for the yearly codebooks must be a year (it becomes CodeSystem.version)."""
    s = str(value).strip()
    if not _EDITION.fullmatch(s):
        raise EditionError(f"--edition '{value}' is not a year: give --edition YYYY (e.g. 2026)")
    return s


def choose_edition(options: dict, path: str, rows=None) -> tuple[str | None, str | None]:
    """(edition, note saying where it came from): --edition, else the file's validity dates, else
    a year in the file name. Raises EditionError when that choice would be a guess."""
    if options.get("edition"):
        ed = check_edition_option(options["edition"])
        return ed, f"{path}: edition {ed} from --edition"
    if rows is not None:
        ed, row, column = _edition_and_cause(rows)
        if ed:
            limit = date.today().year + 1
            if int(ed) > limit:
                when = row.valid_from if column == "Gyldig_fra" else row.valid_to
                raise EditionError(f"the {column} dates give edition {ed}, later than next year ({limit}): "
                                   f"{row.where}, code {row.code}, has {column} {when}; give --edition YYYY")
            return ed, f"{path}: edition {ed} from the {column} dates"
    ed = edition_from_name(path)
    return ed, (f"{path}: edition {ed} from the file name" if ed else None)


def build_with_edition(build, path: str, options: dict, dated_rows=None, **kwargs):
    """Items of `build(..., edition=E)` with a note on where E came from, or one error Item when the
    edition cannot be told safely. `dated_rows`: rows whose validity dates may decide (None: no dates)."""
    try:
        edition, note = choose_edition(options, path, dated_rows)
    except EditionError as e:
        return [Item(path, error=str(e))]
    return with_note(build(path=path, edition=edition, **kwargs), note)


def with_note(items, note):
    """The items, with `note` (a string or a list of them) attached to the first one carrying a resource."""
    pending = [note] if isinstance(note, str) else [n for n in note or () if n]
    for item in items:
        if pending and item.resource is not None:
            item.notes[:0] = pending
            pending = []
        yield item


def content_for(path: str) -> str:
    """Demo slices (a name with 'slice' or 'demo') are fragments; published files are complete."""
    name = os.path.basename(path).lower()
    return "fragment" if ("slice" in name or "demo" in name) else "complete"


def prop(code: str, value) -> dict:
    if isinstance(value, bool):
        return {"code": code, "valueBoolean": value}
    if code in ("status", "kind", "codebook", "origin"):
        return {"code": code, "valueCode": value}
    if code.startswith(("valid", "npr")) and isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return {"code": code, "valueDateTime": value}
    return {"code": code, "valueString": str(value)}


def codesystem_header(url: str, edition: str, *, content: str, description: str, properties: list,
                      language: str = "nb", case_sensitive: bool = True, publisher: str = PUBLISHER,
                      concepts: list | None = None) -> dict:
    """A CodeSystem edition; `concepts` (flat dicts) are streamed to the store, not nested."""
    name, title = CODEBOOKS.get(url, (None, None))
    res = {
        "resourceType": "CodeSystem",
        "url": url,
        "version": edition,
        "name": name or "CodeSystem",
        "title": title or url,
        "status": "active",
        "publisher": publisher,
        "description": description,
        "caseSensitive": case_sensitive,
        "hierarchyMeaning": "is-a",
        "content": content,
        "language": language,
        "valueSet": f"{url}?fhir_vs" if url.startswith("http") else None,
        "property": properties,
    }
    if is_year(edition):
        res["date"] = f"{edition}-01-01"
    res = {k: v for k, v in res.items() if v is not None}
    if concepts is not None:
        res["count"] = len(concepts)
        res["_flat_concepts"] = concepts
    return res


def status_in_edition(row: Row, edition: str | None) -> str:
    """'retired' when the code's validity ended before the edition began; 'inactive' when it begins only after
    the edition's year (a code the publisher announces for a later edition: valid in neither this edition's
    year nor, yet, any other)."""
    if is_year(edition) and row.valid_to and row.valid_to < f"{edition}-01-01":
        return "retired"
    if starts_after_edition(row, edition):
        return "inactive"
    return "active"


def starts_after_edition(row: Row, edition: str | None) -> bool:
    return bool(is_year(edition) and row.valid_from
                and row.valid_from > f"{edition}-12-31")


def pending_note(path: str, rows, edition: str | None) -> str | None:
    """The note for the rows valid only from after the edition (status inactive), counted, the first named."""
    later = [r for r in rows if starts_after_edition(r, edition)]
    if not later:
        return None
    first = later[0]
    return (f"{os.path.basename(path)}: {len(later)} code(s) valid only from after edition {edition}, stored "
            f"with status inactive (first: {first.where}, code {first.code}, valid from {first.valid_from})")


# every code in the published lists (NAV, the directorate's JSON and Excel; 2026): A09, K6380, I210a, F84a0,
# and in the directorate's JSON the chapters (XVIII) and blocks (A00-A09); ICPC-2: A01, A991, chapters (A)
CODE_SHAPES = {
    ICD10_NO: (re.compile(r"[A-Z][0-9][0-9A-Za-z]{1,5}|[IVXL]+|[A-Z][0-9]{2}-[A-Z][0-9]{2}"),
               "an ICD-10 code (a capital letter, a digit, then letters or digits, e.g. A09 or K6380)"),
    ICPC2: (re.compile(r"[A-Z](?:[0-9]{2,3})?|-[0-9]{2}"),
            "an ICPC-2 code (a capital letter and 2 or 3 digits, e.g. A01 or R991)"),
}


def check_shapes(rows, pattern: re.Pattern, what: str) -> list[str]:
    """A code that cannot be one of the codebook's (a stray heading, a number Excel made of a code, a lower-case
    code) would be answered as valid by $validate-code: refused, naming its row."""
    return [f"{r.where}: '{r.code}' is not {what}" for r in rows if not pattern.fullmatch(r.code)]


def check_unique(rows) -> list[str]:
    """Messages for duplicate codes (each names both rows)."""
    seen: dict[str, Row] = {}
    problems = []
    for r in rows:
        # codes differing only in case are one code to a reader (and to case-insensitive lookups)
        first = seen.get(r.code.casefold())
        if first is None:
            seen[r.code.casefold()] = r
        elif first.code == r.code:
            problems.append(f"{r.where}: duplicate code {r.code} (first given on {first.where})")
        else:
            problems.append(f"{r.where}: duplicate code {r.code}: differs only in case from {first.code} "
                            f"(given on {first.where})")
    return problems


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def check_texts(rows) -> list[str]:
    """FHIR strings may not hold control characters (a sign of a damaged or binary file)."""
    return [f"{r.where}: code {r.code} has a control character in its text"
            for r in rows if _CONTROL.search(r.code + (r.display or "") + (r.full_text or ""))]


def check_dates(rows) -> list[str]:
    return [f"{r.where}: code {r.code} is valid to {r.valid_to}, before it is valid from {r.valid_from}"
            for r in rows if r.valid_from and r.valid_to and r.valid_to < r.valid_from]


def check_parents(rows) -> list[str]:
    codes = {r.code for r in rows}
    return [f"{r.where}: code {r.code} is its own parent (Foreldrekode {r.parent})" if r.parent == r.code
            else f"{r.where}: code {r.code} has parent {r.parent}, which is not in the file"
            for r in rows if r.parent and (r.parent == r.code or r.parent not in codes)]


NO_CODES = "holds no codes; nothing was changed"


def row_problems(rows, *, explicit_hierarchy: bool, shape: tuple[re.Pattern, str] | None = None) -> list[str]:
    """Everything that makes a codebook file unusable, each naming its row. Codes of the wrong `shape`
    (pattern, what a code is) only when none is given twice: 'a000' next to 'A000' is one code given twice,
    which says more than 'a000 is not a code'."""
    if not rows:
        return [NO_CODES]
    duplicates = check_unique(rows)
    problems = duplicates + check_dates(rows) + check_texts(rows)
    if shape and not duplicates:
        problems += check_shapes(rows, *shape)
    if explicit_hierarchy:
        problems += check_parents(rows)
    return problems


def refusals(path: str, problems: list[str], edition: str | None,
             no_edition: str = "cannot tell the edition from the file; give --edition YYYY"):
    """Error Items for a file that cannot be imported (empty when it can)."""
    if problems:
        return [Item(path, error=f"{os.path.basename(path)} {p}" if p == NO_CODES else p) for p in problems]
    if not edition:
        return [Item(path, error=no_edition)]
    return []


def validity_properties(row: Row, edition: str | None) -> list[dict]:
    """status (when not active), validFrom and validTo of a row in an edition."""
    props = []
    st = status_in_edition(row, edition)
    if st != "active":
        props.append(prop("status", st))
    if row.valid_from:
        props.append(prop("validFrom", row.valid_from))
    if row.valid_to:
        props.append(prop("validTo", row.valid_to))
    return props
