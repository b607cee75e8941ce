"""`incubator --version` and where the app finds its templates, static files and seed data."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

from click.testing import CliRunner

from incubator.cli import DISTRIBUTION, cli
from incubator.config import ROOT, resource_dir
from incubator.demo.files import DEFAULT_SEED_DIR

CHECKOUT = Path(__file__).resolve().parents[2]


def test_version_option_prints_the_installed_distributions_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"incubator {metadata.version(DISTRIBUTION)}\n"


def test_the_console_script_prints_the_same_version() -> None:
    script = Path(sys.executable).with_name("incubator")
    done = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"incubator {metadata.version(DISTRIBUTION)}"
    assert "Flask" not in done.stdout  # not Flask's own --version


def test_a_checkout_uses_the_top_level_folders() -> None:
    assert ROOT == CHECKOUT
    assert (resource_dir("templates") / "base.html").is_file()
    assert (resource_dir("static") / "css" / "app.css").is_file()
    assert (DEFAULT_SEED_DIR / "demo" / "accounts.json").is_file()
    assert DEFAULT_SEED_DIR == resource_dir("seed_data") == CHECKOUT / "seed_data"


def test_a_bundled_copy_wins_over_the_checkout(tmp_path: Path) -> None:
    bundled, checkout = tmp_path / "_bundled", tmp_path / "checkout"
    (bundled / "templates").mkdir(parents=True)
    (checkout / "static").mkdir(parents=True)
    assert resource_dir("templates", bundled=bundled, checkout=checkout) == bundled / "templates"
    assert resource_dir("static", bundled=bundled, checkout=checkout) == checkout / "static"


def test_the_app_serves_templates_and_static_files_from_the_resolved_folders(app) -> None:
    assert Path(app.template_folder) == resource_dir("templates")
    assert Path(app.static_folder) == resource_dir("static")
    response = app.test_client().get("/static/css/app.css")
    assert response.status_code == 200
    response.close()
