"""What the Norwegian codebook builders share: rows, dates, editions, property helpers."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from ..identifiers import CODEBOOKS, KODEBRO_BASE
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


def edition_from_dates(rows) -> str | None:
    """The edition a file describes: the latest year in which a code started, or the year after
    the latest end date when codes were only retired (ends far beyond the starts are ignored)."""
    starts = [int(r.valid_from[:4]) for r in rows if r.valid_from]
    ends = [int(r.valid_to[:4]) + 1 for r in rows if r.valid_to and r.valid_to[5:] == "12-31"]
    if not starts:
        return str(max(ends)) if ends else None
    latest = max(starts)
    if any(latest < y <= latest + 1 for y in ends):
        latest += 1
    return str(latest)


_YEAR_IN_NAME = re.compile(r"(?<!\d)(19[89]\d|20\d\d)(?!\d)")


def edition_from_name(path: str) -> str | None:
    m = _YEAR_IN_NAME.findall(os.path.basename(path))
    return m[-1] if m else None


def resolve_edition(options: dict, path: str, rows=None) -> str | None:
    """--edition, else the file's validity dates, else a year in the file name."""
    ed = options.get("edition")
    if ed:
        return str(ed)
    if rows is not None:
        ed = edition_from_dates(rows)
        if ed:
            return ed
    return edition_from_name(path)


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
    if edition and re.fullmatch(r"\d{4}", edition):
        res["date"] = f"{edition}-01-01"
    res = {k: v for k, v in res.items() if v is not None}
    if concepts is not None:
        res["count"] = len(concepts)
        res["_flat_concepts"] = concepts
    return res


def status_in_edition(row: Row, edition: str | None) -> str:
    """'retired' when the code's validity ended before the edition began."""
    if edition and re.fullmatch(r"\d{4}", edition) and row.valid_to and row.valid_to < f"{edition}-01-01":
        return "retired"
    return "active"


def check_unique(rows) -> list[str]:
    """Messages for duplicate codes (each names both rows)."""
    seen: dict[str, Row] = {}
    problems = []
    for r in rows:
        first = seen.get(r.code)
        if first is not None:
            problems.append(f"{r.where}: duplicate code {r.code} (first given on {first.where})")
        else:
            seen[r.code] = r
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
    return [f"{r.where}: code {r.code} has parent {r.parent}, which is not in the file"
            for r in rows if r.parent and r.parent not in codes]


def row_problems(rows, *, explicit_hierarchy: bool) -> list[str]:
    """Everything that makes a codebook file unusable, each naming its row."""
    problems = check_unique(rows) + check_dates(rows) + check_texts(rows)
    if explicit_hierarchy:
        problems += check_parents(rows)
    return problems


def refusals(path: str, problems: list[str], edition: str | None,
             no_edition: str = "cannot tell the edition from the file; give --edition YYYY"):
    """Error Items for a file that cannot be imported (empty when it can)."""
    if problems:
        return [Item(path, error=p) for p in problems]
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
