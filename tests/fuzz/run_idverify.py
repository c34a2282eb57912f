"""Run every corpus case through idverify's entry points and print one JSON line per case.

Run as a subprocess by test_idverify_corpus.py, so that a hang (a timeout there) or a crash (a
non-zero exit) of the engine shows as what it is instead of taking the test run down with it.
"""

from __future__ import annotations

import json
import sys

from idverify import faces, idcard, liveness, pipeline, precheck
from idverify.images import decode_image, decode_video
from idverify.types import Side
from tests.fuzz.corpus import corpus


def _outcome(call) -> dict:
    try:
        result = call()
    except Exception as exc:  # the point: report it, the test fails on it
        return {"raised": f"{type(exc).__name__}: {exc}"[:300]}
    ok = getattr(result, "ok", None)
    reasons = getattr(result, "reasons", None)
    if reasons is None:
        reasons = (result.reason,) if getattr(result, "reason", None) else ()
    outcome = {"ok": bool(ok) if ok is not None else not reasons, "reasons": list(reasons)}
    if getattr(result, "pixels", None) is not None:
        outcome["shape"] = list(result.pixels.shape[:2])
    return outcome


def main() -> None:
    challenge = ["blink", "turn_left"]
    for name, data in corpus().items():
        calls = {
            "decode_image": lambda d=data: decode_image(d),
            "decode_video": lambda d=data: decode_video(d),
            "precheck": lambda d=data: precheck.precheck(d, Side.FRONT),
            "read_card": lambda d=data: idcard.read_card(d, Side.BACK),
            "check_liveness": lambda d=data: liveness.check_liveness([d] * 4, challenge),
            "match_faces": lambda d=data: faces.match_faces(d, d),
        }
        if name in ("exif_orientation_6", "cmyk_jpeg", "png_palette"):
            calls["read_cards"] = lambda d=data: pipeline.read_cards(d, d)
        print(
            json.dumps({"case": name, **{entry: _outcome(call) for entry, call in calls.items()}}), flush=True
        )
    sys.exit(0)


if __name__ == "__main__":
    main()
