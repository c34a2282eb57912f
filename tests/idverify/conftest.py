"""Fixtures for the idverify tests: the card generator, real face photos, synthetic sequences.

The generator lives in scripts/ (it is a developer tool too); it is loaded by path so that the
tests need no sys.path changes. Generated cards and sequences are synthetic; the faces are real
public test photos (tests/fixtures/faces/README.md).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
FACES = ROOT / "tests" / "fixtures" / "faces"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def gen() -> ModuleType:
    """scripts/gen_idcards.py as a module."""
    return _load("gen_idcards")


@pytest.fixture(scope="session")
def face_photo() -> dict[str, np.ndarray]:
    """The real face photos by stem (obama, obama2, obama3, biden, astronaut)."""
    return {p.stem: np.asarray(Image.open(p).convert("RGB")) for p in sorted(FACES.glob("*.jpg"))}


@pytest.fixture(scope="session")
def face_bytes() -> dict[str, bytes]:
    """The real face photos as JPEG bytes."""
    return {p.stem: p.read_bytes() for p in sorted(FACES.glob("*.jpg"))}


def third_photo(seed: int, side: str, index: int, condition: str) -> tuple[Any, bytes]:
    """Person ``index`` of the third renderer's set ``seed`` and their photo of ``side``, as the
    bench draws them (scripts/gen_idcards_third.generate)."""
    from scripts import gen_idcards_third as third

    return third.photo(seed, side, index, condition)
