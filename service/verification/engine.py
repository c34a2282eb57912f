"""The typed seam between the service and the idverify engine.

Three verbs, each with frozen inputs and idverify's own result types: ``precheck`` (one card photo,
at upload, in the API process, off gevent's loop: fast, OCR only when the pictures do not tell the
side), ``read_cards`` (both sides, as a job right after the upload) and ``verify`` (face and liveness,
using the cards already read when there are any). Tests install a fake (named as one) with
``install_engine``; everything else gets idverify.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app

from idverify.types import CardsResult, PrecheckResult, VerificationResult

_EXTENSION_KEY = "xjy_verify_engine"


@dataclass(frozen=True)
class CardInputs:
    """Both card photos and what the person declared.

    Attributes:
        front: photo of the card's portrait side.
        back: photo of the card's emblem side.
        declared_name: the account's registered real name.
        declared_id_number: the account's registered ID number.
        today: the reference date for the card's validity.
    """

    front: bytes
    back: bytes
    declared_name: str | None
    declared_id_number: str | None
    today: dt.date


@dataclass(frozen=True)
class EngineInputs:
    """Everything one whole verification needs, decrypted, in the engine's terms.

    Attributes:
        card: the card photos and declarations.
        live: the liveness frames in order, or one MP4/WebM clip.
        challenge: the actions that were asked for.
        cards: the cards as the early read found them (None: read them now).
    """

    card: CardInputs
    live: tuple[bytes, ...] | bytes
    challenge: tuple[str, ...]
    cards: CardsResult | None = None


class Engine(Protocol):
    """The verification engine. None of its verbs raises for bad input: they answer with codes."""

    def precheck(self, data: bytes, side: str) -> PrecheckResult: ...

    def read_cards(self, inputs: CardInputs) -> CardsResult: ...

    def verify(self, inputs: EngineInputs) -> VerificationResult: ...


class IdverifyEngine:
    """The real engine (idverify is imported on first use: the API process loads only the pre-check)."""

    def precheck(self, data: bytes, side: str) -> PrecheckResult:
        from idverify.precheck import precheck

        return precheck(data, side)

    def read_cards(self, inputs: CardInputs) -> CardsResult:
        from idverify.pipeline import read_cards

        return read_cards(
            inputs.front,
            inputs.back,
            declared_name=inputs.declared_name,
            declared_id_number=inputs.declared_id_number,
            today=inputs.today,
        )

    def verify(self, inputs: EngineInputs) -> VerificationResult:
        from idverify.pipeline import verify, verify_live

        live = inputs.live if isinstance(inputs.live, bytes) else list(inputs.live)
        if inputs.cards is not None:
            return verify_live(inputs.cards, live, list(inputs.challenge))
        card = inputs.card
        return verify(
            card.front,
            card.back,
            live,
            list(inputs.challenge),
            today=card.today,
            declared_name=card.declared_name,
            declared_id_number=card.declared_id_number,
        )


def install_engine(app: Flask, engine: Engine | None) -> None:
    """Use ``engine`` for this app (tests); None restores idverify."""
    if engine is None:
        app.extensions.pop(_EXTENSION_KEY, None)
    else:
        app.extensions[_EXTENSION_KEY] = engine


def get_engine() -> Engine:
    """The engine of the current app."""
    engine: Engine = current_app.extensions.get(_EXTENSION_KEY) or IdverifyEngine()
    return engine
