"""A PostgreSQL store that cannot be opened: the operator (the CLI, the start-up of `kodebro serve`) reads the
driver's own first line, so a database not yet created, a server not running and a refused login are told
apart, with the URL's password masked; an HTTP client keeps the driver's class only, as the text may name
hosts."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from scripts.cli import main
from terminology import open_store
from terminology.errors import StoreUnavailable
from tests.conftest import free_port
from tests.support.serve_start import serve_start

pytest.importorskip("psycopg")

SECRET = "s3cret-Pw"


def _with_password(url: str, database: str) -> str:
    # postgresql://kodebro@/postgres?host=… -> postgresql://kodebro:<secret>@/<database>?host=…
    return url.replace("kodebro@/postgres?", f"kodebro:{SECRET}@/{database}?")


def test_a_database_not_created_is_named_by_the_cli_without_the_password(postgres_url):
    url = _with_password(postgres_url, "kodebro_not_created")
    r = CliRunner().invoke(main, ["list", "--db", url])
    assert r.exit_code == 1, r.output
    assert 'database "kodebro_not_created" does not exist' in r.output
    assert SECRET not in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_a_server_not_running_is_named_by_the_cli():
    url = f"postgresql://kodebro:{SECRET}@127.0.0.1:{free_port()}/kodebro"
    r = CliRunner().invoke(main, ["list", "--db", url])
    assert r.exit_code == 1, r.output
    assert "Connection refused" in r.output and SECRET not in r.output


def test_the_message_an_http_client_reads_keeps_the_class_only(postgres_url):
    url = _with_password(postgres_url, "kodebro_not_created")
    with pytest.raises(StoreUnavailable) as caught:
        open_store(url)
    assert caught.value.message == "the terminology store cannot be reached: OperationalError"


def test_serve_stops_at_start_up_naming_the_database(postgres_url):
    url = _with_password(postgres_url, "kodebro_not_created")
    code, err, _status = serve_start(["--port", str(free_port())], {"KODEBRO_DB": url}, probe=None, timeout=60)
    assert code == 1
    assert 'database "kodebro_not_created" does not exist' in err and SECRET not in err
    assert "kodebro serving" not in err
