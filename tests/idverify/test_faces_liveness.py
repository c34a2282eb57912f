"""Face match and active liveness on real dlib models.

Faces are real public photos (tests/fixtures/faces). Liveness sequences are SYNTHETIC: made from
one photo by geometric warps (eyes filled with skin, jaw dropped, the head rotated as an ellipsoid
for a turn or a nod; see scripts/gen_idcards.py); the negative cases must fail.
"""

from __future__ import annotations

import datetime as dt
from types import ModuleType

import numpy as np
import pytest

from idverify import faces, liveness
from idverify.images import encode_jpeg
from idverify.pipeline import verify

pytestmark = pytest.mark.slow
CHALLENGE = ("blink", "turn_left", "open_mouth")


@pytest.fixture(scope="module")
def encodings(face_photo: dict[str, np.ndarray]) -> dict[str, faces.Encoding]:
    out = {}
    for name, img in face_photo.items():
        found = faces.find_faces(img)
        out[name] = faces.encode_face(img, found[0])
    return out


@pytest.mark.parametrize(("a", "b"), [("obama", "obama2"), ("obama", "obama3"), ("obama2", "obama3")])
def test_same_person_within_threshold(encodings: dict[str, faces.Encoding], a: str, b: str) -> None:
    assert faces.face_distance(encodings[a], encodings[b]) <= faces.DEFAULT_THRESHOLD


@pytest.mark.parametrize(("a", "b"), [("obama", "biden"), ("obama2", "astronaut"), ("biden", "astronaut")])
def test_different_people_beyond_threshold(encodings: dict[str, faces.Encoding], a: str, b: str) -> None:
    assert faces.face_distance(encodings[a], encodings[b]) > faces.DEFAULT_THRESHOLD


def test_match_faces_bytes(face_bytes: dict[str, bytes]) -> None:
    assert faces.match_faces(face_bytes["obama"], face_bytes["obama3"]).ok
    result = faces.match_faces(face_bytes["obama"], face_bytes["biden"])
    assert result.reasons == ("face_mismatch",) and result.distance is not None


def test_no_face_in_live_image(face_bytes: dict[str, bytes]) -> None:
    blank = encode_jpeg(np.full((300, 300, 3), 128, np.uint8))
    assert faces.match_faces(face_bytes["obama"], blank).reasons == ("face_not_found",)


def test_two_faces_in_live_image(face_photo: dict[str, np.ndarray], face_bytes: dict[str, bytes]) -> None:
    a, b = face_photo["obama2"][:700], face_photo["biden"][:700]
    both = np.hstack([a[:, :350], b[:, :350]])
    assert faces.match_faces(face_bytes["obama"], np.ascontiguousarray(both)).reasons == ("multiple_faces",)


@pytest.fixture(scope="module")
def sequence(gen: ModuleType, face_photo: dict[str, np.ndarray]) -> list[bytes]:
    return gen.frames_to_jpeg(gen.make_sequence(face_photo["obama"], CHALLENGE, np.random.default_rng(1)))


def test_positive_sequence_passes(sequence: list[bytes]) -> None:
    result = liveness.check_liveness(sequence, CHALLENGE)
    assert result.ok, result.reasons
    assert [a for a, _ in result.detected] == list(CHALLENGE)
    assert len(result.frames) == len(sequence) and result.frames[0].ear is not None


def test_wrong_challenge_fails(sequence: list[bytes]) -> None:
    result = liveness.check_liveness(sequence, ("open_mouth", "blink"))
    assert result.reasons == ("liveness_challenge_failed",)


def test_shuffled_frames_fail(sequence: list[bytes]) -> None:
    assert not liveness.check_liveness(sequence[::-1], CHALLENGE).ok
    rng = np.random.default_rng(4)
    for _ in range(3):
        order = rng.permutation(len(sequence))
        assert not liveness.check_liveness([sequence[i] for i in order], CHALLENGE).ok


def test_still_photo_repeated_or_jittered_fails(gen: ModuleType, face_photo: dict[str, np.ndarray]) -> None:
    frame = gen.selfie_frame(face_photo["obama"])
    still = [encode_jpeg(frame)] * 8
    result = liveness.check_liveness(still, CHALLENGE)
    assert "liveness_static" in result.reasons and "liveness_challenge_failed" in result.reasons
    rng = np.random.default_rng(2)
    jittered = [encode_jpeg(gen._jitter_frame(frame, rng)) for _ in range(8)]
    assert "liveness_challenge_failed" in liveness.check_liveness(jittered, CHALLENGE).reasons


def _moved(frame: np.ndarray, dx: float, zoom: float) -> list[bytes]:
    import cv2

    h, w = frame.shape[:2]
    out = []
    for t in np.linspace(0, 1, 8):
        m = cv2.getRotationMatrix2D((w / 2, h / 2), 0, 1 + zoom * t)
        m[0, 2] += dx * w * t
        out.append(encode_jpeg(cv2.warpAffine(frame, m, (w, h), borderMode=cv2.BORDER_REFLECT)))
    return out


@pytest.mark.parametrize(("dx", "zoom"), [(0.25, 0.0), (-0.25, 0.0), (0.0, 0.4), (0.15, 0.25)])
def test_still_photo_slid_or_zoomed_is_no_turn_or_nod(
    gen: ModuleType, face_photo: dict[str, np.ndarray], dx: float, zoom: float
) -> None:
    frames = _moved(gen.selfie_frame(face_photo["obama"]), dx, zoom)
    for challenge in (("turn_left", "nod"), ("turn_right", "open_mouth")):
        result = liveness.check_liveness(frames, challenge)
        assert not result.ok and not result.detected, result.frames


def test_replay_doing_every_action_fails(gen: ModuleType, face_photo: dict[str, np.ndarray]) -> None:
    every = ("blink", "turn_left", "open_mouth", "turn_right", "nod")
    frames = gen.frames_to_jpeg(gen.make_sequence(face_photo["obama"], every, np.random.default_rng(3)))[:12]
    for challenge in (
        ("blink", "turn_left"),
        ("turn_left", "open_mouth"),
        ("open_mouth", "turn_right", "nod"),
    ):
        assert "liveness_challenge_failed" in liveness.check_liveness(frames, challenge).reasons


def test_person_swapped_midway_fails(
    gen: ModuleType, face_photo: dict[str, np.ndarray], sequence: list[bytes]
) -> None:
    other = gen.frames_to_jpeg(gen.make_sequence(face_photo["biden"], CHALLENGE, np.random.default_rng(1)))
    mixed = sequence[:5] + other[5:]
    assert "liveness_identity_changed" in liveness.check_liveness(mixed, CHALLENGE).reasons
    middle = sequence[:4] + other[4:7] + sequence[7:]
    assert "liveness_identity_changed" in liveness.check_liveness(middle, CHALLENGE).reasons


def test_second_face_fails_though_middle_frames_are_tracked(
    gen: ModuleType, face_photo: dict[str, np.ndarray], sequence: list[bytes]
) -> None:
    """Whole frames are searched first and last; in between only the tracked face's window is."""
    from idverify.images import decode_image

    frames = [decode_image(b).pixels for b in sequence]
    other = gen.selfie_frame(face_photo["biden"])
    beside = [np.hstack([f, other]) for f in frames if f is not None]
    assert liveness.check_liveness(beside, CHALLENGE).reasons == ("multiple_faces",)
    assert liveness.check_liveness([*frames[:-1], beside[-1]], CHALLENGE).reasons == ("multiple_faces",)


def test_card_face_must_match(sequence: list[bytes], encodings: dict[str, faces.Encoding]) -> None:
    assert liveness.check_liveness(sequence, CHALLENGE, card_encoding=encodings["obama3"]).ok
    assert (
        "face_mismatch"
        in liveness.check_liveness(sequence, CHALLENGE, card_encoding=encodings["biden"]).reasons
    )


@pytest.mark.parametrize(
    ("challenge", "reason"),
    [(("blink",), "liveness_challenge_invalid"), (("blink", "jump"), "liveness_challenge_invalid")],
)
def test_bad_challenge(sequence: list[bytes], challenge: tuple[str, ...], reason: str) -> None:
    assert liveness.check_liveness(sequence, challenge).reasons == (reason,)


def test_frame_count_and_bad_frames(sequence: list[bytes]) -> None:
    assert liveness.check_liveness(sequence[:3], CHALLENGE).reasons == ("liveness_frame_count",)
    assert liveness.check_liveness([*sequence[:5], b"junk"], CHALLENGE).reasons == (
        "image_format_unsupported",
    )


def test_new_challenge_is_valid() -> None:
    for _ in range(50):
        challenge = liveness.new_challenge()
        assert 2 <= len(challenge) <= 3 and len(set(challenge)) == len(challenge)
        assert not {"turn_left", "turn_right"} <= set(challenge)


def test_video_clip(tmp_path: object, sequence: list[bytes]) -> None:
    import cv2

    from idverify.images import decode_image

    path = f"{tmp_path}/clip.mp4"
    frames = [decode_image(b).pixels for b in sequence]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"mp4v"), 5, (480, 480))
    for f in frames:
        assert f is not None
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()
    with open(path, "rb") as handle:
        result = liveness.check_liveness(handle.read(), CHALLENGE)
    assert result.ok, result.reasons


def test_verify_end_to_end(gen: ModuleType, face_photo: dict[str, np.ndarray]) -> None:
    rng = np.random.default_rng(5)
    person = gen.make_identity(rng)
    front = gen.to_jpeg(gen.degrade(gen.render_front(person, gen.portraits()[3], rng), "clean", rng), 88)
    back = gen.to_jpeg(gen.degrade(gen.render_back(person, rng), "clean", rng), 88)
    frames = gen.frames_to_jpeg(gen.make_sequence(face_photo["obama"], CHALLENGE, rng))
    today = dt.date(2026, 11, 24)
    result = verify(
        front,
        back,
        frames,
        CHALLENGE,
        declared_name=person.name,
        declared_id_number=person.number,
        today=today,
    )
    assert result.ok, result.reasons
    assert result.face is not None and result.face.distance is not None
    assert set(result.timings) >= {"front_ms", "back_ms", "card_face_ms", "liveness_ms", "total_ms"}
    impostor = gen.frames_to_jpeg(gen.make_sequence(face_photo["biden"], CHALLENGE, rng))
    assert "face_mismatch" in verify(front, back, impostor, CHALLENGE, today=today).reasons


@pytest.mark.parametrize(
    ("action", "index", "sign"),
    [
        ("turn_left", 2, 1.0),
        ("turn_right", 2, -1.0),
        ("nod", 3, 1.0),
        ("open_mouth", 1, 1.0),
        ("blink", 0, -1.0),
    ],
)
def test_synthetic_action_moves_its_measure(
    gen: ModuleType, face_photo: dict[str, np.ndarray], action: str, index: int, sign: float
) -> None:
    """Each synthetic action moves its own landmark measure well past the detector's threshold."""
    frame = gen.selfie_frame(face_photo["astronaut"])
    before = liveness.measure(faces.find_faces(frame)[0])
    after = liveness.measure(faces.find_faces(gen.act(frame, gen._landmarks(frame), action))[0])
    cfg = liveness.DEFAULT_CONFIG
    need = {0: before[0] * (1 - cfg.blink_ratio), 1: cfg.mouth_delta, 2: cfg.yaw_delta, 3: cfg.pitch_delta}
    assert sign * (after[index] - before[index]) > 1.5 * need[index]


def test_turn_left_moves_the_nose_to_the_image_right(
    gen: ModuleType, face_photo: dict[str, np.ndarray]
) -> None:
    """Frames as the camera recorded them: the subject's left is the image's right."""
    frame = gen.selfie_frame(face_photo["obama"])
    turned = gen.act(frame, gen._landmarks(frame), "turn_left")
    assert faces.find_faces(turned)[0].landmarks[30, 0] > faces.find_faces(frame)[0].landmarks[30, 0] + 5
    mirrored = liveness.LivenessConfig(mirrored=True)
    sequence = [frame, frame, turned, turned, frame, frame]
    assert liveness.check_liveness(sequence, ("turn_left", "turn_right")).detected[0][0] == "turn_left"
    assert (
        liveness.check_liveness(sequence, ("turn_left", "turn_right"), config=mirrored).detected[0][0]
        == "turn_right"
    )


def test_generated_numbers_use_codes_abolished_before_1984(gen: ModuleType) -> None:
    from idverify.divisions import load_divisions
    from idverify.idnumber import parse_id_number

    table = load_divisions()
    rng = np.random.default_rng(0)
    for _ in range(50):
        person = gen.make_identity(rng)
        parse_id_number(person.number)  # passes the division check (historical codes allowed)
        assert not table[person.number[:6]].current
        assert {c for c, _, _ in gen._counties()} >= {person.number[:6]}
