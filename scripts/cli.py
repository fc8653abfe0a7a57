"""The `kodebro` command: serve, import, list. Each command parses arguments and calls the library."""
from __future__ import annotations

import importlib
import os
import sys

import click

from fhir_api.settings import load_settings


def _db_option(f):
    return click.option("--db", "db", envvar="KODEBRO_DB", default=None,
                        help="Store location (SQLite file or postgresql:// URL). Env: KODEBRO_DB.")(f)


def _settings(overrides: dict | None = None) -> dict:
    """The settings, or a one-line error naming the one that cannot be used (KODEBRO_TODAY=2026-13-01)."""
    try:
        return load_settings(overrides)
    except ValueError as err:
        raise click.ClickException(str(err))


def _db(db: str | None) -> str:
    return db or _settings()["DB"]


def _open_store(db: str | None):
    """The store, or a one-line error: a --db that is a directory, not a database, or a PostgreSQL database that
    does not exist or refuses the login is the caller's to fix."""
    from terminology import open_store
    from terminology.errors import TerminologyError
    try:
        store = open_store(_db(db))
        store.generation()     # the first query is what finds a file that is not a database
    except TerminologyError as err:
        # the driver's own line (database "kodebro" does not exist) when the store has one for whoever set it
        raise click.ClickException(getattr(err, "for_operator", err.message))
    return store


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kodebro")
def main():
    """Kodebro: FHIR R4 terminology server for the Norwegian codebooks."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=None, type=int, help="Worker processes (default: one per CPU core).")
@click.option("--threads", default=1, show_default=True, type=int,
              help="Threads per worker. One (synchronous workers) keeps tail latency lowest; more threads "
                   "help when many clients are slow.")
@click.option("--access-log", "access_log", default=None, metavar="PATH",
              help="Write one line per request (time, client, method, path, status, duration in ms, request "
                   "id) to PATH, or to standard output with '-'. Off by default.")
@click.option("--metrics", is_flag=True, default=None,
              help="Serve Prometheus metrics at /metrics (no authentication). Env: KODEBRO_METRICS.")
@_db_option
def serve(host, port, workers, threads, access_log, metrics, db):
    """Start the FHIR server (gunicorn). An empty store first gets the demo content and the HL7 terminology."""
    db = _db(db)
    settings = _settings({"DB": db, **({"METRICS": True} if metrics else {})})
    _check_serve_options(settings, access_log)
    _check_port(host, port)
    hooks = None
    if settings["METRICS"]:
        from scripts.wsgi_server import metrics_hooks
        hooks = metrics_hooks()     # a directory it cannot use stops the start before anything is loaded or said
    store = _open_store(db)
    demo = None
    from terminology.hl7 import LABEL, fill_empty_store

    started = []

    def starting():
        started.append(True)
        if settings["HL7"]:
            what = f"the demo content and {LABEL}" if settings["DEMO"] else LABEL
            click.echo(f"new store at {_where(db)}: loading {what}, once: a few seconds ...", err=True)

    first = fill_empty_store(store, demo=settings["DEMO"], hl7=settings["HL7"], starting=starting)
    if first is None and started:
        click.echo(f"new store at {_where(db)}: another process filled it meanwhile; nothing loaded here", err=True)
    if first is not None:
        # the NamingSystems load with the demo but are reference data (untagged, kept by `remove --demo`): counted
        # apart, so this line and the serving line's demo count agree (fill_empty_store counts by the stored tags)
        demo = first.demo
        if settings["DEMO"]:
            click.echo(f"new store at {_where(db)}: loaded demo content ({demo} resources) and the "
                       f"{first.namingsystems} NamingSystems of the Norwegian codebooks", err=True)
        if settings["HL7"]:
            click.echo(f"loaded the HL7 terminology: {first.hl7_summary()}", err=True)
    workers = workers or os.cpu_count() or 1
    from scripts.wsgi_server import address
    click.echo(f"kodebro serving http://{address(host, port)}/fhir with {workers} worker(s) x {threads} thread(s); "
               f"store {_where(db)}; {_content_line(store, demo)}", err=True)
    if settings["TODAY"]:
        from terminology.editions import today
        not_today = "" if settings["TODAY"] == today() else ", not today's"
        click.echo(f"KODEBRO_TODAY={settings['TODAY']}: requests naming no version or date get the yearly editions "
                   f"in force on that day{not_today}", err=True)
    if settings["METRICS"]:
        click.echo(f"Prometheus metrics at http://{address(host, port)}/metrics (no authentication)", err=True)
    store.close()
    os.environ["KODEBRO_DB"] = db
    # the app is made in this process (gunicorn's master), from the environment
    os.environ["KODEBRO_METRICS"] = "true" if settings["METRICS"] else "false"
    from scripts.wsgi_server import run
    run(host=host, port=port, workers=workers, threads=threads, access_log=access_log, hooks=hooks)


def _where(db: str) -> str:
    """The store location for a log line: a PostgreSQL URL without its password."""
    from terminology.store.postgres import hide_password
    return hide_password(db)


def _content_line(store, demo: int | None = None) -> str:
    """'content: 7 code system(s), 18 edition(s), 22 other resource(s) (demo content: 34 resource(s), …)' for the
    start-up log; `demo`: the demo resources when the caller has counted them (a store it just filled)."""
    headers = store.headers()
    cs = [h for h in headers if h.type == "CodeSystem"]
    if demo is None:
        from terminology.demo import demo_headers
        demo = len(demo_headers(store))
    line = (f"content: {len({h.url for h in cs})} code system(s), {len(cs)} edition(s), "
            f"{len(headers) - len(cs)} other resource(s)")
    if demo:
        line += f" (demo content: {demo} resource(s), not for production; `kodebro remove --demo`)"
    return line


def _check_port(host: str, port: int) -> None:
    """Refuse a port another process listens on before anything says it is serving (and before the store is
    opened or the demo loaded), rather than let gunicorn print its retries after the start-up line."""
    import errno
    import socket

    from scripts.wsgi_server import address, try_bind
    try:
        try_bind(host, port)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise click.ClickException(f"port {port} is in use (another kodebro serve?): stop it or give --port")
        why = err.strerror if not isinstance(err, socket.gaierror) else f"unknown host ({err.strerror})"
        raise click.ClickException(f"cannot listen on {address(host, port)}: {why}")


def _check_serve_options(settings: dict, access_log: str | None) -> None:
    """Refuse, in one line each, what would otherwise stop gunicorn or the app with a traceback."""
    from fhir_api.http_headers import parse_origins
    try:
        parse_origins(settings.get("CORS_ORIGINS", ""))
    except ValueError as err:
        raise click.ClickException(str(err))
    if access_log and access_log != "-":
        try:
            with open(access_log, "a", encoding="utf-8"):
                pass
        except OSError as err:
            raise click.ClickException(f"--access-log: cannot write to {access_log}: {err.strerror}")


@main.command("import")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--namingsystems", is_flag=True,
              help="Also import the NamingSystems of the Norwegian codebooks shipped with Kodebro (their URLs "
                   "and Volven OIDs), e.g. into a store started with KODEBRO_DEMO=false.")
@click.option("--hl7", is_flag=True,
              help="Import the HL7 terminology shipped with Kodebro (FHIR R4 core 4.0.1 and HL7 Terminology THO "
                   "7.0.1; their few invalid R4 resources skipped), e.g. into a store started with KODEBRO_HL7=false. "
                   "On its own: one transaction of its own.")
@click.option("--format", "fmt", default=None, help="Source format (default: detected from the content).")
@click.option("--skip-invalid", is_flag=True, help="Import the valid resources and report the invalid ones.")
@click.option("--replace", is_flag=True,
              help="Let a code system edition (same url and version) be replaced even when that removes more "
                   "than 10% of its stored codes.")
@click.option("--edition", default=None, help="Edition (CodeSystem.version) for formats that do not carry one.")
@click.option("--system", default=None, help="Code system URL for tabular formats that need one.")
@click.option("--column", "columns", multiple=True, metavar="FIELD=HEADER",
              help="Column mapping for tabular formats, e.g. --column code=Kode (repeatable).")
@click.option("--against", default=None, type=click.Path(exists=True),
              help="For concept maps: a code system file whose edition the map's targets are checked against.")
@click.option("--against-edition", default=None, help="Edition of the --against file when it does not say.")
@_db_option
def import_(paths, namingsystems, hl7, fmt, skip_invalid, replace, edition, system, columns, against,
            against_edition, db):
    """Import terminology content: FHIR JSON/NDJSON/Bundles/folders/NPM packages and codebook files."""
    from terminology.errors import TerminologyError
    from terminology.loader import load, read_items
    if hl7:
        # the packages' own invalid resources are always skipped, which a user's files must not be silently:
        # two imports in one command would also be two transactions, so --hl7 stands alone
        if paths or namingsystems:
            raise click.UsageError("--hl7 imports the shipped HL7 terminology on its own; import PATHS (and "
                                   "--namingsystems) with another `kodebro import`.")
        paths = ()
    elif not paths and not namingsystems:
        raise click.UsageError("Missing argument 'PATHS...' (or give --namingsystems or --hl7).")
    if namingsystems:
        from terminology.demo import NAMINGSYSTEMS
        paths = (NAMINGSYSTEMS, *paths)
    options = {}
    if edition:
        options["edition"] = edition
    if system:
        options["system"] = system
    if against:
        options["against"] = against
    if against_edition:
        options["against_edition"] = against_edition
    if columns:
        try:
            options["columns"] = dict(c.split("=", 1) for c in columns)
        except ValueError:
            raise click.UsageError("--column takes FIELD=HEADER")
    store = _open_store(db)
    tty = sys.stderr.isatty()
    progress = _progress_line() if tty else None
    bar = progress
    said = _SaidSystem(click.get_current_context().meta.get("system_given"))
    seen_notes: list[str] = []       # what the import worked out (the edition and where it came from ...)
    try:
        if hl7:
            from terminology.hl7 import hl7_items
        items = hl7_items() if hl7 else read_items(paths, fmt, **options)
        report = load(store, _keep_notes(items, seen_notes),
                      skip_invalid=skip_invalid or hl7, replace=replace, progress=progress,
                      writing=_write_bar if tty else None)
    except TerminologyError as err:
        if bar:
            click.echo("", err=True)
        _refusal(err, seen_notes, said)
        sys.exit(1)
    if bar:
        click.echo("", err=True)
    for rtype, c in sorted(report.counts().items()):
        kept = f", {c['unchanged']} unchanged" if c.get("unchanged") else ""
        click.echo(f"{rtype}: {c['added']} added, {c['replaced']} replaced{kept}")
    for line in report.replacements:
        click.echo(f"replaced {line}")
    for note in report.notes:
        click.echo(f"note: {note}")
    for src, rid, why in report.rejected:
        click.echo(f"skipped {_named(src, rid)}: {said(why)}")
    nothing = not (report.added or report.replaced or report.unchanged)
    _demo_note(store)
    if hl7:
        # the packages' invalid resources are the same every time: skipped as intended, not a partial import
        click.echo(f"{len(report.rejected)} invalid R4 resource(s) of the HL7 packages skipped; the rest was "
                   "imported", err=True)
        return
    if report.rejected:
        if nothing:
            click.echo(f"{len(report.rejected)} resource(s) rejected; nothing was imported", err=True)
            sys.exit(1)
        click.echo(f"{len(report.rejected)} resource(s) rejected and skipped; the rest was imported", err=True)
        sys.exit(2)
    if nothing:
        click.echo(f"error: nothing was imported: no terminology resources (CodeSystem, ValueSet, ConceptMap, "
                   f"NamingSystem) found in {', '.join(paths)}", err=True)
        sys.exit(1)


def _keep_notes(items, notes: list):
    for item in items:
        notes.extend(item.notes)
        yield item


def _named(src: str, rid: str | None) -> str:
    return f"{src} ({rid})" if rid else src


class _SaidSystem:
    """Messages about --system in the words the user gave it (ICD-10-NO, not the importer's 'ICD-10')."""

    def __init__(self, given: str | None):
        self.given = given

    def __call__(self, text: str) -> str:
        import re
        if not self.given:
            return text
        return re.sub(r"--system says [^,]+,", lambda m: f"--system says {self.given},", text)


def _refusal(err, notes: list[str], said) -> None:
    """A refused import: the reason once (each rejected resource once, with its id when it has one), and the
    notes on what the import had worked out (an edition from the file's dates ...), which explain a refusal
    such as 'NCRP 2017: 4 -> 3 concepts'."""
    import re
    rejected = list(getattr(err, "rejected", []) or [])
    head = err.message
    listed = re.match(r"(.*?\d+ invalid resource\(s\)): ", head)
    if rejected and listed:
        head = listed.group(1) + ":"
    else:       # the message says why; name only the rejections it does not already hold
        rejected = [r for r in rejected if r[2] not in head]
    click.echo(f"error: {said(head)}", err=True)
    for src, rid, why in rejected[:200]:
        click.echo(f"  rejected {_named(src, rid)}: {said(why)}", err=True)
    if len(rejected) > 200:
        click.echo(f"  … and {len(rejected) - 200} more", err=True)
    for note in notes:
        click.echo(f"note: {note}", err=True)


def _demo_note(store) -> None:
    """An import into a store that still holds the demo slices: they stay beside the real editions and, being
    fragments, accept unknown codes, so say so and how to remove them."""
    from terminology.demo import demo_headers
    demo = demo_headers(store)
    if demo:
        click.echo(f"note: this store still holds demo content ({len(demo)} resources: partial codebook slices "
                   f"that accept unknown codes); remove it with `kodebro remove --demo --yes` before production "
                   f"use (`kodebro list` marks it)", err=True)


def _progress_line():
    """A one-line counter on the terminal: how many resources have been read and checked."""
    counter = {"n": 0}

    def progress(item):
        counter["n"] += 1
        if counter["n"] % 25 == 0:
            click.echo(f"\rread and checked {counter['n']} resources…", nl=False, err=True)
    return progress


def _write_bar(total: int):
    """A progress bar over the resources being written (their number is known by then)."""
    click.echo("", err=True)
    bar = click.progressbar(length=total, label="writing", file=sys.stderr, show_pos=True)
    state = {"n": 0}

    def step():
        state["n"] += 1
        bar.update(1)
        if state["n"] == total:
            bar.render_finish()
    return step


@main.command("list")
@click.option("--hl7", "show_hl7", is_flag=True,
              help="List the HL7 terminology (FHIR R4 core, THO) resource by resource too; by default it is counted "
                   "in one line.")
@_db_option
def list_(show_hl7, db):
    """Show what is loaded: code systems with versions and concept counts, value sets, concept maps and naming systems."""
    from terminology.editions import today
    store = _open_store(db)
    headers, hl7 = _hl7_apart(store, store.headers(), show_hl7)
    systems: dict[str, list] = {}
    for h in headers:
        if h.type == "CodeSystem":
            systems.setdefault(h.url or h.id, []).append(h)
    from terminology.versions import version_key
    day = today(_settings()["TODAY"])
    editions = sum(len(v) for v in systems.values())
    click.echo(f"CodeSystems: {_count(len(systems), 'code system')}, {_count(editions, 'edition')}")
    demo_seen = in_force_seen = False
    for url in sorted(systems):
        vs = sorted(systems[url], key=lambda h: version_key(h.version))
        current = _in_force("CodeSystem", url, vs, day)
        parts = []
        for h in vs:
            marks = _edition_marks(h.version, current, day) + _marks(store.body(h.pk))
            in_force_seen = in_force_seen or "default" in marks
            demo_seen = demo_seen or "demo" in marks
            parts.append(f"{h.version or '-'} ({h.concept_count} concepts{''.join(', ' + m for m in marks)})")
        click.echo(f"  {url}  {', '.join(parts)}")
    for rtype in ("ValueSet", "ConceptMap", "NamingSystem"):
        hs = [h for h in headers if h.type == rtype]
        click.echo(f"{rtype}s ({len(hs)}):")
        by_url: dict[str, list] = {}
        for h in hs:
            by_url.setdefault(h.url, []).append(h)
        for h in hs[:200]:
            body = store.body(h.pk)
            current = _in_force(rtype, h.url, by_url[h.url], day) if rtype == "ValueSet" and h.url else None
            marks = _edition_marks(h.version, current, day) + _marks(body)
            in_force_seen = in_force_seen or "default" in marks
            demo_seen = demo_seen or "demo" in marks
            what = _naming_system_line(h, body) if rtype == "NamingSystem" else \
                f"{h.url or h.id}" + (f"|{h.version}" if h.version else "")
            click.echo(f"  {what}" + (f" ({', '.join(marks)})" if marks else ""))
        if len(hs) > 200:
            click.echo(f"  … and {len(hs) - 200} more")
    if hl7:
        counts = ", ".join(f"{n} {rtype}" for rtype, n in sorted(hl7.items()))
        click.echo(f"HL7 terminology (reference data, FHIR R4 core 4.0.1 and THO 7.0.1, with ISO 3166 and ISO 4217): "
                   f"{counts}; `kodebro list --hl7` lists them")
    if demo_seen:
        click.echo("(demo) marks the demo content loaded at first start: partial slices, not for production; "
                   "remove it with `kodebro remove --demo --yes`. (fragment): a partial code system that "
                   "accepts codes it does not hold.")
    if in_force_seen:
        click.echo(f"(default): the edition of a yearly codebook (or of its rule value sets) that answers a request "
                   f"naming no version or date today ({day}): the newest whose 1 January has come; (from YYYY-01-01): "
                   f"loaded ahead of its year. The others answer when asked for by version or date.")


def _hl7_apart(store, headers: list, show_hl7: bool) -> tuple[list, dict[str, int]]:
    """(the headers to list one by one, {resource type: how many} of the shipped HL7 terminology left out): some
    5,100 resources would bury the codebooks a person looks for."""
    if show_hl7:
        return headers, {}
    from terminology.identifiers import HL7_TAG
    hl7 = {h.pk for h in store.tagged(HL7_TAG)}
    listed, apart = [], {}
    for h in headers:
        if h.pk in hl7:
            apart[h.type] = apart.get(h.type, 0) + 1
        else:
            listed.append(h)
    return listed, apart


def _edition_marks(version: str | None, current: str | None, day: str) -> list[str]:
    """How `kodebro list` marks an edition of a dated url whose default is `current` on `day`: the default, or
    loaded ahead of its year; nothing for others or for urls without dated editions (`current` None)."""
    if current is None:
        return []
    if version == current:
        return ["default"]
    return [f"from {version}-01-01"] if version and version > day[:4] else []


def _in_force(rtype: str, url: str, headers, day: str) -> str | None:
    """The edition in force on `day` of a yearly codebook, or of a value set whose versions are edition years,
    with several loaded (None otherwise): the one the server answers with when a request names no version
    (Catalog.find_header)."""
    from terminology.editions import dated_by_year, in_force
    held = [h.version for h in headers]
    return in_force(held, day) if dated_by_year(rtype, url, held) else None


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _naming_system_line(h, body: dict | None) -> str:
    """'NamingSystem/no-icd-10-no  NOICD10NO: http://hl7.org/fhir/sid/icd-10-no, 2.16.578.1.12.4.1.1.7110'"""
    ids = [u.get("value") for u in (body or {}).get("uniqueId") or () if isinstance(u, dict) and u.get("value")]
    return f"NamingSystem/{h.id}  {h.name or ''}" + (f": {', '.join(ids)}" if ids else "")


def _marks(body: dict | None) -> list[str]:
    from terminology.identifiers import is_demo
    marks = ["demo"] if is_demo(body) else []
    if (body or {}).get("content") == "fragment":
        marks.append("fragment")
    return marks


# commands contributed by other modules (they attach themselves to `main`)
for _name in ("mappings.cli", "scripts.cli_ops"):
    try:
        importlib.import_module(_name)
    except ModuleNotFoundError as e:
        if e.name != _name:
            raise


if __name__ == "__main__":
    main()
