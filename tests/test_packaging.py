"""setup.cfg lists its packages explicitly: a new subpackage missing from the list would import in
the editable install of every developer and be absent from a regular ``pip install .``."""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_setup_cfg():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    listed = set(config["options"]["packages"].split())
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "onlinelearn").rglob("__init__.py")
        if "__pycache__" not in path.parts
    }
    found |= {"onlinelearn.environments"}
    assert found <= listed, f"add to setup.cfg [options] packages: {sorted(found - listed)}"
