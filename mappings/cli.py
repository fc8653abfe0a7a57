"""`kodebro diff-editions` and `kodebro history`: the curator's side of the succession graph."""
from __future__ import annotations

import json
import sys

import click


def cli_module():
    """scripts.cli as it is running: under `python -m scripts.cli` that is __main__, not a second import."""
    m = sys.modules.get("__main__")
    spec = getattr(m, "__spec__", None)
    if spec is not None and spec.name == "scripts.cli":
        return m
    import importlib
    return importlib.import_module("scripts.cli")   # partly initialised while scripts.cli imports us: fine


_cli = cli_module()
_db, _db_option, main = _cli._db, _cli._db_option, _cli.main


def _catalog(db):
    from terminology import Catalog
    return Catalog(_cli._open_store(db))     # a bad --db in one line, not a traceback


@main.command("diff-editions")
@click.option("--system", required=True, help="Code system URL, OID or short name (NCMP, NCRP, ICD10NO ...).")
@click.option("--from", "from_", required=True,
              help="The older edition (CodeSystem.version); it must be earlier than --to.")
@click.option("--to", "to", required=True, help="The newer edition.")
@click.option("--out", "out", default=None, type=click.Path(dir_okay=False, writable=True),
              help="Write the change list here (.csv, or .json for JSON); default: CSV on standard output.")
@_db_option
def diff_editions(system, from_, to, out, db):
    """Draft a change list from two loaded editions: new, retired and text-changed codes.

    --from must be earlier than --to. Over a span with complete editions loaded
    between, each row carries the edition of the adjacent pair that shows it
    (a code gone in 2026 is retired in 2026 in a 2023 -> 2027 draft).
    Rows that stored change lists already state for this codebook come first and
    win over what the code lists show (a stated merge, not a derived retirement).
    A curator completes it (turns 'retired' rows into replaced/merged/split/moved
    where the change document names successors) and loads it with `kodebro import`.
    Rows whose note still starts with 'derived:' are not imported as curated
    changes: delete that word from a row's note once its meaning is checked.
    """
    from terminology.errors import TerminologyError

    from .changelist import resolve_codebook, still_derived, to_json, write_csv
    from .edition_diff import edition_changes
    catalog = _catalog(db)
    try:
        rows = edition_changes(catalog, resolve_codebook(system), from_, to, with_stated=True)
    except TerminologyError as err:
        click.echo(f"error: {err.message}", err=True)
        sys.exit(1)
    if out and out.lower().endswith(".json"):
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(to_json(rows), fh, ensure_ascii=False, indent=1)
    elif out:
        with open(out, "w", encoding="utf-8", newline="") as fh:
            write_csv(rows, fh)
    else:
        write_csv(rows, sys.stdout)
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "no differences"
    derived = sum(1 for r in rows if still_derived(r))
    if rows:
        summary += f" ({len(rows) - derived} from stored change lists, {derived} derived)"
    click.echo(f"{from_} -> {to}: {summary}" + (f"; written to {out}" if out else ""), err=True)
    for ed in (from_, to):
        cs = catalog.codesystem(resolve_codebook(system), ed)
        if cs is not None and cs.content != "complete":
            click.echo(f"note: edition {ed} is a {cs.content}: codes it leaves out are not counted as "
                       "retired or new", err=True)


@main.command("history")
@click.option("--system", required=True, help="Code system URL, OID or short name (NCMP, NCRP, ICD10NO ...).")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON (for programs).")
@_db_option
def history(system, code, as_json, db):
    """Show a code's history: editions, texts over time, predecessors and successors."""
    from terminology.errors import TerminologyError

    from .changelist import resolve_codebook
    from .succession_history import code_history, summary_lines
    catalog = _catalog(db)
    try:
        h = code_history(catalog, resolve_codebook(system), code)
    except TerminologyError as err:
        click.echo(f"error: {err.message}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(h, ensure_ascii=False, indent=1))
    else:
        click.echo("\n".join(summary_lines(h)))
