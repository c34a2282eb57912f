"""Render fictional resident ID cards (both sides) as phone photos, with ground truth.

Everything is made up: names are random picks from common characters, addresses combine old
GB/T 2260 county names with invented streets, and every generated number carries a county code
abolished by 1983, before 18-digit numbers were issued, so it cannot belong to anyone (and the
sequence block ``00x``, digits 15-17, marks it as test data). The portrait is
a real face photo from ``tests/fixtures/faces`` (public, licensed test images).

The layout follows the printed positions of the second-generation card at 856 x 540 (0.1 mm per
pixel); each card jitters the print positions a little, as real printing does.

Usage:
    uv run python -m scripts.gen_idcards --out /tmp/cards --n 20 --seed 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from idverify.divisions import load_divisions
from idverify.idnumber import check_digit

CARD_W, CARD_H = 856, 540
FACES_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "faces"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "蒋蔡余杜叶程苏魏吕丁任沈姚卢钟谭陆汪范金石廖贾夏韦方白邹孟熊秦江尹薛段雷侯龙"
    "史陶黎贺顾毛郝龚邵万严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红玲芬燕彬鹏辉建文斌宇浩凯"
    "健俊帆帅旭宁龙林欣怡佳琪思雨晨涵梓轩博鸣晓东海波志国庆春梅德福"
)
NATIONS = ["汉"] * 8 + ["土家", "苗", "侗", "瑶", "回", "满", "蒙古", "壮", "维吾尔", "白"]
ROADS = [
    "人民路",
    "解放西路",
    "五一大道",
    "芙蓉中路",
    "韶山北路",
    "建设路",
    "中山路",
    "和平街",
    "新华路",
    "桂花路",
    "东风路",
    "迎宾路",
]
DEGRADATIONS = (
    "clean", "perspective", "rotate90", "rotate180", "rotate270", "blur", "noise", "jpeg", "glare",
    "shadow", "lowlight", "cutoff", "bw", "clutter", "screen",
)  # fmt: skip
LABEL = (70, 130, 190)
INK = (20, 20, 20)


@dataclass
class Identity:
    """The ground truth printed on one fictional card."""

    name: str
    sex: str
    nation: str
    birth: dt.date
    address: str
    number: str
    authority: str
    valid_from: dt.date
    valid_until: dt.date | None  # None = 长期
    faults: list[str] = field(default_factory=list)

    def front_truth(self) -> dict[str, str]:
        """Fields as the reader should return them."""
        return {
            "name": self.name,
            "sex": self.sex,
            "nation": self.nation,
            "birth_date": f"{self.birth.year}年{self.birth.month}月{self.birth.day}日",
            "address": self.address,
            "id_number": self.number,
        }

    def back_truth(self) -> dict[str, str]:
        """Back-side fields as the reader should return them."""
        until = self.valid_until.strftime("%Y.%m.%d") if self.valid_until else "长期"
        return {
            "authority": self.authority,
            "valid_from": self.valid_from.strftime("%Y.%m.%d"),
            "valid_until": until,
        }


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    """Noto Sans CJK SC Regular from the manimgx-fonts-cjk wheel."""
    path = resources.files("manimgx_fonts_cjk").joinpath("NotoSansCJK-VF.otf.ttc")
    face = ImageFont.truetype(str(path), size, index=2)
    face.set_variation_by_name("Regular")
    return face


@cache
def _counties() -> list[tuple[str, str, str]]:
    """(code, full place name, county name) of county codes abolished by 1983, Hunan weighted in.

    Second-generation (18-digit) numbers were first issued in 1984, so no real number carries a
    code whose last GB/T 2260 listing ended by 1983: a generated number can never be somebody's,
    whatever its birth date and sequence digits, yet it still passes the division check (numbers
    keep historical codes). The address uses the old county's name, as it was printed then.
    """
    table = load_divisions()
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    out, province = [], ""
    for line in text.splitlines():
        key, _, props = line.strip().partition(" ")
        if not line.startswith(" "):
            province = key
            continue
        code, last = province + key, props.split("=", 1)[-1].strip('"').split(",")[-1]
        ended = re.match(r"^\[\d{0,4}-(\d{4})\](.+)$", last)
        name = ended.group(2) if ended else ""
        if not ended or int(ended.group(1)) > 1983 or code.endswith("00") or not name.endswith(("县", "市")):
            continue
        if code in table and table[code].level == "county":
            out.append((code, table[code[:2] + "0000"].name + name, name))
    hunan = [c for c in out if c[0].startswith("43")]
    return hunan * 3 + out


def make_identity(
    rng: np.random.Generator, faults: Sequence[str] = (), today: dt.date | None = None
) -> Identity:
    """A random fictional identity; ``faults`` makes it fail checks on purpose.

    Faults: ``checksum`` (wrong check digit), ``birth_mismatch`` (printed birth date differs),
    ``division`` (a code that never existed), ``expired`` (validity ended).
    """
    today = today or dt.date(2026, 11, 24)
    code, place, county = _counties()[int(rng.integers(len(_counties())))]
    surname = SURNAMES[int(rng.integers(len(SURNAMES)))]
    given = "".join(GIVEN[int(rng.integers(len(GIVEN)))] for _ in range(int(rng.integers(1, 3))))
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365 * 55)))
    sex = "男" if rng.random() < 0.5 else "女"
    if "division" in faults:
        code = "990" + code[3:]
    body = (
        code + birth.strftime("%Y%m%d") + "00" + str(int(rng.integers(0, 5)) * 2 + (1 if sex == "男" else 0))
    )
    number = body + check_digit(body)
    if "checksum" in faults:
        number = body + "10X98765432"[("10X98765432".index(number[-1]) + 1) % 11]
    printed_birth = birth + dt.timedelta(days=1) if "birth_mismatch" in faults else birth
    road = ROADS[int(rng.integers(len(ROADS)))]
    address = f"{place}{road}{int(rng.integers(1, 400))}号"
    if rng.random() < 0.5:
        address += (
            f"{int(rng.integers(1, 20))}栋{int(rng.integers(1, 6))}单元{int(rng.integers(101, 2800))}室"
        )
    valid_from, valid_until = _validity(rng, birth, today, expired="expired" in faults)
    authority = _authority(place, county)
    return Identity(
        surname + given, sex, NATIONS[int(rng.integers(len(NATIONS)))], printed_birth, address, number,
        authority, valid_from, valid_until, list(faults),
    )  # fmt: skip


def _authority(place: str, county: str) -> str:
    """``长沙市公安局芙蓉分局`` for districts, ``宁乡县公安局`` otherwise."""
    for suffix in ("省", "自治区"):
        if suffix in place:
            place = place.split(suffix, 1)[1]
            break
    if place.endswith("区") and "市" in place:
        city, district = place.split("市", 1)
        return f"{city}市公安局{district[:-1]}分局"
    return county + "公安局"


def _validity(
    rng: np.random.Generator, birth: dt.date, today: dt.date, *, expired: bool
) -> tuple[dt.date, dt.date | None]:
    """Issue date and the end the law sets by age at issue: 5, 10, 20 years or 长期."""
    if expired:
        start = today - dt.timedelta(days=int(rng.integers(365 * 11, 365 * 15)))
        return start, _years_on(start, 10)
    for _ in range(50):
        start = today - dt.timedelta(days=int(rng.integers(30, 365 * 9)))
        age = (start - birth).days // 365
        years = 5 if age < 16 else 10 if age < 26 else 20 if age < 46 else None
        if years is None:
            return start, None
        end = _years_on(start, years)
        if end > today:
            return start, end
    return today - dt.timedelta(days=30), None


def _years_on(start: dt.date, years: int) -> dt.date:
    """The same month and day ``years`` on, as cards print their end (29 February: the 28th)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def _base_card(rng: np.random.Generator, tint: tuple[int, int, int]) -> Image.Image:
    """Light guilloche-like background with a colour tint."""
    ys, xs = np.mgrid[0:CARD_H, 0:CARD_W].astype(np.float32)
    wave = (np.sin(xs / 17.0 + np.sin(ys / 23.0) * 2.0) + np.sin(ys / 11.0 + xs / 41.0)) * 3.0
    base = np.empty((CARD_H, CARD_W, 3), np.float32)
    for c in range(3):
        base[..., c] = tint[c] + wave + rng.normal(0, 1.5, (CARD_H, CARD_W))
    return Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))


def _text(
    draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, size: int, fill: tuple[int, int, int]
) -> None:
    draw.text(xy, text, font=font(size), fill=fill)


def _jitter(rng: np.random.Generator) -> tuple[int, int]:
    return int(rng.integers(-4, 5)), int(rng.integers(-3, 4))


def wrap_address(address: str, per_line: int = 11) -> list[str]:
    """Split the address into printed lines of at most ``per_line`` characters (3 lines max)."""
    return [address[i : i + per_line] for i in range(0, len(address), per_line)][:3]


def render_front(person: Identity, portrait: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The portrait side at 856 x 540."""
    card = _base_card(rng, (238, 240, 236))
    draw = ImageDraw.Draw(card)
    dx, dy = _jitter(rng)
    for label, y in (("姓 名", 62), ("性 别", 122), ("出 生", 182), ("住 址", 242)):
        _text(draw, (70 + dx, y + dy), label, 24, LABEL)
    _text(draw, (300 + dx, 122 + dy), "民 族", 24, LABEL)
    _text(draw, (70 + dx, 448 + dy), "公民身份号码", 24, LABEL)
    _text(draw, (165 + dx, 52 + dy), person.name, 34, INK)
    _text(draw, (165 + dx, 114 + dy), person.sex, 28, INK)
    _text(draw, (395 + dx, 114 + dy), person.nation, 28, INK)
    b = person.birth
    _text(draw, (165 + dx, 174 + dy), f"{b.year}   年  {b.month:>2}  月  {b.day:>2}  日", 28, INK)
    for i, line in enumerate(wrap_address(person.address)):
        _text(draw, (165 + dx, 234 + dy + 42 * i), line, 28, INK)
    _text(draw, (262 + dx, 436 + dy), " ".join(person.number).replace(" ", "\u2009"), 36, INK)
    face = Image.fromarray(portrait).resize((230, 290))
    card.paste(face, (565 + dx, 70 + dy))
    return np.asarray(card)


def render_back(person: Identity, rng: np.random.Generator) -> np.ndarray:
    """The national-emblem side at 856 x 540."""
    card = _base_card(rng, (236, 238, 240))
    draw = ImageDraw.Draw(card)
    dx, dy = _jitter(rng)
    draw.ellipse((72 + dx, 40 + dy, 202 + dx, 170 + dy), fill=(200, 30, 30))
    draw.ellipse((96 + dx, 64 + dy, 178 + dx, 146 + dy), outline=(240, 200, 60), width=6)
    for sx, sy, r in ((137, 95, 16), (110, 80, 6), (118, 112, 6), (160, 80, 6), (156, 112, 6)):
        draw.regular_polygon((sx + dx, sy + dy, r), 5, fill=(250, 210, 60))
    _text(draw, (280 + dx, 58 + dy), "中华人民共和国", 44, INK)
    _text(draw, (268 + dx, 128 + dy), "居民身份证", 72, INK)
    _text(draw, (180 + dx, 392 + dy), "签发机关", 24, INK)
    _text(draw, (180 + dx, 452 + dy), "有效期限", 24, INK)
    _text(draw, (330 + dx, 384 + dy), person.authority, 28, INK)
    truth = person.back_truth()
    _text(draw, (330 + dx, 444 + dy), f"{truth['valid_from']}-{truth['valid_until']}", 28, INK)
    return np.asarray(card)


@cache
def portraits() -> list[np.ndarray]:
    """Head-and-shoulders crops (aspect 230:290) of the fixture photos, found with dlib's HOG."""
    photos = (np.asarray(Image.open(path).convert("RGB")) for path in sorted(FACES_DIR.glob("*.jpg")))
    return [p for p in map(crop_portrait, photos) if p is not None]


def crop_portrait(img: np.ndarray) -> np.ndarray | None:
    """The head and shoulders (aspect 230:290) around the largest face dlib's HOG finds, or None."""
    import dlib

    boxes = sorted(dlib.get_frontal_face_detector()(img, 1), key=lambda r: -r.area())
    if not boxes:
        return None
    r = boxes[0]
    cx, cy, size = (r.left() + r.right()) / 2, (r.top() + r.bottom()) / 2, r.width()
    w, h = size * 2.0, size * 2.0 * 290 / 230
    x0, y0 = int(max(0, cx - w / 2)), int(max(0, cy - h * 0.45))
    return np.ascontiguousarray(img[y0 : int(y0 + h), x0 : int(x0 + w)])


def _background(rng: np.random.Generator, size: tuple[int, int], clutter: bool) -> np.ndarray:
    """A table-like surface; with ``clutter``, papers, pens and printed text around the card."""
    w, h = size
    base = rng.integers(40, 140, 3).astype(np.float32)
    grain = cv2.GaussianBlur(rng.normal(0, 18, (h, w)).astype(np.float32), (0, 0), 3)
    img = np.clip(base[None, None, :] + grain[..., None], 0, 255).astype(np.uint8)
    if clutter:
        pil = Image.fromarray(img)
        draw = ImageDraw.Draw(pil)
        for _ in range(int(rng.integers(6, 14))):
            x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
            color = tuple(int(c) for c in rng.integers(0, 256, 3))
            if rng.random() < 0.5:
                draw.rectangle(
                    (x, y, x + int(rng.integers(40, 300)), y + int(rng.integers(20, 200))), fill=color
                )
            else:
                draw.line(
                    (x, y, int(rng.integers(0, w)), int(rng.integers(0, h))),
                    fill=color,
                    width=int(rng.integers(2, 12)),
                )
        for _ in range(4):
            _text(
                draw,
                (int(rng.integers(0, w - 200)), int(rng.integers(0, h - 40))),
                "会议纪要 2024 第三季度",
                26,
                (30, 30, 30),
            )
        img = np.asarray(pil)
    return img


def place_card(
    card: np.ndarray, rng: np.random.Generator, *, perspective: float, clutter: bool, cutoff: bool = False,
    frame: tuple[int, int] = (1280, 960),
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Warp the card into a photo frame; returns (photo, card corner points in the photo)."""
    w, h = frame
    scale = rng.uniform(0.62, 0.8) * w / CARD_W
    cw, ch = CARD_W * scale, CARD_H * scale
    angle = np.deg2rad(rng.uniform(-7, 7))
    if cutoff:  # one corner out of the frame: tilt enough that only that corner leaves it
        angle = np.deg2rad(rng.choice([-1, 1]) * rng.uniform(4, 7))
    cx, cy = w / 2 + rng.uniform(-0.06, 0.06) * w, h / 2 + rng.uniform(-0.06, 0.06) * h
    corners = np.array([[-cw / 2, -ch / 2], [cw / 2, -ch / 2], [cw / 2, ch / 2], [-cw / 2, ch / 2]])
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    dst = corners @ rot.T + [cx, cy]
    dst += rng.uniform(-perspective, perspective, dst.shape) * cw
    if cutoff:
        dst[:, 0] += w * 1.025 - dst[:, 0].max()
    src = np.array([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    photo = _background(rng, frame, clutter)
    mask = _rounded_mask()
    warped = cv2.warpPerspective(card, matrix, frame, flags=cv2.INTER_AREA)
    alpha = cv2.warpPerspective(mask, matrix, frame, flags=cv2.INTER_LINEAR)[..., None] / 255.0
    out = (warped * alpha + photo * (1 - alpha)).astype(np.uint8)
    return out, dst


@cache
def _rounded_mask() -> np.ndarray:
    mask = Image.new("L", (CARD_W, CARD_H), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, CARD_W - 1, CARD_H - 1), radius=30, fill=255)
    return np.asarray(mask)


def _glare(img: np.ndarray, rng: np.random.Generator, corners: np.ndarray) -> np.ndarray:
    """A specular highlight on the card: a saturated elliptic blob."""
    h, w = img.shape[:2]
    cx, cy = corners.mean(axis=0) + rng.uniform(-120, 120, 2)
    ys, xs = np.mgrid[0:h, 0:w]
    blob = np.exp(-(((xs - cx) / 110.0) ** 2 + ((ys - cy) / 60.0) ** 2))
    return np.clip(img + blob[..., None] * 260, 0, 255).astype(np.uint8)


def _shadow(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A soft hand or phone shadow across part of the frame."""
    h, w = img.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w]
    a, b = rng.uniform(-1, 1, 2)
    side = (xs - w / 2) * a + (ys - h / 2) * b > 0
    shade = cv2.GaussianBlur(np.where(side, 0.55, 1.0).astype(np.float32), (0, 0), 25)
    return (img * shade[..., None]).astype(np.uint8)


def _screen(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A photo of a screen: the sub-pixel grid beats with the camera grid into moiré."""
    h, w = img.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    period = rng.uniform(3.2, 4.5)
    angle = rng.uniform(0, np.pi)
    grid = np.sin((xs * np.cos(angle) + ys * np.sin(angle)) * 2 * np.pi / period)
    grid2 = np.sin((xs * np.cos(angle + 1.4) + ys * np.sin(angle + 1.4)) * 2 * np.pi / (period * 1.1))
    out = img.astype(np.float32) * (0.78 + 0.11 * grid[..., None] + 0.11 * grid2[..., None])
    return np.clip(out * 1.12 + 10, 0, 255).astype(np.uint8)


def _bw(img: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    grey = cv2.convertScaleAbs(grey, alpha=1.3, beta=-30)
    return np.repeat(grey[..., None], 3, axis=2)


def degrade(card: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Turn a flat card into a photo with one named degradation (see DEGRADATIONS)."""
    perspective = 0.07 if kind == "perspective" else 0.015
    photo, corners = place_card(
        card, rng, perspective=perspective, clutter=kind == "clutter", cutoff=kind == "cutoff"
    )
    effects: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "blur": lambda im: cv2.GaussianBlur(im, (0, 0), rng.uniform(2.2, 3.0)),
        "noise": lambda im: np.clip(im + rng.normal(0, 14, im.shape), 0, 255).astype(np.uint8),
        "glare": lambda im: _glare(im, rng, corners),
        "shadow": lambda im: _shadow(im, rng),
        "lowlight": lambda im: np.clip(im * 0.22 + rng.normal(0, 3, im.shape), 0, 255).astype(np.uint8),
        "bw": _bw,
        "screen": lambda im: _screen(im, rng),
        "rotate90": lambda im: np.rot90(im, -1),
        "rotate180": lambda im: np.rot90(im, 2),
        "rotate270": lambda im: np.rot90(im, 1),
    }
    if kind in effects:
        photo = np.ascontiguousarray(effects[kind](photo))
    if kind != "blur":
        photo = np.asarray(Image.fromarray(photo).filter(ImageFilter.GaussianBlur(0.6)))
    return photo


def to_jpeg(img: np.ndarray, quality: int) -> bytes:
    """Encode as a phone would."""
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


@dataclass
class Sample:
    """One generated photo with its truth."""

    side: str
    degradation: str
    jpeg: bytes
    truth: dict[str, str]
    person: Identity
    portrait_index: int


def generate(
    n: int,
    *,
    seed: int = 0,
    sides: Sequence[str] = ("front", "back"),
    degradations: Sequence[str] = DEGRADATIONS,
    faults: Sequence[str] = (),
) -> list[Sample]:  # fmt: skip
    """``n`` samples per side, cycling through the degradations."""
    rng = np.random.default_rng(seed)
    faces = portraits()
    samples = []
    for i in range(n):
        person = make_identity(rng, faults)
        kind = degradations[i % len(degradations)]
        quality = int(rng.integers(22, 35)) if kind == "jpeg" else 88
        pidx = i % len(faces)
        for side in sides:
            card = render_front(person, faces[pidx], rng) if side == "front" else render_back(person, rng)
            photo = degrade(card, kind, rng)
            truth = person.front_truth() if side == "front" else person.back_truth()
            samples.append(Sample(side, kind, to_jpeg(photo, quality), truth, person, pidx))
    return samples


def main() -> None:
    """Write JPEGs and a truth.json to --out."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--n", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    truth = {}
    for i, sample in enumerate(generate(args.n, seed=args.seed)):
        name = f"{i:04d}_{sample.side}_{sample.degradation}.jpg"
        (args.out / name).write_bytes(sample.jpeg)
        truth[name] = {"truth": sample.truth, "person": asdict(sample.person)}
    (args.out / "truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )


if __name__ == "__main__":
    main()


# --- Synthetic liveness sequences -------------------------------------------------------------
# Made from ONE real photo by geometric warps driven by its dlib landmarks. They are synthetic:
# good enough that a real landmark detector sees each action with plausible amplitudes, not a model
# of real motion, lighting or expression. What each action models, and its limits:
#
# - turn_left / turn_right: a rigid yaw of the head, modelled as an ellipsoid (semi-axes from the
#   jaw width) with a nose bump, rotated about its vertical axis and projected orthographically. The
#   near cheek widens, the far cheek foreshortens and the nose tip moves more than the cheeks, as in
#   a real turn; nothing hidden becomes visible (the far ear is not revealed, the background is only
#   dragged). Frames are as the camera recorded them (not mirrored): turning to the subject's own
#   left moves the nose toward the image's right.
# - nod: the same ellipsoid pitched head-down about its horizontal axis.
# - blink: the eye openings are filled with the surrounding skin (inpainted, toned like the skin
#   under the eye) and a lash line is drawn where the lids meet. No lid shading or lash texture.
# - open_mouth: the jaw drops (chin and lower lip most, the jaw outline less toward the ear hinge)
#   and the mouth opening is filled dark. No teeth or tongue.
# Default amplitudes are modest for a person asked to act: yaw 22 degrees, pitch 15 degrees,
# jaw drop 14 % of the face width; ``make_sequence`` varies them by +-20 %.

HEAD_TURN_DEG = 22.0
NOD_DEG = 15.0
JAW_DROP = 0.14


def _landmarks(photo: np.ndarray) -> np.ndarray:
    from idverify.faces import find_faces

    return find_faces(photo)[0].landmarks


def _warp(img: np.ndarray, src: np.ndarray, dst: np.ndarray, sigma: float) -> np.ndarray:
    """Move ``src`` points to ``dst`` with a smooth Gaussian-weighted displacement field."""
    h, w = img.shape[:2]
    x0, y0 = (np.maximum(dst.min(axis=0) - 3 * sigma, 0)).astype(int)
    x1, y1 = (np.minimum(dst.max(axis=0) + 3 * sigma, [w, h])).astype(int)
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    disp = (dst - src).astype(np.float32)
    weights = np.exp(-((xs[..., None] - dst[:, 0]) ** 2 + (ys[..., None] - dst[:, 1]) ** 2) / (2 * sigma**2))
    norm = np.maximum(weights.sum(axis=2), 1.0)
    map_x = xs - (weights * disp[:, 0]).sum(axis=2) / norm
    map_y = ys - (weights * disp[:, 1]).sum(axis=2) / norm
    out = img.copy()
    mx, my = map_x.astype(np.float32), map_y.astype(np.float32)
    out[y0:y1, x0:x1] = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    return out


def rotate_head(photo: np.ndarray, pts: np.ndarray, yaw_deg: float, pitch_deg: float) -> np.ndarray:
    """Rotate the head in ``photo`` by ``yaw_deg`` (positive: to the subject's left) and ``pitch_deg``
    (positive: head down), as an ellipsoid with a nose bump under orthographic projection.

    The forward map (source pixel -> rotated position) is inverted by fixed-point iteration; outside
    the head ellipse the displacement fades out, so neck, hair and background are dragged along.
    """
    h, w = photo.shape[:2]
    width = float(np.linalg.norm(pts[16] - pts[0]))
    cx, cy = float(pts[[0, 16], 0].mean()), float(pts[27:31, 1].mean())
    a, b, c = 0.55 * width, 0.75 * width, 0.55 * width  # half width, half height, depth
    nose_x, nose_y = (float(v) for v in pts[30])
    bump, bump_sigma = 0.28 * a, 0.16 * a  # a nose tip ~2 cm in front of the cheeks
    yaw, pitch = np.deg2rad(yaw_deg), np.deg2rad(pitch_deg)
    x0, x1 = int(max(cx - 2.2 * a, 0)), int(min(cx + 2.2 * a, w))
    y0, y1 = int(max(cy - 2.0 * b, 0)), int(min(cy + 2.0 * b, h))
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)

    def displacement(sx: np.ndarray, sy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = sx - cx, sy - cy
        r2 = (x / a) ** 2 + (y / b) ** 2
        z = c * np.sqrt(np.clip(1 - r2, 0, 1))
        z = z + bump * np.exp(-((sx - nose_x) ** 2 + (sy - nose_y) ** 2) / (2 * bump_sigma**2))
        xr = x * np.cos(yaw) + z * np.sin(yaw)  # yaw about the vertical axis (image y down, z to camera)
        zr = -x * np.sin(yaw) + z * np.cos(yaw)
        yr = y * np.cos(pitch) + zr * np.sin(pitch)  # then pitch about the horizontal axis
        fade = np.exp(-(np.clip(np.sqrt(r2) - 1, 0, None) ** 2) / (2 * 0.25**2))
        return (xr - x) * fade, (yr - y) * fade

    sx, sy = xs.copy(), ys.copy()
    for _ in range(12):  # solve rotated(s) = output pixel for the source pixel s
        dx, dy = displacement(sx, sy)
        sx, sy = xs - dx, ys - dy
    out = photo.copy()
    out[y0:y1, x0:x1] = cv2.remap(
        photo, sx.astype(np.float32), sy.astype(np.float32), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
    )
    return out


def _close_eyes(photo: np.ndarray, pts: np.ndarray, width: float) -> np.ndarray:
    """Fill each eye opening (lashes included) with skin, then draw the lash line where the lids meet."""
    mask = np.zeros(photo.shape[:2], np.uint8)
    for eye in (pts[36:42], pts[42:48]):
        x0, x1 = eye[:, 0].min(), eye[:, 0].max()
        upper, lower = eye[[1, 2], 1].mean(), eye[[4, 5], 1].mean()
        span = max(lower - upper, 0.25 * (x1 - x0))
        centre = (int((x0 + x1) / 2), int((upper - 0.35 * span + lower + 0.1 * span) / 2))
        axes = (int((x1 - x0) * 0.62 + 0.5), int((lower - upper + 0.45 * span) / 2 + 2))
        cv2.ellipse(mask, centre, axes, 0, 0, 360, 255, -1)
    filled = cv2.inpaint(photo, mask, 7, cv2.INPAINT_TELEA).astype(np.float32)
    for eye in (pts[36:42], pts[42:48]):
        # a closed lid has about the tone of the skin under the eye, not of the socket's shadow
        x0, x1 = int(eye[:, 0].min()), int(eye[:, 0].max()) + 1
        lower, band = int(eye[[4, 5], 1].max()), max(2, int(0.25 * (x1 - x0)))
        skin = photo[lower + 2 : lower + 2 + band, x0:x1].reshape(-1, 3).astype(np.float32).mean(axis=0)
        region = np.zeros(mask.shape, bool)
        region[:, max(x0 - 3 * band, 0) : x1 + 3 * band] = mask[:, max(x0 - 3 * band, 0) : x1 + 3 * band] > 0
        filled[region] += (skin - filled[region].mean(axis=0)) * 0.5
    alpha = cv2.GaussianBlur(mask.astype(np.float32) / 255, (0, 0), max(1.0, 0.008 * width))[..., None]
    out = np.clip(photo * (1 - alpha) + filled * alpha, 0, 255).astype(np.uint8)
    for eye in (pts[36:42], pts[42:48]):
        lid = np.array([eye[0], eye[5] * 0.75 + eye[1] * 0.25, eye[4] * 0.75 + eye[2] * 0.25, eye[3]])
        line = np.round(lid * 4).astype(np.int32)
        cv2.polylines(out, [line], False, (35, 25, 25), max(2, int(width * 0.012)), cv2.LINE_AA, 2)
    return out


def _open_mouth(photo: np.ndarray, pts: np.ndarray, width: float, drop: float) -> np.ndarray:
    """Drop the jaw by ``drop`` x face width (less toward the ear hinge) and darken the opening."""
    d = width * drop
    idx = [4, 5, 6, 7, 8, 9, 10, 11, 12, 55, 56, 57, 58, 59, 65, 66, 67]
    share = np.array([0.25, 0.5, 0.75, 0.9, 1, 0.9, 0.75, 0.5, 0.25, 0.8, 0.9, 1, 0.9, 0.8, 0.85, 0.9, 0.85])
    out = _warp(photo, pts[idx], pts[idx] + np.outer(share, [0, d]), width * 0.09)
    inner = pts[60:68].copy()
    inner[5:8] += np.outer([0.85, 0.9, 0.85], [0, d])
    inner[[0, 4]] += [0, d * 0.35]
    cv2.fillPoly(out, [np.round(inner * 4).astype(np.int32)], (45, 20, 22), cv2.LINE_AA, 2)
    return out


def act(photo: np.ndarray, pts: np.ndarray, action: str, strength: float = 1.0) -> np.ndarray:
    """One frame of ``action`` made from a neutral photo and its landmarks (``strength`` scales it)."""
    width = float(np.linalg.norm(pts[16] - pts[0]))
    if action == "blink":
        return _close_eyes(photo, pts, width)
    if action == "open_mouth":
        return _open_mouth(photo, pts, width, JAW_DROP * strength)
    if action in ("turn_left", "turn_right"):
        sign = 1.0 if action == "turn_left" else -1.0
        return rotate_head(photo, pts, sign * HEAD_TURN_DEG * strength, 0.0)
    if action == "nod":
        return rotate_head(photo, pts, 0.0, NOD_DEG * strength)
    return photo.copy()


def _jitter_frame(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A hand-held camera: small shift, rotation, scale and sensor noise."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-1.5, 1.5), rng.uniform(0.98, 1.02))
    m[:, 2] += rng.uniform(-4, 4, 2)
    out = cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REFLECT)
    return np.clip(out + rng.normal(0, 2.5, out.shape), 0, 255).astype(np.uint8)


def selfie_frame(photo: np.ndarray, size: int = 480) -> np.ndarray:
    """Crop a photo around its largest face as a front camera frames it (face ~40 % of the width)."""
    from idverify.faces import find_faces

    left, top, right, bottom = find_faces(photo)[0].box
    side = int((right - left) * 2.4)
    cx, cy = (left + right) // 2, (top + bottom) // 2
    pad = cv2.copyMakeBorder(photo, side, side, side, side, cv2.BORDER_REFLECT)
    crop = pad[cy + side - side // 2 : cy + side + side // 2, cx + side - side // 2 : cx + side + side // 2]
    return cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)


def make_sequence(photo: np.ndarray, actions: Sequence[str], rng: np.random.Generator) -> list[np.ndarray]:
    """Frames N N A1 A1 N A2 A2 N (A3 A3 N): neutral, each action held two frames, neutral between."""
    photo = selfie_frame(photo)
    pts = _landmarks(photo)
    plan = ["neutral", "neutral"]
    for action in actions:
        plan += [action, action, "neutral"]
    strength = {a: float(rng.uniform(0.8, 1.2)) for a in actions}
    return [_jitter_frame(act(photo, pts, a, strength.get(a, 1.0)), rng) for a in plan]


def frames_to_jpeg(frames: Sequence[np.ndarray], quality: int = 85) -> list[bytes]:
    """JPEG-encode a sequence, as the app uploads it."""
    return [to_jpeg(f, quality) for f in frames]
