"""The client as researchers install it: a wheel built from client/, installed by pip into a
fresh virtual environment (no system packages, PyPI for its dependencies), brings neither Django
nor torch, and its `abid` command searches and downloads from a live portal."""

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT = Path(__file__).resolve().parents[2] / "client"


def run(*command, cwd: Path, env: dict | None = None, timeout: int = 300) -> str:
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{command}: {done.stderr}"
    return done.stdout


def outside_the_repository(tmp_path: Path, **extra: str) -> dict:
    """An environment in which `import abid` can only find what was installed (or client/)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("ABID_")}
    return (
        env | {"ABID_CACHE": str(tmp_path / "cache"), "ABID_CONFIG": str(tmp_path / "cfg")} | extra
    )


def test_importing_the_client_and_its_command_loads_neither_django_nor_torch(tmp_path):
    loaded = run(
        sys.executable,
        "-c",
        "import sys, abid, abid.cli; print(sorted({'django', 'torch'} & set(sys.modules)))",
        cwd=tmp_path,
        env=outside_the_repository(tmp_path, PYTHONPATH=str(CLIENT)),
    )
    assert loaded.strip() == "[]"


@pytest.mark.services
def test_the_wheel_installs_alone_and_downloads_from_a_live_portal(live_server, version, tmp_path):
    source = shutil.copytree(CLIENT, tmp_path / "client")  # a build writes into its source
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
        "-w", tmp_path / "dist", source, cwd=tmp_path)  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("abid_client-*.whl")
    venv.create(tmp_path / "venv", with_pip=True, system_site_packages=False)
    bin_dir = tmp_path / "venv" / "bin"
    run(bin_dir / "python", "-m", "pip", "install", "-q", wheel, cwd=tmp_path, timeout=600)
    installed = run(bin_dir / "python", "-m", "pip", "list", "--format=freeze", cwd=tmp_path)
    names = {line.split("==")[0].lower() for line in installed.splitlines()}
    assert "abid-client" in names
    assert not names & {"django", "torch", "djangorestframework", "celery"}

    env = outside_the_repository(tmp_path, ABID_URL=live_server.url)
    found = run(bin_dir / "abid", "search", "noise", cwd=tmp_path, env=env)
    assert "noise-tiles" in found and version.identifier in found
    fetched = run(
        bin_dir / "abid", "download", "noise-tiles", "--output", "out", cwd=tmp_path, env=env
    )
    zip_line = f"out/noise-tiles-v1.zip  sha256 {version.archive_sha256}"
    assert fetched.strip() == f"{zip_line} (verified against MANIFEST.sha256)"
    assert (tmp_path / "out" / "noise-tiles-v1.zip").stat().st_size == version.archive_size
