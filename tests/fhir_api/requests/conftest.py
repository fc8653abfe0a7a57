import pytest

from ._content import stored_client


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    return stored_client(tmp_path_factory.mktemp("requests"))
