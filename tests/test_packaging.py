"""setup.cfg lists its packages explicitly: a new subpackage missing from the list would import in
the editable install of every developer and be absent from a regular ``pip install .``."""

import configparser
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def listed_packages() -> list[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    return config["options"]["packages"].split()


def test_every_subpackage_is_listed_in_setup_cfg():
    listed = set(listed_packages())
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "onlinelearn").rglob("__init__.py")
        if "__pycache__" not in path.parts
    }
    found |= {"onlinelearn.environments"}
    assert found <= listed, f"add to setup.cfg [options] packages: {sorted(found - listed)}"


#: Left out of the copy the wheel is built from: version control, virtual environments (CI keeps
#: one in the checkout), caches and earlier build output.
NOT_SOURCES = (".git", ".ci-venv", ".venv", "__pycache__", "*.nbi", "*.nbc", "build", "dist", "*.egg-info")
NOT_SOURCES += (".pytest_cache", ".ruff_cache", ".hypothesis")


def test_regular_wheel_contains_every_package_and_the_styles(tmp_path):
    """What a regular (non-editable) ``pip install .`` installs: build the wheel, as pip does, from a
    copy of the checkout (pip builds in the source tree and would leave ``build/`` in it)."""
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    wheels = tmp_path / "wheels"
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), "."]
    build = subprocess.run(command, cwd=source, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, f"pip wheel failed:\n{build.stdout}\n{build.stderr}"
    (wheel,) = wheels.glob("onlinelearn-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    assert "onlinelearn/environments/__init__.py" in names  # the top-level folder, via package_dir
    for package in listed_packages():
        assert f"{package.replace('.', '/')}/__init__.py" in names, f"{package} is not in the wheel"
    styles = sorted(path.name for path in (ROOT / "onlinelearn" / "styles").glob("*.mplstyle"))
    assert styles, "no style sheet in onlinelearn/styles"
    for style in styles:
        assert f"onlinelearn/styles/{style}" in names, f"styles/{style} is not in the wheel"
    # Every module of the source packages, not only their __init__.py.
    modules = {
        f"onlinelearn/{path.relative_to(ROOT / 'onlinelearn').as_posix()}"
        for path in (ROOT / "onlinelearn").rglob("*.py")
    }
    modules |= {f"onlinelearn/environments/{path.name}" for path in (ROOT / "environments").glob("*.py")}
    assert not modules - names, f"modules missing from the wheel: {sorted(modules - names)}"
