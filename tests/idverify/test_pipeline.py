"""The verification split in two jobs: read_cards early, verify_live at the end (real models)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from types import ModuleType

import numpy as np
import pytest

from idverify.pipeline import read_cards, verify_live
from idverify.types import CardsResult, Severity

pytestmark = pytest.mark.slow
CHALLENGE = ("blink", "turn_left")
TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def case(gen: ModuleType, face_photo: dict[str, np.ndarray]) -> tuple[CardsResult, list[bytes]]:
    rng = np.random.default_rng(5)
    person = gen.make_identity(rng)
    front = gen.to_jpeg(gen.degrade(gen.render_front(person, gen.portraits()[3], rng), "clean", rng), 88)
    back = gen.to_jpeg(gen.degrade(gen.render_back(person, rng), "clean", rng), 88)
    frames = gen.frames_to_jpeg(gen.make_sequence(face_photo["obama"], CHALLENGE, rng))
    cards = read_cards(front, back, declared_name=person.name, declared_id_number=person.number, today=TODAY)
    return cards, frames


def test_cards_stored_as_json_then_verified_live(case: tuple[CardsResult, list[bytes]]) -> None:
    cards, frames = case
    assert cards.ok and cards.card_encoding is not None and len(cards.card_encoding) == 128
    stored = CardsResult.from_dict(json.loads(json.dumps(cards.to_dict())))
    assert stored.card_encoding == cards.card_encoding
    result = verify_live(stored, frames, CHALLENGE)
    assert result.ok and not result.needs_review, result.reasons
    assert result.face is not None and result.face.distance is not None


def test_doubtful_card_field_makes_the_verification_need_review(
    case: tuple[CardsResult, list[bytes]],
) -> None:
    cards, frames = case
    doubtful = dataclasses.replace(cards, review_reasons=("id_number_uncertain",))
    result = verify_live(doubtful, frames, CHALLENGE)
    assert not result.ok and result.reasons == () and result.needs_review
    assert result.review_reasons == ("id_number_uncertain",)


def test_face_failure_outranks_review(
    case: tuple[CardsResult, list[bytes]], gen: ModuleType, face_photo: dict[str, np.ndarray]
) -> None:
    cards, _ = case
    impostor = gen.frames_to_jpeg(gen.make_sequence(face_photo["biden"], CHALLENGE, np.random.default_rng(1)))
    result = verify_live(dataclasses.replace(cards, review_reasons=("name_uncertain",)), impostor, CHALLENGE)
    assert "face_mismatch" in result.reasons and not result.needs_review and result.review_reasons == ()
    assert any(
        p.code == "face_mismatch" and p.severity is Severity.FAIL and p.side is None for p in result.problems
    )
