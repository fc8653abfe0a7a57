import pytest

from tests.support.tx_files import stored_client

from ._content import content


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    return stored_client(tmp_path_factory.mktemp("requests"), content())
