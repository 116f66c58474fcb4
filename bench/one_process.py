"""What the benches that run Majlis inside their own process share
(micro.py, pages_cpu.py, sign_in_timing.py): a PostgreSQL database of their
own, migrated, the settings Majlis is served with, and where results go."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def make_database(url: str) -> None:
    server_url, _sep, name = url.rpartition("/")
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    # Pages name their static files through the production manifest.
    for command in (["migrate"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [str(Path(sys.executable).parent / "majlis"), *command, "--verbosity", "0"],
            check=True,
            cwd=ROOT,
        )


def served_on_new_database(database_url: str, **environment: str) -> None:
    """As served: production settings (no query log, no debug), plus
    ``environment``, on a new database at ``database_url``."""
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "MAJLIS_SECRET_KEY": secrets.token_urlsafe(40),
            "MAJLIS_ALLOWED_HOSTS": "127.0.0.1",
            **environment,
        }
    )
    sys.path.insert(0, str(ROOT))
    make_database(database_url)


def write_results(name: str, results: dict[str, Any]) -> None:
    out = ROOT / "bench" / "results" / f"{name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
