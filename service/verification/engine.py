"""The typed seam between the service and the idverify engine.

The job hands the engine one frozen ``EngineInputs`` and gets idverify's own ``VerificationResult``
back. Tests install a fake (named as one) with ``install_engine``; everything else gets idverify.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app

from idverify.types import VerificationResult

_EXTENSION_KEY = "xjy_verify_engine"


@dataclass(frozen=True)
class EngineInputs:
    """Everything one verification needs, decrypted, in the engine's terms.

    Attributes:
        front: photo of the card's portrait side.
        back: photo of the card's emblem side.
        live: the liveness frames in order, or one MP4/WebM clip.
        challenge: the actions that were asked for.
        declared_name: the account's registered real name.
        declared_id_number: the account's registered ID number.
        today: the reference date for the card's validity.
    """

    front: bytes
    back: bytes
    live: tuple[bytes, ...] | bytes
    challenge: tuple[str, ...]
    declared_name: str | None
    declared_id_number: str | None
    today: dt.date


class Engine(Protocol):
    """Runs one whole verification; never raises for bad input (it answers with reason codes)."""

    def __call__(self, inputs: EngineInputs) -> VerificationResult: ...


def idverify_engine(inputs: EngineInputs) -> VerificationResult:
    """The real engine: ``idverify.pipeline.verify`` (imported here: the API process never loads it)."""
    from idverify.pipeline import verify

    live = inputs.live if isinstance(inputs.live, bytes) else list(inputs.live)
    return verify(
        inputs.front,
        inputs.back,
        live,
        list(inputs.challenge),
        today=inputs.today,
        declared_name=inputs.declared_name,
        declared_id_number=inputs.declared_id_number,
    )


def install_engine(app: Flask, engine: Engine | None) -> None:
    """Use ``engine`` for this app's jobs (tests); None restores idverify."""
    if engine is None:
        app.extensions.pop(_EXTENSION_KEY, None)
    else:
        app.extensions[_EXTENSION_KEY] = engine


def get_engine() -> Engine:
    """The engine of the current app."""
    engine: Engine = current_app.extensions.get(_EXTENSION_KEY, idverify_engine)
    return engine
