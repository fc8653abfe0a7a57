"""`kodebro remove` and codebook names for `--system`: what operations teams need to keep a store clean.

`remove` deletes demo content, one code system edition, or a value set / concept map, in one transaction through
store.write with a `Derive`, so resources derived from what goes (NKPK editions, an edition's rule value sets)
are kept in step exactly as for a REST DELETE. Without `--yes` it only lists what it would delete.
"""
from __future__ import annotations

import sys

import click



def _cli_module():
    """scripts.cli as it is running: under `python -m scripts.cli` that is __main__, not a second import."""
    m = sys.modules.get("__main__")
    spec = getattr(m, "__spec__", None)
    if spec is not None and spec.name == "scripts.cli":
        return m
    import importlib
    return importlib.import_module("scripts.cli")


_cli = _cli_module()
_db_option, _open_store, main = _cli._db_option, _cli._open_store, _cli.main


def system_option_names(ctx, param, value):
    """--system callback: a codebook named as Kodebro prints it (ICD-10-NO, ICPC-2, Særkoder ...) becomes its URL;
    a bare word that names no codebook is refused with the names accepted."""
    from terminology.identifiers import codebook_by_name, codebook_names
    if not value:
        return value
    url = codebook_by_name(value)
    if url:
        return url
    v = value.strip()
    if ":" in v or "/" in v or (v[:1].isdigit() and "." in v):
        return v       # a URL, urn:oid or OID: resolved (with loaded NamingSystem aliases) further on
    raise click.BadParameter(f"'{value}' is not a codebook name Kodebro knows; use a code system URL or OID, or "
                             f"one of: {', '.join(codebook_names())}", ctx=ctx, param=param)


def accept_codebook_names(command_names=("history", "diff-editions", "import")) -> None:
    """Give the `--system` option of these commands the name callback (they live in several modules)."""
    for name in command_names:
        cmd = main.commands.get(name)
        for p in getattr(cmd, "params", ()):
            if p.name == "system" and p.callback is None:
                p.callback = system_option_names


@main.command("remove")
@click.option("--demo", is_flag=True, help="Remove every resource tagged as demo content.")
@click.option("--system", default=None, callback=system_option_names,
              help="Code system (URL, OID or name: ICD-10-NO, ICPC-2, NCMP ...) whose --edition to remove.")
@click.option("--edition", default=None, help="The edition (CodeSystem.version) of --system to remove.")
@click.option("--url", default=None, help="Canonical URL of a value set or concept map to remove.")
@click.option("--version", "version", default=None, help="With --url: only this version (default: all).")
@click.option("--yes", is_flag=True, help="Delete; without it the command only lists what it would delete.")
@_db_option
def remove(demo, system, edition, url, version, yes, db):
    """Remove demo content, a code system edition or a value set/concept map (a dry run unless --yes)."""
    from terminology.derived import Derive
    chosen = sum(bool(x) for x in (demo, system, url))
    if chosen != 1:
        raise click.UsageError("give exactly one of --demo, --system S --edition Y, --url U [--version V]")
    if system and not edition:
        raise click.UsageError("--system needs --edition (the edition to remove)")
    store = _open_store(db)
    if demo:
        targets = _demo(store)
    elif system:
        targets = _edition(store, system, edition)
    else:
        targets = _by_url(store, url, version)
    if not targets:
        click.echo("nothing to remove" + (": the store holds no demo content" if demo else ""))
        return
    click.echo(("removing" if yes else "would remove") + f" {len(targets)} resource(s):")
    for h in targets:
        click.echo(f"  {h.type}/{h.id}  {h.url or ''}" + (f"|{h.version}" if h.version else ""))
    gone = [(h.type, h.id) for h in targets]
    if not yes:
        # what the derivations would do, read (not written) from the store as it is now
        rebuilt, dropped = Derive([], gone)(store)
        for rtype, rid in sorted(set(dropped) - set(gone)):
            click.echo(f"  {rtype}/{rid}  (derived from what is removed)")
        for r in rebuilt:
            click.echo(f"  and rebuild {r.get('resourceType')}/{r.get('id')} from what remains")
        click.echo("dry run: nothing was changed; add --yes to delete")
        return
    derive = Derive([], gone)
    report = store.write([], delete=gone, derive=derive)
    click.echo(f"deleted {len(report.get('deleted', []))} resource(s)")
    for rtype, rid, *rest in report.get("added", []) + report.get("replaced", []):
        click.echo(f"rebuilt {rtype}/{rid} (derived from what remains)")
    for note in derive.notes:
        click.echo(f"note: {note}")


def _demo(store):
    from terminology.identifiers import is_demo
    return [h for h in store.headers() if is_demo(store.body(h.pk))]


def _edition(store, system, edition):
    from terminology.identifiers import canonical_system, codebook_label
    from terminology.versions import version_key
    url = canonical_system(system)
    loaded = sorted((h for h in store.headers("CodeSystem") if h.url == url), key=lambda h: version_key(h.version))
    hit = [h for h in loaded if h.version == edition]
    if hit:
        return hit
    name = codebook_label(url)
    if loaded:
        why = f"edition {edition} of {name} is not loaded (loaded: {', '.join(h.version or '-' for h in loaded)})"
    else:
        systems = sorted({codebook_label(h.url) + (f" ({h.url})" if codebook_label(h.url) != h.url else "")
                          for h in store.headers("CodeSystem") if h.url})
        why = f"{name} is not loaded; loaded code systems: {', '.join(systems) or 'none'}"
    click.echo(f"error: {why}; nothing was changed", err=True)
    sys.exit(1)


def _by_url(store, url, version):
    hs = [h for h in store.headers() if h.url == url and h.type in ("ValueSet", "ConceptMap", "NamingSystem")]
    hit = [h for h in hs if version is None or h.version == version]
    if hit:
        return hit
    if hs:
        why = f"{url} has no version {version} (loaded: {', '.join(h.version or '-' for h in hs)})"
    else:
        code_systems = [h for h in store.headers("CodeSystem") if h.url == url]
        why = (f"{url} is a code system: use --system {url} --edition Y" if code_systems
               else f"no value set or concept map with url {url} is loaded (see `kodebro list`)")
    click.echo(f"error: {why}; nothing was changed", err=True)
    sys.exit(1)


accept_codebook_names()
