"""Build step that bundles the top-level resource folders into the package (see pyproject.toml).

Everything else about the build is declared in pyproject.toml; this file only adds one step.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

# Top-level folders the application reads at run time; `incubator.config.resource_dir` finds
# them under incubator/_bundled/ in an installed wheel and at the checkout root otherwise.
RESOURCE_DIRS = ("templates", "static", "seed_data")


class BuildWithResources(build_py):
    """Copy the resource folders into ``incubator/_bundled/`` of the build (wheels only)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout
        root = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "incubator" / "_bundled"
        for name in RESOURCE_DIRS:
            source = root / name
            if not source.is_dir():
                raise SystemExit(f"resource folder {source} is missing: cannot build")
            destination = target / name
            shutil.rmtree(destination, ignore_errors=True)
            shutil.copytree(
                source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )


setup(cmdclass={"build_py": BuildWithResources})
