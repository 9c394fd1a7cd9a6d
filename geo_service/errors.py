"""Typed errors shared by the CLI and the HTTP layer (each maps to an exit code and a status)."""

from __future__ import annotations

from typing import Any

from geo_service.i18n.catalogue import N_


class GeoServiceError(Exception):
    """Base class of every error meant for a user; its message is shown as is (write it in
    the current language: ``_("...")``); its title is source text translated when shown."""

    status: int = 400
    title: str = N_("Invalid request")
    exit_code: int = 2

    def __init__(self, message: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class InputError(GeoServiceError):
    """Input that fails validation (a household, a query parameter, a file)."""


class ProfileError(GeoServiceError):
    """A scoring profile that does not validate."""

    title = N_("Invalid scoring profile")


class Unauthorized(GeoServiceError):
    """No API key, or an unknown or revoked one."""

    status = 401
    title = N_("Unauthorized")


class Forbidden(GeoServiceError):
    """The key's role may not do this."""

    status = 403
    title = N_("Forbidden")


class NotFound(GeoServiceError):
    """A referenced object does not exist."""

    status = 404
    title = N_("Not found")


class Conflict(GeoServiceError):
    """The request conflicts with the current state (e.g. a flat already held)."""

    status = 409
    title = N_("Conflict")


class DataLossRefused(Conflict):
    """An operation that would destroy stored data was refused: a schema downgrade dropping
    rows or columns that hold data, a restore over a database that is not empty."""


class PreconditionFailed(GeoServiceError):
    """A write based on a stale version (If-Match names an older ETag)."""

    status = 412
    title = N_("Precondition failed")


class PreconditionRequired(GeoServiceError):
    """A write that must name the version it changes (If-Match) and did not."""

    status = 428
    title = N_("Precondition required")


class NotScored(GeoServiceError):
    """Data is loaded but the scores have not been computed for it yet."""

    status = 409
    title = N_("Not scored yet")


class StaleScores(NotScored):
    """The stored features were computed with another scoring profile than the one served."""

    title = N_("Scored with another profile")


class DatabaseUnavailable(GeoServiceError):
    """The database cannot be reached or is not migrated."""

    status = 503
    title = N_("Database unavailable")
    exit_code = 3


class ConfigurationError(GeoServiceError):
    """A setting that cannot work, or one the database contradicts (e.g. its storage CRS)."""

    status = 503
    title = N_("Service misconfigured")
    exit_code = 2


class ClusterError(GeoServiceError):
    """The embedded PostgreSQL cluster could not be managed."""

    status = 500
    title = N_("Embedded cluster error")
    exit_code = 3
