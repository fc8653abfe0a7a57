"""Finding 8: a --db that is a directory or not an SQLite file is named in one line, never a traceback."""
import pytest

from terminology import open_store
from terminology.errors import TerminologyError

from .import_cli import ICPC2_NAV, kodebro


@pytest.mark.parametrize("command", [["import", ICPC2_NAV, "--edition", "2026"], ["list"]])
def test_a_directory_as_store(tmp_path, command):
    folder = tmp_path / "d"
    folder.mkdir()
    rc, out = kodebro(*command, "--db", folder)
    assert rc == 1
    assert f"cannot open the store at {folder}: it is a directory" in out


@pytest.mark.parametrize("command", [["import", ICPC2_NAV, "--edition", "2026"], ["list"]])
def test_a_file_that_is_not_a_database(tmp_path, command):
    junk = tmp_path / "g.db"
    junk.write_text("garbage, not a database\n" * 10)
    rc, out = kodebro(*command, "--db", junk)
    assert rc == 1
    assert f"cannot open the store at {junk}: not an SQLite database" in out
    assert junk.read_text().startswith("garbage")


def test_the_engine_raises_its_own_error(tmp_path):
    junk = tmp_path / "g.db"
    junk.write_bytes(b"\x00\x01 not sqlite" * 100)
    with pytest.raises(TerminologyError, match="not an SQLite database"):
        open_store(str(junk))


@pytest.mark.parametrize("command", [["history", "--system", "ICD10NO", "A00"],
                                     ["diff-editions", "--system", "ICD10NO", "--from", "2025", "--to", "2026"]])
def test_the_mapping_commands_too(tmp_path, command):
    folder = tmp_path / "d"
    folder.mkdir()
    rc, out = kodebro(*command, "--db", folder)
    assert rc == 1 and "it is a directory" in out
