"""Configuration from the environment, with defaults that work on a fresh machine."""
from evalapp import config, create_app


def test_secret_key_is_generated_once_and_kept_under_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.secret_key(str(tmp_path))
    assert len(first) == 64 and (tmp_path / "secret_key").read_text() == first
    assert config.secret_key(str(tmp_path)) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_workers_starting_together_read_one_whole_key(tmp_path, monkeypatch):
    """Many processes at once: each reads the same 64-character key, never an empty or half-written file."""
    import multiprocessing

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with multiprocessing.get_context("fork").Pool(8) as pool:
        keys = pool.map(config.secret_key, [str(tmp_path)] * 64)
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_secret_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert config.secret_key(str(tmp_path)) == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_database_defaults_to_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.database_url(str(tmp_path)) == f"sqlite:///{tmp_path}/evalapp.db"


def test_postgresql_urls_use_psycopg_3(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db:5432/evalapp")
    assert config.database_url(str(tmp_path)) == "postgresql+psycopg://u@db:5432/evalapp"
    assert config.normalise_database_url("postgres://u@db/e") == "postgresql+psycopg://u@db/e"


def test_app_reads_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///:memory:")
    monkeypatch.setenv("SECRET_KEY", "k")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///:memory:"
    assert app.config["SECRET_KEY"] == "k"
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
