"""Test CAs for certificate login, from the same toolkit developers run as ``scripts/ca_client.py``."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "ca_client.py"


def _load_script() -> ModuleType:
    """Import the script by path: ``scripts/`` is not a package and must stay runnable standalone."""
    spec = importlib.util.spec_from_file_location("ca_client", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def ca_client() -> ModuleType:
    return sys.modules.get("ca_client") or _load_script()


@pytest.fixture(scope="session")
def authority(ca_client: ModuleType) -> Callable[[str], object]:
    """One test CA per key kind for the session: key generation is the slow part."""
    made: dict[str, object] = {}

    def get(kind: str) -> object:
        if kind not in made:
            made[kind] = ca_client.make_ca(kind)
        return made[kind]

    return get
