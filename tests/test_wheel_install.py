"""Installs anywhere: build the wheel, install it into a fresh virtualenv and run a
scenario from an empty folder, with no checkout in sight.

Kept fast: the wheel is built without build isolation (setuptools is a dev dependency)
and installed without dependencies into a venv that sees the dev venv's packages through
a .pth line (a plain path: the dev venv's editable-install hook is not run there), so
only durand itself comes from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["pyproject.toml", "README.md", "sim", "viz", "scenarios", "docs/lessons"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin folder of a fresh venv with durand installed from its wheel."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    for name in SOURCES:  # a copy: no stale build/ folder from the checkout sneaks in
        target = src / name
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / name, target)
    wheels = base / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(src)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("durand-*.whl")
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=False)
    purelib = Path(
        sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)})
    )
    dev_site = Path(sysconfig.get_path("purelib"))
    (purelib / "dev-dependencies.pth").write_text(f"{dev_site}\n")
    subprocess.run(
        [*pip, "--python", str(env_dir / "bin" / "python"), "install", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    return env_dir / "bin"


def run_in(folder: Path, *cmd: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True, timeout=300)


def test_the_wheel_runs_a_scenario_from_an_empty_folder(installed, tmp_path):
    home = tmp_path / "empty"
    home.mkdir()
    where = run_in(home, str(installed / "python"), "-c", "import sim; print(sim.__file__)")
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed.parent), "not the wheel's sim"
    durand = str(installed / "durand")
    res = run_in(home, durand, "run", "baseline", "-q", "-r", "3", "--months", "12")
    assert res.returncode == 0, res.stderr
    out = home / "runs" / "baseline"
    assert json.loads((out / "manifest.json").read_text())["months"] == 12
    assert len((out / "timeseries.csv").read_text().splitlines()) == 1 + 3 * 12
    listed = run_in(home, durand, "scenarios")
    assert listed.returncode == 0 and "baseline.yaml" in listed.stdout


def test_the_wheel_ships_scenarios_lessons_and_doctrines(installed, tmp_path):
    home = tmp_path / "user"
    home.mkdir()
    (home / "mine.yaml").write_text("extends: baseline.yaml\ntitle: Mine\nmonths: 6\n")
    durand = str(installed / "durand")
    res = run_in(home, durand, "run", "mine.yaml", "-q", "-r", "2")
    assert res.returncode == 0, res.stderr
    copied = run_in(home, durand, "scenarios", "--copy", "editable")
    assert copied.returncode == 0 and (home / "editable" / "baseline.yaml").is_file()
    assert (home / "editable" / "sweeps" / "smoke.yaml").is_file()
    check = (
        "from sim.game.lessons import available, load_lesson\n"
        "from sim.game.doctrine import DOCTRINES\n"
        "names = available(); assert names, 'no lessons'\n"
        "for n in names: assert load_lesson(n).scenario_path.is_file()\n"
        "assert sorted(p.stem for p in DOCTRINES.glob('*.yaml')) == ['AFG','CHN','PAK','US']\n"
        "from sim.model.model import BASELINE; assert BASELINE.is_file()\n"
        "print(BASELINE)\n"
    )
    res = run_in(home, str(installed / "python"), "-c", check)
    assert res.returncode == 0, res.stderr
    assert Path(res.stdout.strip()).is_relative_to(installed.parent)
