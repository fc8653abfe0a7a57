"""No line Kodebro prints shows a PostgreSQL password: the start-up lines name the store with the password
masked where it stands in the URL (user:…@, also with a raw @ in it, and ?password=…), the driver's own line is
left as the driver wrote it (a short password or one equal to the user name does not turn its words into ***),
and a URL the driver cannot read gives one fixed line, none of the driver's text (which quotes the part it
could not read)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from scripts.cli import main

from .conftest import new_database
from terminology import open_store
from terminology.errors import StoreUnavailable
from tests.conftest import free_port
from tests.support.serve_start import serve_start

SECRET = "Hunter2secret"
UNREADABLE = ("Error: the PostgreSQL URL cannot be read: percent-encode the user name and password in it (@ as %40, "
              ": as %3A, / as %2F, % as %25, a space as %20), and give only parameters PostgreSQL knows after ?\n")


@pytest.mark.parametrize("text, shown", [
    ("postgresql://plain:Hunter2secret@127.0.0.1:5432/k3", "postgresql://plain:***@127.0.0.1:5432/k3"),
    ("postgresql://plain@127.0.0.1:5432/k3?password=Hunter2secret",
     "postgresql://plain@127.0.0.1:5432/k3?password=***"),
    ("postgresql://plain@/k3?host=/run/pg&password=Hunter2secret&port=5",
     "postgresql://plain@/k3?host=/run/pg&password=***&port=5"),
    ("postgresql://tricky:p@ss@127.0.0.1:5432/k1", "postgresql://tricky:***@127.0.0.1:5432/k1"),
    ("postgresql://kodebro:kodebro@/kodebro?host=/run/pg", "postgresql://kodebro:***@/kodebro?host=/run/pg"),
    ('for "postgres://u:a/b@h/db" here', 'for "postgres://u:***@h/db" here'),
    # no password: left alone
    ("postgresql://kodebro@/postgres?host=/run/pg&port=5", "postgresql://kodebro@/postgres?host=/run/pg&port=5"),
    ("/var/lib/kodebro/k.db", "/var/lib/kodebro/k.db"),
    ("postgresql://h:5432/db?user=me@server", "postgresql://h:5432/db?user=me@server"),
    ("postgresql://h:5432/db?user=me@server&password=pa@ss", "postgresql://h:5432/db?user=me@server&password=***"),
    ("postgresql://u:pa?ss@h/db", "postgresql://u:***@h/db"),
    ('OperationalError: connection to server failed: FATAL:  database "nodb" does not exist',
     'OperationalError: connection to server failed: FATAL:  database "nodb" does not exist'),
])
def test_the_password_is_masked_where_it_stands(text, shown):
    from terminology.store.postgres import hide_password
    assert hide_password(text) == shown


@pytest.mark.parametrize("form", ["userinfo", "query"])
def test_a_first_start_prints_no_password(postgres_url, form):
    # the test server trusts every login, so the password is read and ignored: the start goes on to serve
    name, _url = new_database(postgres_url)
    if form == "userinfo":
        url = postgres_url.replace("kodebro@/postgres?", f"kodebro:{SECRET}@/{name}?")
        shown = postgres_url.replace("kodebro@/postgres?", f"kodebro:***@/{name}?")
    else:
        url = postgres_url.replace("/postgres?", f"/{name}?") + f"&password={SECRET}"
        shown = postgres_url.replace("/postgres?", f"/{name}?") + "&password=***"
    code, err, _ = serve_start(["--port", str(free_port())], {"KODEBRO_DB": url}, probe=None, timeout=180)
    assert code is None, err
    assert SECRET not in err
    assert f"new store at {shown}: loaded demo content" in err
    assert f"store {shown};" in err


@pytest.mark.parametrize("userinfo", ["plain:Hunter2%zzsecret", "tricky:p@ss:w rd%40x", "tricky:p@ss", "u:pa/ss"])
def test_a_url_the_driver_cannot_read_gives_one_fixed_line(userinfo):
    url = f"postgresql://{userinfo}@127.0.0.1:{free_port()}/k1"
    r = CliRunner().invoke(main, ["list", "--db", url])
    assert r.exit_code == 1 and r.output == UNREADABLE, r.output


def test_an_unknown_parameter_gives_the_fixed_line():
    r = CliRunner().invoke(main, ["list", "--db", f"postgresql://plain@127.0.0.1:{free_port()}/k1?password=a&b=c"])
    assert r.exit_code == 1 and r.output == UNREADABLE, r.output


def test_serve_with_a_url_the_driver_cannot_read_stops_with_the_fixed_line(tmp_path):
    url = f"postgresql://plain:Hunter2%zzsecret@127.0.0.1:{free_port()}/k1"
    code, err, _ = serve_start(["--port", str(free_port())], {"KODEBRO_DB": url}, probe=None)
    assert code == 1 and err == UNREADABLE, err


def test_an_http_client_reads_no_part_of_an_unreadable_url():
    with pytest.raises(StoreUnavailable) as caught:
        open_store(f"postgresql://plain:Hunter2%zzsecret@127.0.0.1:{free_port()}/k1")
    assert "Hunter2" not in caught.value.message and caught.value.__context__ is None


@pytest.mark.parametrize("password", ["o", "kodebro"])
def test_the_drivers_line_is_not_garbled_by_a_short_password_or_the_user_name(postgres_url, password):
    url = postgres_url.replace("kodebro@/postgres?", f"kodebro:{password}@/kodebro_not_created?")
    r = CliRunner().invoke(main, ["list", "--db", url])
    assert r.exit_code == 1
    assert 'FATAL:  database "kodebro_not_created" does not exist' in r.output and "***" not in r.output, r.output
    assert r.output.startswith("Error: the terminology store cannot be reached: OperationalError: connection failed")
