"""All settings of geo_service in one pydantic-settings object (env prefix ``GEO_SERVICE_``)."""

from __future__ import annotations

import os
import secrets
import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from geo_service import webassets
from geo_service.i18n import _

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = ".geo_service"
# The secret shipped in earlier versions: refused outside loopback like any short secret.
OLD_DEFAULT_SECRET = "change-me-in-production-geo-service"
MIN_SECRET_CHARS = 32


def is_checkout(path: Path) -> bool:
    """Tell whether ``path`` is a geo_service checkout (its pyproject.toml names the project)."""
    try:
        project = tomllib.loads((path / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return project.get("project", {}).get("name") == "geo_service"


def find_checkout(start: Path | None = None) -> Path | None:
    """The checkout containing ``start`` (default: the working directory), walking upwards;
    else the checkout this package was installed from (editable install); else None."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / STATE_DIR).is_dir() or is_checkout(folder):
            return folder
    return PROJECT_ROOT if is_checkout(PROJECT_ROOT) else None


def default_home() -> Path:
    """``.geo_service`` of the checkout found from any working directory, or a per-user
    directory (``$XDG_DATA_HOME/geo_service``, default ``~/.local/share/geo_service``)."""
    root = find_checkout()
    if root is not None:
        return root / STATE_DIR
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "geo_service"


def default_maps_dir() -> Path:
    """``maps/`` of the checkout (found as for the state directory), else of the working
    directory."""
    return (find_checkout() or Path.cwd()) / "maps"


class Settings(BaseSettings):
    """Runtime configuration; every value can be set from the environment."""

    model_config = SettingsConfigDict(env_prefix="GEO_SERVICE_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "GEO_SERVICE_DATABASE_URL"),
        description="External PostGIS (SQLAlchemy URL) the service connects to, as a role "
        "without DDL rights. Unset: the embedded cluster is used.",
    )
    migration_database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "MIGRATION_DATABASE_URL", "GEO_SERVICE_MIGRATION_DATABASE_URL"
        ),
        description="External PostGIS as the schema owner, for `db migrate` only. Unset: "
        "DATABASE_URL (one role for both) or the embedded cluster's owner role.",
    )
    home: Path = Field(
        default_factory=default_home,
        description="State directory (embedded cluster, generated secret): .geo_service of the "
        "checkout found from the working directory upwards, else a per-user directory.",
    )
    pg_bin: Path = Path("/usr/lib/postgresql/15/bin")
    pg_os_user: str = Field(
        default="postgres", description="Unprivileged OS user that runs the cluster when root."
    )
    db_name: str = "geo_service"
    db_user: str = Field(default="geo_service", description="Embedded cluster's superuser.")
    db_owner: str = Field(
        default="geo_service_owner", description="Embedded role owning the schema (migrations)."
    )
    db_service_user: str = Field(
        default="geo_service_app", description="Embedded role the service connects as (DML)."
    )
    pool_size: int = 5
    pool_max_overflow: int = 10
    db_connect_timeout_s: int = 3
    key_cache_ttl_s: float = Field(
        default=5.0,
        ge=0,
        description="Seconds an API key's check is reused while nothing changed (a revocation "
        "is seen on the next request regardless: it moves the state version).",
    )
    ranker_cache_size: int = Field(
        default=4, ge=1, description="Rankers (one per profile version) a server keeps loaded."
    )
    ranker_disk_files: int = Field(
        default=8,
        ge=1,
        description="Rankers the command line keeps on disk (one per database and profile, "
        "about 15 MB each for the sample), the newest; older ones are deleted.",
    )

    crs: str = Field(
        default="EPSG:25832",
        description="Storage CRS of this deployment: a projected CRS in metres with an EPSG code "
        "(EPSG:25832 west of 12°E in Germany, EPSG:25833 east of it, the UTM zone elsewhere); "
        "recorded by the first `db migrate` and checked on every start.",
    )

    data_dir: Path = PROJECT_ROOT / "data"
    profile_path: Path = PROJECT_ROOT / "data" / "profiles" / "salzgitter.toml"
    maps_dir: Path = Field(default_factory=default_maps_dir)
    web_assets_dir: Path = Field(
        default=webassets.PACKAGE_DIR,
        description="The web assets the maps and /docs load, in npm's layout: the copy in the "
        "package (made by `make npm` or the wheel's build), or a node_modules folder.",
    )
    map_language: str = Field(default="de", pattern="^(de|en)$", description="Map labels.")
    language: str = Field(
        default="de",
        pattern="^(de|en)$",
        description="Language of every text for people (API answers, pages, CLI) when a request "
        "(Accept-Language) or command (--lang) asks for none we have.",
    )
    map_tile_url: str | None = Field(
        default=None, description="XYZ tile URL of a local tile server; none: no base layer."
    )

    timezone: str = Field(
        default="Europe/Berlin",
        description="The city's time zone (IANA name): times on pages, sheets and in messages are "
        "local times.",
    )

    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 1024 * 1024
    reservation_hold_minutes: int = 60 * 24
    offer_hold_days: int = Field(
        default=7,
        ge=1,
        le=90,
        description="Days an offer of a flat to a waiting household holds the flat for it: "
        "nobody else can reserve it or be offered it until the offer is declined or lapses "
        "(the household can still reserve it afterwards while nobody else has).",
    )
    demo_key_hours: int = Field(default=24, ge=1, description="Lifetime of `demo` API keys.")
    privacy_retention_days: int = Field(
        default=180,
        ge=0,
        description="Days after a household moved or was withdrawn (a hold ended, an allocation "
        "run was made) before `privacy purge` anonymises it: its case reference hash and "
        "accommodation unit are removed (GDPR Art. 5(1)(e)).",
    )
    privacy_purge_interval_hours: float = Field(
        default=24.0,
        ge=0,
        description="How often the server runs `privacy purge` itself (one worker at a time, "
        "under a database lock); 0: never (run it from cron instead).",
    )
    session_idle_minutes: int = Field(
        default=30,
        ge=1,
        le=24 * 60,
        description="A browser session ends after this many minutes without a request.",
    )
    session_max_hours: int = Field(
        default=10, ge=1, le=72, description="A browser session ends this long after the login."
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="Failed logins of one login (four times as many from one address) within "
        "login_throttle_minutes after which further attempts are refused until they age out.",
    )
    login_throttle_minutes: int = Field(
        default=15, ge=1, description="The window of the login throttle, in minutes."
    )
    secret_key: str | None = Field(
        default=None,
        description="Server secret for keyed hashes of case references and session cookies "
        "(HMAC-SHA256). Unset: one generated per installation in the state directory.",
    )


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (cached; call ``get_settings.cache_clear()`` in tests)."""
    return Settings()


def secret_file(settings: Settings) -> Path:
    """Where the generated per-installation secret lives (mode 600)."""
    return settings.home / "secret"


def server_secret(settings: Settings | None = None) -> str:
    """The configured secret, or the one generated for this installation on first use."""
    settings = settings or get_settings()
    if settings.secret_key:
        return settings.secret_key
    return _stored_secret(secret_file(settings))


@lru_cache
def _stored_secret(path: Path) -> str:
    """Read the secret at ``path``, creating it (random, mode 600) if it does not exist."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written completely under a private name, then linked into place: processes starting
        # at once never read a half-written file, and the first link wins.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="utf-8").strip()


def weak_secret(settings: Settings) -> str | None:
    """Why the configured secret must not be used on a public interface (None: it is fine)."""
    if not settings.secret_key:
        return None
    if settings.secret_key == OLD_DEFAULT_SECRET:
        return _("GEO_SERVICE_SECRET_KEY is the published default")
    if len(settings.secret_key) < MIN_SECRET_CHARS:
        return _("GEO_SERVICE_SECRET_KEY is shorter than {n} characters").format(n=MIN_SECRET_CHARS)
    return None
