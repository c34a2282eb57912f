"""Every reason code a person can be shown has a Chinese message, and the frame limits live in one place."""

from __future__ import annotations

import re
from pathlib import Path

from idverify.liveness import LivenessConfig
from idverify.types import REASONS
from service.verification import attempts
from service.verification.reasons import FALLBACK, MESSAGES, describe

SERVICE = Path(__file__).resolve().parents[3] / "service"
# Reason codes the service itself writes onto attempts (beside the engine's).
SERVICE_CODES = ("challenge_expired", "engine_error", "manual_rejected")


def test_every_engine_reason_has_a_chinese_message():
    missing = sorted(set(REASONS) - set(MESSAGES))
    assert missing == []


def test_every_service_reason_has_a_chinese_message():
    assert all(code in MESSAGES for code in SERVICE_CODES)


def test_messages_are_chinese_and_not_the_fallback():
    for code, message in MESSAGES.items():
        assert re.search(r"[\u4e00-\u9fff]", message), code
        assert message != FALLBACK, code


def test_describe_keeps_the_order_and_falls_back_for_an_unknown_code():
    described = describe(["face_mismatch", "something_new"])
    assert [d["reason"] for d in described] == ["face_mismatch", "something_new"]
    assert described[1]["message"] == FALLBACK


def test_the_frame_limits_are_the_engines():
    config = LivenessConfig()
    assert (attempts.MIN_FRAMES, attempts.MAX_FRAMES) == (config.min_frames, config.max_frames)


def test_no_other_module_writes_the_frame_limits_out():
    """A literal "4 to 12" anywhere in the service would be a second copy of the engine's rule."""
    pattern = re.compile(rf"\b{attempts.MIN_FRAMES}\s*(?:-|到|~|至)\s*{attempts.MAX_FRAMES}\b")
    offenders = [str(p) for p in SERVICE.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
