"""Configuration read from the environment.

`load_config` is pure (it takes a mapping) so the rules are testable without an
app; `create_app` turns a `ConfigError` into a one-line message at start-up and
keeps the instance folder private (`instance_secret_key`, `private_sqlite_file`).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from tumorboard.storage import create_private_file, private_folder, write_private_file
from tumorboard.vocab import Role, Specialty

ENVIRONMENTS = ("development", "production", "test")
HSTS_DEFAULT = 365 * 24 * 3600  # a year: what browsers' preload lists ask for
INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"
# The test suite's fixed key. Development without SECRET_KEY gets a random key of its own in instance/secret_key;
# production requires SECRET_KEY. Never accepted in production.
TEST_SECRET_KEY = "test-only-not-secret"
# Still scrypt, at a 32nd of the cost (OpenSSL refuses lower N with r=8): tests prove the rules of passwords, not the
# strength of the hash.
TEST_PASSWORD_HASH_METHOD = "scrypt:1024:8:1"


class ConfigError(Exception):
    """A setting that makes the application unable to start."""


@dataclass(frozen=True)
class SingleSignOn:
    """Sign-in with the hospital's OpenID Connect provider (docs/security.md "Hospital sign-in")."""

    issuer: str  # exactly as the provider's discovery document states it
    client_id: str
    client_secret: str
    name: str = "the hospital"  # the button says "Sign in with <name>"
    scopes: str = "openid email profile"
    create_users: bool = False  # first sign-in of someone unknown: a user without roles, or a refusal
    groups_claim: str = "groups"
    group_roles: tuple[tuple[str, Role], ...] = ()  # (group, role): the directory decides these roles
    group_specialties: tuple[tuple[str, Specialty], ...] = ()
    local_login: bool = True  # False: passwords only for the break-glass accounts
    break_glass: frozenset[str] = frozenset()  # user names, lower case

    @property
    def metadata_url(self) -> str:
        """Where the provider describes itself (OpenID Connect Discovery)."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def password_allowed(self, username: str) -> bool:
        """Whether this user name may sign in with a local password."""
        return self.local_login or username.strip().lower() in self.break_glass


@dataclass(frozen=True)
class Settings:
    """The environment's settings, validated."""

    environment: str
    database_url: str
    secret_key: str | None  # None: development's own random key, from instance/secret_key (create_app)
    timezone: str
    program_name: str
    reports_dir: str
    idle_minutes: int = 30
    session_hours: int = 12
    trusted_proxies: int = 0
    hsts_seconds: int = 0
    single_sign_on: SingleSignOn | None = None


def normalize_database_url(raw: str) -> str:
    """Validate a database URL and pin PostgreSQL to the psycopg 3 driver."""
    try:
        url: URL = make_url(raw)
    except (ArgumentError, ValueError):
        raise ConfigError(f"DATABASE_URL is not a valid database URL: {_redacted(raw)}") from None
    backend = url.get_backend_name()
    if backend == "postgres":
        url = url.set(drivername="postgresql+psycopg")
    elif backend == "postgresql":
        if url.get_driver_name() not in ("psycopg", ""):
            raise ConfigError("DATABASE_URL must use the psycopg driver (postgresql+psycopg://...)")
        url = url.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise ConfigError(f"DATABASE_URL must be sqlite:// or postgresql://, not {backend}://")
    if url.get_backend_name() == "postgresql" and not (url.host or url.query.get("host")):
        raise ConfigError("DATABASE_URL for PostgreSQL needs a host")
    return url.render_as_string(hide_password=False)


def _redacted(raw: str) -> str:
    """Hide anything that looks like a password in a URL we could not parse."""
    if "@" in raw and "://" in raw:
        scheme, rest = raw.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[-1]}"
    return raw


def load_config(env: dict[str, str] | os._Environ) -> Settings:
    """Read and validate the settings from an environment mapping."""
    environment = env.get("TUMORBOARD_ENV", "production").strip().lower()
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"TUMORBOARD_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}")

    raw_url = env.get("DATABASE_URL", "").strip()
    if not raw_url:
        if environment == "production":
            raise ConfigError("DATABASE_URL is required in production (e.g. postgresql+psycopg://user@host/db)")
        raw_url = f"sqlite:///{INSTANCE_DIR / 'tumorboard.db'}"
    database_url = normalize_database_url(raw_url)

    secret_key = env.get("SECRET_KEY", "").strip()
    if not secret_key:
        if environment == "production":
            raise ConfigError(
                "SECRET_KEY is required in production (e.g. python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        secret_key = TEST_SECRET_KEY if environment == "test" else None
    elif environment == "production" and (secret_key == TEST_SECRET_KEY or len(secret_key) < 16):
        raise ConfigError("SECRET_KEY must be a random value of at least 16 characters in production")

    timezone = env.get("TIMEZONE", "America/New_York").strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIMEZONE is not a known IANA time zone: {timezone!r}") from None

    program_name = env.get("PROGRAM_NAME", "").strip() or "TumorBoard Cancer Program"
    # Issued letters and exports are filed here (names carry no patient data).
    reports_dir = env.get("REPORTS_DIR", "").strip() or str(INSTANCE_DIR.parent / "reports")
    idle_minutes = _whole_setting(env, "SESSION_IDLE_MINUTES", 30, 1, 24 * 60)
    session_hours = _whole_setting(env, "SESSION_HOURS", 12, 1, 24 * 30)
    # Opt in only behind a proxy that sets X-Forwarded-For: otherwise any client could choose its own address.
    trusted_proxies = _whole_setting(env, "TRUSTED_PROXIES", 0, 0, 5)
    # Browsers keep to HTTPS for this long once they have seen the header; 0 leaves it to a TLS proxy that adds it.
    hsts_default = HSTS_DEFAULT if environment == "production" else 0
    hsts_seconds = _whole_setting(env, "HSTS_SECONDS", hsts_default, 0, 2 * HSTS_DEFAULT)
    return Settings(
        environment,
        database_url,
        secret_key,
        timezone,
        program_name,
        reports_dir,
        idle_minutes,
        session_hours,
        trusted_proxies,
        hsts_seconds,
        single_sign_on(env, production=environment == "production"),
    )


def single_sign_on(env: dict[str, str] | os._Environ, production: bool) -> SingleSignOn | None:
    """The OIDC_* settings: none (local passwords only) or all three of issuer, client id and secret."""
    issuer, client_id, secret = (
        env.get(f"OIDC_{name}", "").strip() for name in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET")
    )
    if not (issuer or client_id or secret):
        if _switch(env, "LOCAL_LOGIN", True) is False:
            raise ConfigError(
                "LOCAL_LOGIN=off needs hospital sign-in: set OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET"
            )
        return None
    if not (issuer and client_id and secret):
        raise ConfigError("Hospital sign-in needs all of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET")
    parts = urlsplit(issuer)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"OIDC_ISSUER must be the provider's https:// address, not {issuer!r}")
    if parts.scheme == "http" and (production or not local):
        raise ConfigError(
            "OIDC_ISSUER must use https:// (plain http only for a provider on this machine, outside production)"
        )
    scopes = " ".join(env.get("OIDC_SCOPES", "").split()) or "openid email profile"
    if "openid" not in scopes.split():
        raise ConfigError(f"OIDC_SCOPES must include openid, not {scopes!r}")
    return SingleSignOn(
        issuer=issuer,
        client_id=client_id,
        client_secret=secret,
        name=env.get("OIDC_NAME", "").strip()[:60] or "the hospital",
        scopes=scopes,
        create_users=bool(_switch(env, "OIDC_CREATE_USERS", False)),
        groups_claim=env.get("OIDC_GROUPS_CLAIM", "").strip() or "groups",
        group_roles=_group_map(env, "OIDC_GROUP_ROLES", Role),
        group_specialties=_group_map(env, "OIDC_GROUP_SPECIALTIES", Specialty),
        local_login=bool(_switch(env, "LOCAL_LOGIN", True)),
        break_glass=frozenset(name.lower() for name in env.get("BREAK_GLASS_ACCOUNTS", "").replace(",", " ").split()),
    )


def _switch(env: dict[str, str] | os._Environ, name: str, default: bool) -> bool:
    """An on/off setting (on, yes, true, 1 / off, no, false, 0)."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("on", "yes", "true", "1"):
        return True
    if raw in ("off", "no", "false", "0"):
        return False
    raise ConfigError(f"{name} must be on or off, not {raw!r}")


def _group_map(env: dict[str, str] | os._Environ, name: str, kind: type[Role] | type[Specialty]) -> tuple:
    """`group=value; group=value` pairs, each value a code of `kind` (a group may grant several roles)."""
    pairs = []
    for item in filter(None, (part.strip() for part in env.get(name, "").split(";"))):
        group, _, code = (text.strip() for text in item.rpartition("="))
        value = kind.from_code(code.lower())
        if not group or value is None:
            raise ConfigError(f"{name}: {item!r} is not group=one of {', '.join(kind)}")
        pairs.append((group, value))
    return tuple(pairs)


def _whole_setting(env: dict[str, str] | os._Environ, name: str, default: int, low: int, high: int) -> int:
    """A whole-number setting within [low, high]."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, not {raw!r}")
    return int(raw)


def instance_secret_key(directory: Path) -> str:
    """This installation's own session-signing key: made once, random, readable by its owner only (0600, folder 0700).

    A key in the source would let anyone who has read it forge a session cookie for any user of `make run`.
    """
    private_folder(directory, narrow=True)
    path = directory / "secret_key"
    if not path.exists():
        # Written aside, then linked into place: a second process starting at once reads a whole key, never half of one.
        draft = directory / f".secret_key.{os.getpid()}"
        write_private_file(draft, secrets.token_hex(32).encode("ascii"))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # the other process's key is the key
        finally:
            draft.unlink()
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ConfigError(f"{path} holds no usable key: delete it and a new one is made (everyone signs in again)")
    return key


def private_sqlite_file(database_url: str) -> None:
    """An SQLite database file (patient data) readable by its owner only: made 0600 (a new folder 0700), or narrowed
    to it.

    An empty file is an empty database; SQLite gives its journal and WAL files the database file's permissions.
    """
    database = make_url(database_url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        create_private_file(Path(database))


def flask_config(settings: Settings) -> dict[str, object]:
    """The Flask configuration mapping for validated settings."""
    production = settings.environment == "production"
    # hide_parameters: a database error's text never quotes the values (patient data) it was sent with.
    engine_options: dict[str, object] = {"pool_pre_ping": True, "hide_parameters": True}
    if settings.database_url.startswith("sqlite"):
        # The live conference page and the dev server use threads.
        engine_options = {"connect_args": {"check_same_thread": False}, "hide_parameters": True}
    return {
        "ENVIRONMENT": settings.environment,
        "TESTING": settings.environment == "test",
        "SECRET_KEY": settings.secret_key,
        "SQLALCHEMY_DATABASE_URI": settings.database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "TIMEZONE": settings.timezone,
        "PROGRAM_NAME": settings.program_name,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        # A session ends after this long whatever happens, and after SESSION_IDLE_MINUTES without a request.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=settings.session_hours),
        "SESSION_IDLE_MINUTES": settings.idle_minutes,
        "TRUSTED_PROXIES": settings.trusted_proxies,
        "HSTS_SECONDS": settings.hsts_seconds,
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BOOTSTRAP_BTN_STYLE": "primary",
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "REPORTS_DIR": settings.reports_dir,
        # Failed logins before the next attempt is made to wait.
        "LOGIN_FREE_ATTEMPTS": 5,
        # The public second-opinion forms: posts an hour from one address, and from everyone together
        # (second_opinions.operations.count_public_post); a post's size; an outside record's file.
        "PUBLIC_FORM_POSTS_PER_ADDRESS": 10,
        "PUBLIC_FORM_POSTS_OVERALL": 300,
        "PUBLIC_FORM_MAX_BYTES": 64 * 1024,
        "RECORD_FILE_MAX_BYTES": 15 * 1024 * 1024,
        # werkzeug's scrypt (N=2**15, r=8, p=1) everywhere but the test suite, which hashes thousands of passwords.
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD if settings.environment == "test" else "scrypt",
        # Accreditation reports kept per process while their data is unchanged (reports/freshness.py); 0: none.
        "REPORT_CACHE_SIZE": 16,
        "WTF_CSRF_ENABLED": True,
        # Hospital sign-in (OpenID Connect), or None: local passwords only.
        "SINGLE_SIGN_ON": settings.single_sign_on,
    }
