"""Configuration from the environment: what starts, what refuses to start and how."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tumorboard.config import (
    ConfigError,
    flask_config,
    instance_secret_key,
    load_config,
    normalize_database_url,
    private_sqlite_file,
)

GOOD_KEY = "k" * 32


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sqlite:///instance/x.db", "sqlite:///instance/x.db"),
        ("postgresql://tb:pw@db.local:5432/tb", "postgresql+psycopg://tb:pw@db.local:5432/tb"),
        ("postgres://tb@db.local/tb", "postgresql+psycopg://tb@db.local/tb"),
        ("postgresql+psycopg://tb@127.0.0.1:5433/tb", "postgresql+psycopg://tb@127.0.0.1:5433/tb"),
    ],
)
def test_database_urls_are_normalized_to_psycopg3(raw, expected):
    assert normalize_database_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not a url", "not a valid database URL"),
        ("mysql://u@h/db", "must be sqlite:// or postgresql://"),
        ("postgresql+psycopg2://u@h/db", "psycopg driver"),
        ("postgresql:///db", "needs a host"),
    ],
)
def test_bad_database_urls_are_refused(raw, message):
    with pytest.raises(ConfigError, match=message):
        normalize_database_url(raw)


def test_password_in_an_unparseable_url_is_not_repeated():
    with pytest.raises(ConfigError) as error:
        normalize_database_url("postgresql://user:s3cret@@@:port")
    assert "s3cret" not in str(error.value)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TUMORBOARD_ENV": "production", "SECRET_KEY": GOOD_KEY}, "DATABASE_URL is required"),
        ({"TUMORBOARD_ENV": "production", "DATABASE_URL": "sqlite:///x.db"}, "SECRET_KEY is required"),
        ({"TUMORBOARD_ENV": "production", "DATABASE_URL": "sqlite:///x.db", "SECRET_KEY": "short"}, "at least 16"),
        ({"TUMORBOARD_ENV": "staging"}, "TUMORBOARD_ENV must be one of"),
        ({"TUMORBOARD_ENV": "development", "TIMEZONE": "Mars/Olympus"}, "TIMEZONE"),
    ],
)
def test_settings_that_cannot_work_are_refused(env, message):
    with pytest.raises(ConfigError, match=message):
        load_config(env)


def test_development_defaults_to_sqlite_in_instance_and_a_key_of_its_own():
    settings = load_config({"TUMORBOARD_ENV": "development"})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("instance/tumorboard.db")
    assert settings.secret_key is None and settings.timezone == "America/New_York"  # made in instance/ by create_app
    assert load_config({"TUMORBOARD_ENV": "test"}).secret_key


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_the_instance_key_is_random_made_once_and_private(tmp_path):
    first, second = tmp_path / "one" / "instance", tmp_path / "two" / "instance"
    key = instance_secret_key(first)
    assert len(key) == 64 and instance_secret_key(first) == key and instance_secret_key(second) != key
    assert _mode(first / "secret_key") == 0o600 and _mode(first) == 0o700
    assert [p.name for p in first.iterdir()] == ["secret_key"]  # no draft left behind


def test_a_damaged_instance_key_refuses_to_start_with_what_to_do(tmp_path):
    (tmp_path / "secret_key").write_text("short")
    with pytest.raises(ConfigError, match="delete it and a new one is made"):
        instance_secret_key(tmp_path)


def test_the_sqlite_database_file_is_readable_by_its_owner_only(tmp_path):
    new, old = tmp_path / "data" / "new.db", tmp_path / "old.db"
    private_sqlite_file(f"sqlite:///{new}")
    assert _mode(new) == 0o600 and _mode(new.parent) == 0o700
    old.write_bytes(b"")
    old.chmod(0o644)
    folder = _mode(tmp_path)
    private_sqlite_file(f"sqlite:///{old}")
    assert _mode(old) == 0o600 and _mode(tmp_path) == folder  # a folder of the user's choosing is left as it is
    private_sqlite_file("sqlite://")  # in memory: nothing to protect


def test_make_run_signs_sessions_with_its_own_key_and_keeps_its_files_private(tmp_path, monkeypatch):
    import tumorboard

    monkeypatch.setattr(tumorboard, "INSTANCE_DIR", tmp_path / "instance")
    monkeypatch.setenv("TUMORBOARD_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'instance' / 'tumorboard.db'}")
    app = tumorboard.create_app()
    assert app.config["SECRET_KEY"] == (tmp_path / "instance" / "secret_key").read_text()
    assert app.config["SECRET_KEY"] not in ("dev-only-not-secret", "test-only-not-secret")
    assert _mode(tmp_path / "instance" / "tumorboard.db") == 0o600 and _mode(tmp_path / "instance") == 0o700


def test_production_with_everything_set_loads():
    settings = load_config(
        {
            "TUMORBOARD_ENV": "production",
            "DATABASE_URL": "postgresql://tb@db/tb",
            "SECRET_KEY": GOOD_KEY,
            "PROGRAM_NAME": "Mercy Cancer Center",
        }
    )
    assert settings.program_name == "Mercy Cancer Center"
    assert settings.database_url == "postgresql+psycopg://tb@db/tb"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TUMORBOARD_ENV": "production", "DATABASE_URL": "sqlite:///x.db"}, "SECRET_KEY is required"),
        (
            {"TUMORBOARD_ENV": "production", "SECRET_KEY": GOOD_KEY, "DATABASE_URL": "mysql://x@y/z"},
            "DATABASE_URL must be",
        ),
    ],
)
def test_start_up_with_bad_settings_prints_one_line_not_a_traceback(env, message):
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "TUMORBOARD_ENV")}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_gunicorn_loads_the_wsgi_app(tmp_path):
    env = {
        **os.environ,
        "TUMORBOARD_ENV": "production",
        "SECRET_KEY": GOOD_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "wsgi:app"],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_reports_folder_comes_from_the_environment_or_defaults_beside_the_package():
    assert (
        load_config({"TUMORBOARD_ENV": "development", "REPORTS_DIR": "/srv/tumorboard/reports"}).reports_dir
        == "/srv/tumorboard/reports"
    )
    assert load_config({"TUMORBOARD_ENV": "development"}).reports_dir.endswith("/reports")


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("", 30), ("15", 15), ("1440", 1440), ("0", None), ("thirty", None), ("-5", None), ("1441", None)],
)
def test_session_idle_minutes(value, accepted):
    env = {"TUMORBOARD_ENV": "development", "SESSION_IDLE_MINUTES": value}
    if accepted is None:
        with pytest.raises(ConfigError, match="SESSION_IDLE_MINUTES must be a whole number from 1 to 1440"):
            load_config(env)
    else:
        assert load_config(env).idle_minutes == accepted


@pytest.mark.parametrize(
    ("environment", "method"), [("production", "scrypt"), ("development", "scrypt"), ("test", "scrypt:1024:8:1")]
)
def test_passwords_are_hashed_at_full_strength_outside_the_test_suite(environment, method):
    env = {"TUMORBOARD_ENV": environment, "DATABASE_URL": "sqlite:///x.db", "SECRET_KEY": GOOD_KEY}
    assert flask_config(load_config(env))["PASSWORD_HASH_METHOD"] == method


def test_the_production_method_is_werkzeugs_full_scrypt():
    from werkzeug.security import generate_password_hash

    env = {"TUMORBOARD_ENV": "production", "DATABASE_URL": "sqlite:///x.db", "SECRET_KEY": GOOD_KEY}
    stored = generate_password_hash(
        "a long passphrase here", method=flask_config(load_config(env))["PASSWORD_HASH_METHOD"]
    )
    assert stored.startswith("scrypt:32768:8:1$")


@pytest.mark.parametrize(("raw", "expected"), [("", 0), ("1", 1), ("2", 2)])
def test_trusted_proxies_is_opt_in(raw, expected):
    assert load_config({"TUMORBOARD_ENV": "development", "TRUSTED_PROXIES": raw}).trusted_proxies == expected


@pytest.mark.parametrize(("environment", "raw", "expected"), [
    ("production", "", 31536000), ("production", "0", 0), ("development", "", 0), ("test", "", 0),
])
def test_browsers_are_told_to_keep_to_https_in_production_unless_the_proxy_says_it(environment, raw, expected):
    env = {"TUMORBOARD_ENV": environment, "HSTS_SECONDS": raw, "SECRET_KEY": "x" * 32, "DATABASE_URL": "sqlite:///x.db"}
    assert flask_config(load_config(env))["HSTS_SECONDS"] == expected


@pytest.mark.parametrize("raw", ["-1", "yes", "9"])
def test_trusted_proxies_must_be_a_small_count(raw):
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES must be a whole number from 0 to 5"):
        load_config({"TUMORBOARD_ENV": "development", "TRUSTED_PROXIES": raw})
