"""The seed succession store (tests/successions) for the F9 tests."""
from tests.successions.conftest import catalog, seeded, seeded_client  # noqa: F401
