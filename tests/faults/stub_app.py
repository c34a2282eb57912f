"""The app the fault tests' worker and scheduler processes run (``flask --app
tests.faults.stub_app:create_app worker``): the real service with a stub engine, not idverify.

The stub passes every verification after ``XJY_STUB_ENGINE_SECONDS`` (so a test can kill a worker
while a job is in the engine) and answers the pre-check and the card read at once. The queue, the
database, the lease, the sweeper and the processes are all real.
"""

from __future__ import annotations

import time

from flask import Flask

from idverify.types import (
    CardResult,
    CardsResult,
    FaceMatchResult,
    FieldValue,
    PrecheckResult,
    Side,
    VerificationResult,
)
from service import create_app as create_service
from service.verification.engine import CardInputs, EngineInputs, install_engine


class StubEngine:
    """A stub engine (not idverify): every card is fine, every face matches after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def precheck(self, data: bytes, side: str) -> PrecheckResult:
        return PrecheckResult(True, (), Side(side))

    def read_cards(self, inputs: CardInputs) -> CardsResult:
        name = FieldValue("name", inputs.declared_name or "", 0.99)
        number = FieldValue("id_number", inputs.declared_id_number or "", 0.99)
        front = CardResult(True, Side.FRONT, Side.FRONT, (), {"name": name, "id_number": number})
        back = CardResult(True, Side.BACK, Side.BACK, ())
        return CardsResult(front, back, None, (), (), (), ())

    def verify(self, inputs: EngineInputs) -> VerificationResult:
        time.sleep(self.seconds)
        face = FaceMatchResult(True, (), 0.31, 0.5, 1)
        return VerificationResult(True, (), None, None, face, None, {}, (), (), ())


def create_app() -> Flask:
    app = create_service()
    install_engine(app, StubEngine(float(app.config.get("STUB_ENGINE_SECONDS", 1.0))))
    return app
