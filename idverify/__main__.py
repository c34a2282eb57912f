"""Command line for support staff and developers; prints JSON.

python -m idverify card FRONT.jpg            # portrait side
python -m idverify back BACK.jpg             # emblem side
python -m idverify precheck --side back BACK.jpg   # the fast upload-time check
python -m idverify face CARD.jpg LIVE.jpg    # card photo (or portrait crop) vs live photo
python -m idverify liveness --challenge blink,turn_left frames/*.jpg   (or one .mp4/.webm)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from idverify import faces, idcard, liveness
from idverify.types import Side


def _card(args: argparse.Namespace, side: Side) -> dict[str, Any]:
    today = dt.date.fromisoformat(args.today) if args.today else None
    result = idcard.read_card(Path(args.image).read_bytes(), side, today=today, declared_name=args.name,
                              declared_id_number=args.number)  # fmt: skip
    return result.to_dict()


def _precheck(args: argparse.Namespace) -> dict[str, Any]:
    return idcard.precheck(Path(args.image).read_bytes(), args.side).to_dict()


def _face(args: argparse.Namespace) -> dict[str, Any]:
    card_bytes = Path(args.card).read_bytes()
    front = idcard.read_card(card_bytes, Side.FRONT)
    card: bytes | faces.Encoding = card_bytes
    if front.portrait is not None:
        encoding = faces.card_face_encoding(front.portrait)
        card = encoding if encoding is not None else card_bytes
    return faces.match_faces(card, Path(args.live).read_bytes(), threshold=args.threshold).to_dict()


def _liveness(args: argparse.Namespace) -> dict[str, Any]:
    paths = [Path(p) for p in args.frames]
    challenge = [a.strip() for a in args.challenge.split(",") if a.strip()]
    if len(paths) == 1 and paths[0].suffix.lower() in (".mp4", ".webm"):
        return liveness.check_liveness(paths[0].read_bytes(), challenge).to_dict()
    return liveness.check_liveness([p.read_bytes() for p in sorted(paths)], challenge).to_dict()


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run one stage, print its result as JSON; exit 0 when it passed.

    A card that needs review (``needs_review`` true) exits 1 like a failure: it did not pass.
    """
    parser = argparse.ArgumentParser(prog="python -m idverify", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("card", "back"):
        p = sub.add_parser(name, help=f"read the {'portrait' if name == 'card' else 'emblem'} side")
        p.add_argument("image")
        p.add_argument("--name", help="declared real name to compare")
        p.add_argument("--number", help="declared ID number to compare")
        p.add_argument("--today", help="reference date YYYY-MM-DD for expiry")
    p = sub.add_parser("precheck", help="the fast upload-time check of a card photo")
    p.add_argument("image")
    p.add_argument("--side", choices=[s.value for s in Side], default="front")
    p = sub.add_parser("face", help="match a card portrait with a live photo")
    p.add_argument("card")
    p.add_argument("live")
    p.add_argument("--threshold", type=float, default=faces.DEFAULT_THRESHOLD)
    p = sub.add_parser("liveness", help="check a challenge over frames or a clip")
    p.add_argument("--challenge", required=True, help="comma-separated: " + ",".join(liveness.ACTIONS))
    p.add_argument("frames", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "card":
        out = _card(args, Side.FRONT)
    elif args.command == "back":
        out = _card(args, Side.BACK)
    elif args.command == "precheck":
        out = _precheck(args)
    elif args.command == "face":
        out = _face(args)
    else:
        out = _liveness(args)
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0 if out.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
