"""The store tests' PostgreSQL server (tests/store/conftest.py), reused: one server per session."""
from tests.store.conftest import pg_store, postgres_server, postgres_url  # noqa: F401
