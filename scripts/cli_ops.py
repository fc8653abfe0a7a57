"""`kodebro remove` and codebook names for `--system`: what operations teams need to keep a store clean.

`remove` deletes demo content, one code system edition, or a value set / concept map, in one transaction through
store.write with a `Derive`, so resources derived from what goes (NKPK editions, an edition's rule value sets)
are kept in step exactly as for a REST DELETE. Without `--yes` it only lists what it would delete.
"""
from __future__ import annotations

import sys

import click

from mappings.cli import cli_module

_cli = cli_module()   # scripts.cli as it is running (mappings/cli.py says why)
_db_option, _open_store, main = _cli._db_option, _cli._open_store, _cli.main


def system_option_names(ctx, param, value):
    """--system callback: a codebook named as Kodebro prints it (ICD-10-NO, ICPC-2, Særkoder ...) becomes its URL;
    a bare word that names no codebook is refused with the names accepted."""
    from terminology.identifiers import codebook_by_name, codebook_names
    if not value:
        return value
    ctx.meta["system_given"] = value      # messages echo the name the user gave
    url = codebook_by_name(value)
    if url:
        return url
    v = value.strip()
    if ":" in v or "/" in v or (v[:1].isdigit() and "." in v):
        return v       # a URL, urn:oid or OID: resolved (with loaded NamingSystem aliases) further on
    raise click.BadParameter(f"'{value}' is not a codebook name Kodebro knows; use a code system URL or OID, or "
                             f"one of: {', '.join(codebook_names())}", ctx=ctx, param=param)


def accept_codebook_names(command_names=("history", "diff-editions", "import")) -> None:
    """Give the `--system` option of these commands the name callback (they live in several modules), and the
    commands that read a loaded codebook a 'did you mean' when the one named is not loaded."""
    for name in command_names:
        cmd = main.commands.get(name)
        for p in getattr(cmd, "params", ()):
            if p.name == "system" and p.callback is None:
                p.callback = system_option_names
        if name != "import" and cmd is not None and not getattr(cmd.callback, "_names_similar", False):
            cmd.callback = _naming_a_similar_codebook(cmd.callback)


def _naming_a_similar_codebook(callback):
    """`diff-editions --system ICD-10` (WHO) with only ICD-10-NO loaded: say 'did you mean ICD-10-NO?' instead
    of only 'not loaded (loaded: none)'. Anything else goes to the command as it is."""
    import functools

    @functools.wraps(callback)
    def run(**kwargs):
        system, db = kwargs.get("system"), kwargs.get("db")
        similar = _similar_loaded(db, system) if system else []
        if similar:
            given = click.get_current_context().meta.get("system_given") or system
            click.echo(f"error: {given} is not loaded; did you mean {' or '.join(similar)}? (`kodebro list` shows "
                       f"what is loaded)", err=True)
            sys.exit(1)
        return callback(**kwargs)
    run._names_similar = True
    return run


def _similar_loaded(db, system: str) -> list[str]:
    """Names of loaded codebooks whose name is like `system`'s, when `system` itself is not loaded."""
    import difflib

    from terminology.identifiers import canonical_system, codebook_label
    store = _open_store(db)
    try:
        loaded = {h.url for h in store.headers("CodeSystem") if h.url}
    finally:
        store.close()
    url = canonical_system(system)
    if url in loaded:
        return []
    given = _key(click.get_current_context().meta.get("system_given") or codebook_label(url))
    out = []
    for other in sorted(loaded):
        name = codebook_label(other)
        k = _key(name)
        if k and given and (k.startswith(given) or given.startswith(k)
                            or difflib.SequenceMatcher(None, k, given).ratio() >= 0.8):
            out.append(name)
    return out


def _key(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


@main.command("remove")
@click.option("--demo", is_flag=True, help="Remove every resource tagged as demo content.")
@click.option("--hl7", is_flag=True,
              help="Remove the HL7 terminology a new store gets (every resource tagged hl7), e.g. before importing "
                   "another release of THO in its place.")
@click.option("--system", default=None, callback=system_option_names,
              help="Code system (URL, OID or name: ICD-10-NO, ICPC-2, NCMP ...) whose --edition to remove.")
@click.option("--edition", default=None, help="The edition (CodeSystem.version) of --system to remove.")
@click.option("--url", default=None, help="Canonical URL of a value set or concept map to remove.")
@click.option("--version", "version", default=None,
              help="With --url: only this version (default: all); '' or '-': only the one without a version.")
@click.option("--no-version", "no_version", is_flag=True,
              help="With --url: only the resource without a version (beside versioned ones at the same url).")
@click.option("--yes", is_flag=True, help="Delete; without it the command only lists what it would delete.")
@_db_option
def remove(demo, hl7, system, edition, url, version, no_version, yes, db):
    """Remove demo content, the HL7 terminology, a code system edition or a value set/concept map (a dry run
    unless --yes)."""
    from terminology.derived import Derive
    from terminology.errors import TerminologyError
    chosen = sum(bool(x) for x in (demo, hl7, system, url))
    if chosen != 1:
        raise click.UsageError("give exactly one of --demo, --hl7, --system S --edition Y, --url U [--version V]")
    if system and not edition:
        raise click.UsageError("--system needs --edition (the edition to remove)")
    if no_version and version is not None:
        raise click.UsageError("give --version V or --no-version, not both")
    store = _open_store(db)
    if demo or hl7:
        from terminology.identifiers import DEMO_TAG, HL7_TAG
        targets = store.tagged(DEMO_TAG if demo else HL7_TAG)
    elif system:
        targets = _edition(store, system, edition)
    else:
        targets = _by_url(store, url, _NO_VERSION if no_version else version)
        _refuse_generated_rule_sets(store, targets)
    if not targets:
        click.echo("nothing to remove" + (": the store holds no demo content" if demo else
                                          ": the store holds no HL7 terminology" if hl7 else ""))
        return
    gone = [(h.type, h.id) for h in targets]
    # what the derivations will do, read (not written) from the store as it is now: the count covers them
    try:
        rebuilt, dropped = Derive([], gone)(store)
    except TerminologyError as err:
        raise click.ClickException(f"{err.message}; nothing was changed")
    derived = sorted(set(dropped) - set(gone))
    click.echo(("removing" if yes else "would remove") + f" {len(targets) + len(derived)} resource(s):")
    for h in targets[:_LISTED]:
        click.echo(f"  {h.type}/{h.id}  {h.url or ''}" + (f"|{h.version}" if h.version else ""))
    if len(targets) > _LISTED:
        # the HL7 terminology is some 5,000 resources: the count says it, a page of names shows what they are
        click.echo(f"  … and {len(targets) - _LISTED} more")
    for rtype, rid in derived:
        click.echo(f"  {rtype}/{rid}  (derived from what is removed)")
    for r in rebuilt:
        click.echo(f"  and rebuild {r.get('resourceType')} {r.get('url')}|{r.get('version')} from what remains")
    if not yes:
        click.echo("dry run: nothing was changed; add --yes to delete")
        return
    derive = Derive([], gone)
    try:
        report = store.write([], delete=gone, derive=derive)
    except TerminologyError as err:
        # one transaction: a store that is locked or gone leaves everything as it was
        raise click.ClickException(f"{err.message}; nothing was changed")
    click.echo(f"deleted {len(report.get('deleted', []))} resource(s)")
    for rtype, rid, *rest in report.get("added", []) + report.get("replaced", []):
        click.echo(f"rebuilt {rtype}/{rid} (derived from what remains)")
    for note in derive.notes:
        click.echo(f"note: {note}")


_LISTED = 200      # resources a dry run names one by one


def _edition(store, system, edition):
    from terminology.identifiers import canonical_system, codebook_label
    from terminology.versions import version_key
    url = canonical_system(system)
    loaded = sorted(store.by_url("CodeSystem", url), key=lambda h: version_key(h.version))
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


_NO_VERSION = object()      # --no-version (or --version '' / '-'): the resource at the url that has no version


def _by_url(store, url, version):
    hs = [h for rtype in ("ValueSet", "ConceptMap", "NamingSystem") for h in store.by_url(rtype, url)]
    if version in ("", "-") and not any(h.version == version for h in hs):
        version = _NO_VERSION       # `kodebro list` and the messages show a missing version as nothing or '-'
    if version is _NO_VERSION:
        hit = [h for h in hs if not h.version]
    else:
        hit = [h for h in hs if version is None or h.version == version]
    if hit:
        return hit
    if hs:
        loaded = ", ".join(h.version or "no version" for h in hs)
        if version is _NO_VERSION:
            why = f"{url} has none without a version (loaded: {loaded})"
        else:
            hint = "; --no-version removes the one without a version" if any(not h.version for h in hs) else ""
            why = f"{url} has no version {version} (loaded: {loaded}){hint}"
    else:
        code_systems = store.by_url("CodeSystem", url)
        why = (f"{url} is a code system: use --system {url} --edition Y" if code_systems
               else f"no value set or concept map with url {url} is loaded (see `kodebro list`)")
    click.echo(f"error: {why}; nothing was changed", err=True)
    sys.exit(1)


def _refuse_generated_rule_sets(store, targets) -> None:
    from terminology.derived import generated_rule_set
    for h in targets:
        if generated_rule_set(store, h):
            click.echo(f"error: {h.url}|{h.version} is generated from ICD-10-NO {h.version} and goes with it: "
                       f"remove the edition instead (`kodebro remove --system ICD-10-NO --edition {h.version}`), "
                       f"or re-import ICD-10-NO {h.version} to rebuild it; nothing was changed", err=True)
            sys.exit(1)


accept_codebook_names()
