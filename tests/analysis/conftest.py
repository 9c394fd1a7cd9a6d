"""Analysis fixtures: the API's scored sample database, keys and real server, reused as is."""

from tests.api.conftest import api_engine, keys, sample_database_name, server

__all__ = ["api_engine", "keys", "sample_database_name", "server"]
