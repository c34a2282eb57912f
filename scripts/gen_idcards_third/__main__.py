"""``python -m scripts.gen_idcards_third --out DIR --n N --seed S [--hard]``: photos and truth.json on disk.

The package's docstring says what is rendered; this only writes ``generate()``'s samples to a folder, named
``{side}_{index}_{degradation}.jpg``, for looking at them or for tools outside Python.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from . import DEGRADATIONS, HARD_DEGRADATIONS, generate
from . import __doc__ as package_doc


def main(argv: Sequence[str] | None = None) -> None:
    """Write the photos and truth.json to --out (the module's command line)."""
    parser = argparse.ArgumentParser(
        prog="python -m scripts.gen_idcards_third",  # not "__main__.py", which argparse takes from argv[0]
        description=package_doc.splitlines()[0],
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for the JPEGs and truth.json")
    parser.add_argument("--n", type=int, default=len(DEGRADATIONS), help="photos per side")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hard", action="store_true", help="also cycle through HARD_DEGRADATIONS")
    args = parser.parse_args(argv)
    degradations = DEGRADATIONS + HARD_DEGRADATIONS if args.hard else DEGRADATIONS
    args.out.mkdir(parents=True, exist_ok=True)
    truth = {}
    for i, sample in enumerate(generate(args.n, seed=args.seed, degradations=degradations)):
        name = f"{sample.side}_{i % args.n:04d}_{sample.degradation}.jpg"
        (args.out / name).write_bytes(sample.jpeg)
        truth[name] = {"side": sample.side, "degradation": sample.degradation, "truth": sample.truth}
    (args.out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {len(truth)} photos to {args.out}")


if __name__ == "__main__":
    main()
