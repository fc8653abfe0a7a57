"""What every importer yields."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..validation import parent_loops


@dataclass(slots=True)
class Item:
    """One resource read from a source, or the reason it could not be read.

    `source` names the file (and entry inside an archive or row in a table)
    so that a rejection can point a person at it.
    """
    source: str
    resource: dict | None = None
    error: str | None = None
    # set when the resource was built by Kodebro and needs no R4 model validation
    trusted: bool = False
    notes: list = field(default_factory=list)


def read_bytes(path: str) -> tuple[bytes | None, str | None]:
    """(content, None) or (None, a reason a person can act on)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(), None
    except OSError as e:
        return None, f"cannot read file: {e.strerror}"


def decode_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252: what Excel exports on Norwegian Windows."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def head(path: str, size: int) -> bytes:
    """The first bytes of a file without a UTF-8 byte-order mark, for format detection."""
    with open(path, "rb") as fh:
        return fh.read(size).lstrip(b"\xef\xbb\xbf")


BOM = b"\xef\xbb\xbf"


def parse_json(data: bytes, name: str):
    """(parsed JSON, None) or (None, reason naming `name`). A leading UTF-8 BOM (Notepad, Excel, PowerShell
    write one) is dropped; JSON in another encoding is told apart from broken JSON, as saving the file as
    UTF-8 is what a person must do about it."""
    import orjson
    data = without_bom(data)
    try:
        return orjson.loads(data), None
    except orjson.JSONDecodeError as e:
        if not is_utf8(data):
            return None, not_utf8(name)
        return None, f"invalid JSON: {e}"


def without_bom(data: bytes) -> bytes:
    return data[3:] if data[:3] == BOM else data


def not_utf8(name: str) -> str:
    return f"{name} is not UTF-8 (it looks like Windows-1252 or Latin-1): save it as UTF-8"


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def load_json(path: str):
    """(parsed JSON, None) or (None, reason)."""
    data, err = read_bytes(path)
    if err:
        return None, err
    return parse_json(data, path)


def parent_cycles(rows) -> list[str]:
    """Messages for loops in an explicit hierarchy (rows with .code, .parent, .where): A under B under A.
    Importers whose output is trusted must refuse them, as nothing after them would. A row naming itself is
    left to the callers' own check; a missing parent is not a loop."""
    parents: dict[str, list] = {}
    for r in rows:
        if r.parent and r.parent != r.code:
            parents.setdefault(r.code, []).append(r)
    return [f"{r.where}: code {r.code} has parent {r.parent}, which is below it: a loop "
            f"({' -> '.join(loop)}, each under the next)"
            for r, loop in parent_loops(parents, lambda r: r.parent, list(parents))]
