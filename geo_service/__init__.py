"""geo_service: placing refugee households in flats near the infrastructure and help they need."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("geo_service")  # one source: the package metadata (pyproject.toml)
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
