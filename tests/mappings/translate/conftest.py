"""The $translate tests here run on the code system operations' store (tests/codesystem_operations/conftest.py)
and its stored-content client."""
from tests.codesystem_operations.conftest import catalog, cs_app, cs_client  # noqa: F401
from tests.codesystem_operations.simple_requests import stored  # noqa: F401
