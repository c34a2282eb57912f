"""A second, independent renderer of Chinese resident ID cards (第二代居民身份证) for OCR benchmarks.

It exists so the ``idverify`` engine can be tuned on one renderer (``scripts/gen_idcards.py``) and
measured on another: nothing here is derived from that generator or from the engine's layout code.
It was written from what a real card looks like.

What it models
    * The card: 85.6 × 54 mm with rounded corners, drawn at a random 9–13 px/mm. A pale background
      whose tint, gradient and guilloche (rosette line) pattern change from card to card.
    * Front: the labels 姓名 性别 民族 出生 (年 月 日) 住址 公民身份号码 in a blue-grey label colour,
      values in near-black; 性别 and 民族 on one line; the address wrapped over 1–3 lines, as many
      characters a line as the font size and spacing allow; the 18-digit number in a digit face;
      a portrait on the right, cut from real face photos (``tests/fixtures/faces``) with a varied
      crop, a greyish replaced background and soft mask edges.
    * Back: a stylised red/gold emblem (a drawing, not the real emblem), "中华人民共和国" and
      "居民身份证", then 签发机关 and 有效期限 with their values.
    * Every position the card standard leaves open is jittered: each label and value by up to ±3 mm,
      field rows, address line spacing 3.5–5 mm, font size and character spacing ±15 %, several
      CJK faces (Noto Sans CJK SC in several weights, Noto Serif SC, WenQuanYi Micro Hei) and
      several digit faces for the number.
    * People: 2–4 character names (compound surnames, some rarer GB 2312 characters), all 56
      nationalities (汉 most often, Hunan's 土家 苗 侗 瑶 … next), birth dates 1940–2012, addresses
      in real GB/T 2260 counties (mostly Hunan) with 路/号/栋/单元/室 or 镇/村/组 and digits, the
      matching issuing authority (district → "长沙市公安局芙蓉分局", county → "湘潭县公安局",
      county-level city → "邵东市公安局"), validity by age at issue (<16: 5 years, 16–25: 10,
      26–45: 20, 46+: 长期), every card still valid on 2026-11-29. The ID number carries a real
      county code (mostly the residence's, sometimes another, possibly another province), the
      birth date, a sex-consistent sequence digit and a correct GB 11643 check digit.
    * Photographed conditions (``DEGRADATIONS``): a flat scan, perspective on varied backgrounds
      (desk wood, paper, cloth, skin-coloured hand blobs), quarter turns, small rotations, glare,
      shadow, blur, sensor noise, low JPEG quality, low light, and a frame the card fills 50–95 %
      of. ``HARD_DEGRADATIONS`` holds cases a reader may reasonably fail on (cut off, heavy blur,
      very dark, tiny).

Limits
    No security features (OVI ink, micro-text, the colour-shifting 长城 picture), no real emblem,
    no OCR-B (a monospace digit face stands in), no names with the "·" separator, no faded or
    scratched plastic, one card per photo, and the portraits come from five fixture photos.

Fonts come from PyPI wheels in the ``dev`` group (``make sync``): ``manimgx-fonts-cjk`` (Noto Sans
CJK VF), ``pylopdf-fonts-zh-cn`` (Noto Sans SC, Noto Serif SC), ``paperang-p2-fonts-cjk``
(WenQuanYi Micro Hei) and ``captcha`` (Droid Sans Mono, a main dependency). Debian fonts (DejaVu
Sans Mono, AR PL UMing, Noto CJK, WenQuanYi Zen Hei) are used as extra faces when present, never
required; so a seed gives the same images on machines with the same fonts (``available_faces()``).

Usage: ``python -m scripts.gen_idcards_alt --out DIR --n N --seed S`` writes JPEGs and truth.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import io
import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
FACES_DIR = REPO / "tests" / "fixtures" / "faces"
CARD_W_MM = 85.6
CARD_H_MM = 54.0
REFERENCE_DATE = dt.date(2026, 11, 29)  # every card is valid on this day

DEGRADATIONS: tuple[str, ...] = (
    "clean",
    "perspective",
    "rotate90",
    "rotate180",
    "rotate270",
    "rotate_small",
    "glare",
    "shadow",
    "blur",
    "noise",
    "jpeg",
    "lowlight",
    "scale",
)
HARD_DEGRADATIONS: tuple[str, ...] = ("cutoff", "heavy_blur", "dark", "tiny")

# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------

NATIONS: tuple[str, ...] = tuple(
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split()
)
_HUNAN_MINORITIES = ("土家", "苗", "侗", "瑶", "白", "回", "壮", "维吾尔")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫"
    "孔向汤谌佘阙缪鄢岑晏禹滕钮莘宓麻揭庹"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "慕容", "令狐", "皇甫", "尉迟", "公孙")
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国志红玲梅鹏飞婷宇浩然思雨欣怡子涵梓轩"
    "晨阳佳琪俊辉文博海燕春花秋菊冬梅湘楠鑫淼森焱垚晶磊犇琳瑶婕妍菁蕾薇萱岚"
    "琰琮璇珏翊瑾婧骁琦炜昊旻昕晗喆彧珺钰瑜璐璟玮琨祎禛赟頔"
)
# Characters from GB 2312 level 2 (rarer, but printable in every standard Chinese font).
RARE_GIVEN_CHARS = "翀玙旸昶晟暄曦熠皓铖锴铎钧骞彬枭燊焜炅煜淇漪澍濛潇沅汐洹沣湉溥"

_UYGHUR_LIKE = (
    "阿依古丽",
    "买买提",
    "艾力",
    "古丽娜",
    "努尔兰",
    "热合曼",
    "迪丽拜尔",
    "阿不都",
    "帕提曼",
    "吐尔逊",
    "巴图",
    "乌兰",
    "哈斯",
    "阿依努尔",
)


def _gb2312(text: str) -> bool:
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


@cache
def _given_pool() -> tuple[str, str]:
    common = "".join(ch for ch in dict.fromkeys(GIVEN_CHARS) if _gb2312(ch))
    rare = "".join(ch for ch in dict.fromkeys(RARE_GIVEN_CHARS) if _gb2312(ch))
    return common, rare


def _make_name(rng: random.Random, nation: str) -> str:
    if (
        nation in ("维吾尔", "哈萨克", "柯尔克孜", "塔吉克", "乌孜别克", "塔塔尔", "蒙古")
        and rng.random() < 0.6
    ):
        return rng.choice(_UYGHUR_LIKE)
    common, rare = _given_pool()
    surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.06 else rng.choice(SURNAMES)
    n_given = rng.choices((1, 2, 3), weights=(30, 66, 4))[0]
    if len(surname) + n_given > 4:
        n_given = 4 - len(surname)
    given = "".join(rng.choice(rare) if rng.random() < 0.12 else rng.choice(common) for _ in range(n_given))
    return surname + given


# --- GB/T 2260 divisions (python-stdnum's table) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class County:
    code: str
    province: str
    city: str  # "" for municipalities and province-administered counties
    name: str


@cache
def _divisions() -> tuple[dict[str, str], list[County], list[str]]:
    """(current names by code, current counties, every county code ever valid)."""
    spec = importlib.util.find_spec("stdnum")
    if spec is None or spec.origin is None:
        raise RuntimeError("python-stdnum is needed for GB/T 2260 division codes")
    text = (Path(spec.origin).parent / "cn" / "loc.dat").read_text(encoding="utf-8")
    names: dict[str, str] = {}
    all_codes: list[str] = []
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, rest = line.strip().partition(" ")
        value = rest.split("=", 1)[1].strip('"')
        if not line.startswith(" "):
            province = key
            continue
        code = province + key
        latest = value.split(",")[-1]
        current = True
        if latest.startswith("["):
            span, _, latest = latest[1:].partition("]")
            current = span.endswith("-")
        if not code.endswith("00"):
            all_codes.append(code)
        if current:
            names[code] = latest
    counties: list[County] = []
    for code, name in names.items():
        if code.endswith("00") or name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        prov = names.get(code[:2] + "0000", "")
        city = names.get(code[:4] + "00", "")
        if city in ("市辖区", "县", prov) or "直辖" in city:
            city = ""
        counties.append(County(code, prov, city, name))
    return names, counties, all_codes


_OTHER_PROVINCES = ("11", "12", "31", "36", "42", "44", "45", "50", "51", "52", "15", "65", "54")


def _pick_county(rng: random.Random, hunan_share: float = 0.85, provinces: Sequence[str] = ()) -> County:
    _, counties, _ = _divisions()
    if provinces:
        prefixes = tuple(provinces)
    elif rng.random() < hunan_share:
        prefixes = ("43",)
    else:
        prefixes = (rng.choice(_OTHER_PROVINCES),)
    pool = [c for c in counties if c.code.startswith(prefixes) and c.name.endswith(("区", "县", "市", "旗"))]
    # Autonomous prefectures and counties give the longest addresses and authorities: seen more often.
    weights = [3 if "自治" in c.city + c.name else 1 for c in pool]
    return rng.choices(pool, weights=weights)[0]


def _authority(rng: random.Random, county: County) -> str:
    name = county.name
    if name.endswith("区") and len(name) > 2:
        owner = county.city or county.province
        return f"{owner}公安局{name[:-1]}分局"
    if name.endswith("市") and county.city.endswith("自治州") and rng.random() < 0.5:
        return f"{county.city}公安局{name[:-1]}分局"
    return f"{name}公安局"


_ROADS = (
    "五一大道 芙蓉中路 人民中路 解放西路 韶山北路 建设北路 新华路 中山路 劳动东路 湘江中路 "
    "车站北路 八一路 远大一路 桐梓坡路 雨花亭路 长沙大道 建湘路 迎宾路 红旗路 光明街 胜利路 "
    "东风路 和平街 文化路 书院路 金星北路 潇湘中路 枫林三路 岳麓大道 沿江大道 滨江路 "
    "青年路 育才街 农林路 工农路 花园路 府前街"
).split()
_ESTATES = (
    "金色家园 湘江世纪城 阳光小区 丽景苑 枫林绿洲 南湖新城 锦绣华庭 幸福里 桂花园 水岸名都 翡翠湾 "
    "电力小区 教师公寓 铁路新村 供销社宿舍 化工厂生活区 怡园 泉塘小区"
).split()
_PLACE_CHARS = "东西南北大小新老长平安白石桥河塘湾坪冲岭山头田家坝口溪江水花桂竹松柏杨柳龙凤金银马牛鹿"
_TOWN_SUFFIX = ("镇", "镇", "乡", "街道")


def _place(rng: random.Random, n: int = 2) -> str:
    return "".join(rng.sample(_PLACE_CHARS, n))


def _make_address(rng: random.Random, county: County, short: bool = False) -> str:
    head = county.province
    if county.city:
        head += county.city
    head += county.name
    municipality = county.province.endswith("市")
    if municipality and (short or rng.random() < 0.35):
        return head + f"{rng.choice(_ROADS)}{rng.randint(1, 299)}号"
    urban = (
        county.name.endswith("区")
        or (county.name.endswith("市") and rng.random() < 0.6)
        or rng.random() < 0.3
    )
    if urban:
        road = rng.choice(_ROADS)
        num = f"{rng.randint(1, 899)}号"
        bld, unit = f"{rng.randint(1, 30)}栋", f"{rng.randint(1, 4)}单元"
        room = f"{rng.randint(1, 28)}{rng.randint(1, 6):02d}室"
        style = rng.randrange(5)
        if style == 0:
            tail = f"{road}{num}"
        elif style == 1:
            tail = f"{road}{num}{bld}{unit}{room}"
        elif style == 2:
            tail = f"{road}{num}{rng.choice(_ESTATES)}{bld}{room}"
        elif style == 3:
            tail = f"{road}{rng.randint(1, 400)}号附{rng.randint(1, 20)}号"
        else:
            tail = f"{rng.choice(_ESTATES)}{bld}{unit}{room}"
        return head + tail
    town = _place(rng, rng.choice((2, 2, 3))) + rng.choice(_TOWN_SUFFIX)
    village = _place(rng, 2) + rng.choice(("村", "村", "社区"))
    style = rng.randrange(4)
    if style == 0:
        tail = f"{town}{village}{rng.randint(1, 25)}组{rng.randint(1, 120)}号"
    elif style == 1:
        tail = f"{town}{village}{_place(rng, 2)}组"
    elif style == 2:
        tail = f"{town}{village}{rng.randint(1, 18)}组"
    else:
        tail = f"{town}{village}{_place(rng, 2)}村民组{rng.randint(1, 60)}号"
    return head + tail


# --- numbers and dates --------------------------------------------------------------------------

_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def check_digit(first17: str) -> str:
    """GB 11643-1999 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def _add_years(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years)


def _validity_years(birth: dt.date, issued: dt.date) -> int | None:
    age = issued.year - birth.year - ((issued.month, issued.day) < (birth.month, birth.day))
    if age < 16:
        return 5
    if age <= 25:
        return 10
    if age <= 45:
        return 20
    return None


@dataclass(frozen=True)
class Identity:
    """The ground truth of one card (both sides)."""

    name: str
    sex: str
    nation: str
    birth: dt.date
    address: str
    id_number: str
    authority: str
    valid_from: dt.date
    valid_until: dt.date | None  # None: 长期
    photo: str  # file name in tests/fixtures/faces

    def front_truth(self) -> dict[str, str]:
        return {
            "name": self.name,
            "sex": self.sex,
            "nation": self.nation,
            "birth_date": f"{self.birth.year}年{self.birth.month}月{self.birth.day}日",
            "address": self.address,
            "id_number": self.id_number,
        }

    def back_truth(self) -> dict[str, str]:
        return {
            "authority": self.authority,
            "valid_from": self.valid_from.strftime("%Y.%m.%d"),
            "valid_until": "长期" if self.valid_until is None else self.valid_until.strftime("%Y.%m.%d"),
        }

    def truth(self, side: str) -> dict[str, str]:
        return self.front_truth() if side == "front" else self.back_truth()


def _face_files() -> list[str]:
    return sorted(p.name for p in FACES_DIR.glob("*.jpg"))


def make_identity(rng: random.Random) -> Identity:
    """A random, self-consistent person whose card is valid on ``REFERENCE_DATE``."""
    r = rng.random()
    nation = "汉" if r < 0.6 else rng.choice(_HUNAN_MINORITIES) if r < 0.8 else rng.choice(NATIONS[1:])
    sex = rng.choice("男女")
    name = _make_name(rng, nation)
    short = rng.random() < 0.08  # a municipality's short address: fits on one line
    home = _pick_county(rng, provinces=("11", "12", "31", "50") if short else ())
    _, _, all_codes = _divisions()
    if rng.random() < 0.75:
        code = home.code
    elif rng.random() < 0.7:
        code = _pick_county(rng, hunan_share=0.7).code
    else:  # a code of a county since renamed or merged: still valid in a number
        code = rng.choice([c for c in all_codes if c.startswith("43")])
    while True:
        first = dt.date(1940, 1, 1) if rng.random() < 0.5 else dt.date(1985, 1, 1)  # more young adults
        birth = first + dt.timedelta(days=rng.randrange((dt.date(2012, 12, 31) - first).days))
        lo = max(birth + dt.timedelta(days=365 * 5), dt.date(2006, 1, 1))
        if lo >= REFERENCE_DATE:
            continue
        issued = lo + dt.timedelta(days=rng.randrange((REFERENCE_DATE - lo).days))
        if (issued.month, issued.day) == (2, 29):
            continue
        years = _validity_years(birth, issued)
        until = None if years is None else _add_years(issued, years)
        if until is None or until > REFERENCE_DATE:
            break
    seq = rng.randrange(0, 100)
    sex_digit = rng.choice("13579" if sex == "男" else "02468")
    first17 = f"{code}{birth:%Y%m%d}{seq:02d}{sex_digit}"
    faces = _face_files()
    address = _make_address(rng, home, short)
    while len(address) > 32:  # real cards hold three lines of about eleven characters
        address = _make_address(rng, home, short)
    return Identity(
        name=name,
        sex=sex,
        nation=nation,
        birth=birth,
        address=address,
        id_number=first17 + check_digit(first17),
        authority=_authority(rng, home),
        valid_from=issued,
        valid_until=until,
        photo=rng.choice(faces) if faces else "",
    )


# ---------------------------------------------------------------------------------------------
# Fonts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Face:
    """One font face: file, collection index, variable-font instance, and its role."""

    path: str
    index: int = 0
    variation: str | None = None
    kind: str = "sans"  # sans | serif | digits

    @property
    def label(self) -> str:
        return f"{Path(self.path).name}#{self.index}{'/' + self.variation if self.variation else ''}"


def _package_file(module: str, *parts: str) -> str | None:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent.joinpath(*parts)
    return str(path) if path.exists() else None


@cache
def available_faces() -> dict[str, tuple[Face, ...]]:
    """The faces found on this machine, by role ("sans", "serif", "digits")."""
    sans: list[Face] = []
    serif: list[Face] = []
    digits: list[Face] = []
    vf = _package_file("manimgx_fonts_cjk", "NotoSansCJK-VF.otf.ttc")
    if vf:  # index 2 is the SC face (0 JP, 1 KR, 3 TC, 4 HK)
        for weight in ("DemiLight", "Regular", "Medium", "Bold"):
            sans.append(Face(vf, 2, weight))
        digits.append(Face(vf, 2, "Medium", "digits"))
    for fname, bucket, kind in (
        ("NotoSansSC-Regular.otf", sans, "sans"),
        ("NotoSerifSC-Regular.otf", serif, "serif"),
    ):
        path = _package_file("pylopdf_fonts_zh_cn", fname)
        if path:
            bucket.append(Face(path, 0, None, kind))
    wqy = _package_file("paperang_p2_fonts_cjk", "fonts", "wqy-microhei.ttc")
    if wqy:
        sans.append(Face(wqy, 0))
        digits.append(Face(wqy, 1, None, "digits"))
    droid = _package_file("captcha", "data", "DroidSansMono.ttf")
    if droid:
        digits.append(Face(droid, 0, None, "digits"))
    # Optional Debian fonts: used when installed, never needed.
    for path, index, bucket, kind in (
        ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 0, digits, "digits"),
        ("/usr/share/fonts/truetype/arphic/uming.ttc", 0, serif, "serif"),
        ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2, serif, "serif"),
        ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, sans, "sans"),
    ):
        if Path(path).exists():
            bucket.append(Face(path, index, None, kind))
    if not sans and not serif:
        raise RuntimeError("no CJK font found: run `make sync` (fonts come from the dev dependency group)")
    if not digits:
        digits.extend(Face(f.path, f.index, f.variation, "digits") for f in sans + serif)
    return {"sans": tuple(sans), "serif": tuple(serif or sans), "digits": tuple(digits)}


@cache
def _font(face: Face, size_px: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(face.path, size_px, index=face.index)
    if face.variation:
        font.set_variation_by_name(face.variation)
    return font


# ---------------------------------------------------------------------------------------------
# Drawing helpers
# ---------------------------------------------------------------------------------------------

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in px


class Canvas:
    """A card image with mm coordinates and a record of every text box drawn."""

    def __init__(self, img: Image.Image, ppm: float) -> None:
        self.img = img
        self.ppm = ppm
        self.draw = ImageDraw.Draw(img)

    def px(self, mm: float) -> float:
        return mm * self.ppm

    def text_boxes(
        self, x_mm: float, base_mm: float, text: str, face: Face, em_mm: float, track_mm: float
    ) -> tuple[list[tuple[float, str]], Box]:
        """Pen positions of each character and the ink box, without drawing."""
        font = _font(face, max(6, round(self.px(em_mm))))
        x = self.px(x_mm)
        y = self.px(base_mm)
        pens: list[tuple[float, str]] = []
        x0 = y0 = math.inf
        x1 = y1 = -math.inf
        for ch in text:
            pens.append((x, ch))
            bx0, by0, bx1, by1 = font.getbbox(ch, anchor="ls")
            x0, y0, x1, y1 = min(x0, x + bx0), min(y0, y + by0), max(x1, x + bx1), max(y1, y + by1)
            x += font.getlength(ch) + self.px(track_mm)
        return pens, (x0, y0, x1, y1)

    def width_mm(self, text: str, face: Face, em_mm: float, track_mm: float) -> float:
        font = _font(face, max(6, round(self.px(em_mm))))
        return (sum(font.getlength(ch) for ch in text) + self.px(track_mm) * max(0, len(text) - 1)) / self.ppm

    def text(
        self,
        x_mm: float,
        base_mm: float,
        text: str,
        face: Face,
        em_mm: float,
        track_mm: float,
        fill: tuple[int, int, int],
    ) -> Box:
        font = _font(face, max(6, round(self.px(em_mm))))
        pens, box = self.text_boxes(x_mm, base_mm, text, face, em_mm, track_mm)
        y = self.px(base_mm)
        for x, ch in pens:
            self.draw.text((x, y), ch, font=font, fill=fill, anchor="ls")
        return box


def _overlap(a: Box, b: Box, margin: float) -> bool:
    return not (
        a[2] + margin <= b[0] or b[2] + margin <= a[0] or a[3] + margin <= b[1] or b[3] + margin <= a[1]
    )


def _f32(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def _noise(rng: np.random.Generator, sigma: float, shape: tuple[int, ...]) -> np.ndarray:
    """Gaussian noise in float32 (drawn as float32: half the time and memory of float64)."""
    return rng.standard_normal(shape, dtype=np.float32) * np.float32(sigma)


def _pastel(rng: np.random.Generator, lo: int = 225, hi: int = 250) -> np.ndarray:
    return rng.uniform(lo, hi, 3).astype(np.float32)


def _background(w: int, h: int, rng: np.random.Generator, back: bool) -> Image.Image:
    """Pale card stock: a two-tint gradient, guilloche rosettes and fine grain."""
    c1 = _pastel(rng, 228, 250)
    c2 = _pastel(rng, 222, 248)
    if rng.random() < 0.5:  # a bluish or a warm card, both seen on real cards
        c1[2] = min(252.0, c1[2] + 8)
    else:
        c2[0] = min(252.0, c2[0] + 8)
    ang = rng.uniform(0, math.pi)
    x1 = np.arange(w, dtype=np.float32)[None, :]
    y1 = np.arange(h, dtype=np.float32)[:, None]
    t = x1 * math.cos(ang) + y1 * math.sin(ang)
    t = (t - t.min()) / (t.max() - t.min() + 1e-6)
    img = c1[None, None, :] * (1 - t[..., None]) + c2[None, None, :] * t[..., None]
    # The line pattern is computed at half resolution (in full-resolution units) and scaled up.
    h2, w2 = (h + 1) // 2, (w + 1) // 2
    yy, xx = np.mgrid[0:h2, 0:w2].astype(np.float32) * 2
    scale = w / 1000.0
    ink: np.ndarray = np.zeros((h2, w2), np.float32)
    for _ in range(int(rng.integers(2, 5))):
        cx, cy = rng.uniform(-0.2 * w, 1.2 * w), rng.uniform(-0.2 * h, 1.2 * h)
        r = np.hypot(xx - cx, yy - cy)
        th = np.arctan2(yy - cy, xx - cx)
        k = rng.uniform(0.05, 0.12) / scale
        m = int(rng.integers(6, 30))
        amp = rng.uniform(4, 18)
        phase = r * k + amp * np.sin(th * m + r * rng.uniform(0.002, 0.01) / scale)
        line = np.clip(1 - np.abs(np.sin(phase)) / rng.uniform(0.12, 0.3), 0, 1)
        ink = np.maximum(ink, line * rng.uniform(0.4, 1.0))
    if back or rng.random() < 0.5:  # wavy horizontal bands
        band = np.clip(1 - np.abs(np.sin(yy * 0.09 / scale + 3 * np.sin(xx * 0.01 / scale))) / 0.2, 0, 1)
        ink = np.maximum(ink, band * rng.uniform(0.3, 0.7))
    ink = cv2.resize(ink, (w, h), interpolation=cv2.INTER_LINEAR)
    ink_colour = rng.uniform(150, 215, 3).astype(np.float32)
    strength = rng.uniform(0.12, 0.3)
    img = img * (1 - strength * ink[..., None]) + ink_colour * (strength * ink[..., None])
    img += _noise(rng, 1.5, (h, w, 1))
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


# --- portraits -------------------------------------------------------------------------------


@cache
def _cascade() -> cv2.CascadeClassifier:
    data_dir: str = cv2.data.haarcascades  # type: ignore[attr-defined]
    return cv2.CascadeClassifier(data_dir + "haarcascade_frontalface_default.xml")


@cache
def _face_photo(name: str) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The photo (RGB) and its largest detected face box (x, y, w, h)."""
    bgr = cv2.imread(str(FACES_DIR / name))
    if bgr is None:
        raise FileNotFoundError(FACES_DIR / name)
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    cascade = _cascade()
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    k = min(1.0, 400 / max(gray.shape))  # detect on a small copy: four times faster, same box
    small = cv2.resize(gray, None, fx=k, fy=k, interpolation=cv2.INTER_AREA) if k < 1 else gray
    found = cascade.detectMultiScale(small, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))
    if len(found):
        best = max(found, key=lambda b: int(b[2]) * int(b[3]))
        x, y, w, h = (int(round(int(v) / k)) for v in best)
    else:
        h_img, w_img = gray.shape
        w = h = min(h_img, w_img) // 2
        x, y = (w_img - w) // 2, (h_img - h) // 3
    return rgb, (x, y, w, h)


def _portrait(
    photo: str, size: tuple[int, int], under: Image.Image, rng: np.random.Generator
) -> Image.Image | None:
    """The card portrait: a crop around the face, background replaced by grey, edges soft."""
    if not photo:
        return None
    rgb, (fx, fy, fw, fh) = _face_photo(photo)
    pw, ph = size
    crop_w = fw * rng.uniform(1.7, 2.4)
    crop_h = crop_w * ph / pw
    cx = fx + fw / 2 + rng.uniform(-0.1, 0.1) * crop_w
    top = fy - fh * rng.uniform(0.45, 0.85)
    src = _f32([[cx - crop_w / 2, top], [cx + crop_w / 2, top], [cx - crop_w / 2, top + crop_h]])
    dst = _f32([[0, 0], [pw, 0], [0, ph]])
    m = cv2.getAffineTransform(src, dst)
    face = cv2.warpAffine(rgb, m, (pw, ph), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE).astype(
        np.float32
    )
    # Head-and-shoulders mask in portrait coordinates.
    s = pw / crop_w
    hx = (fx + fw / 2 - (cx - crop_w / 2)) * s
    hy = (fy + fh * 0.5 - top) * s
    mask: np.ndarray = np.zeros((ph, pw), np.float32)
    cv2.ellipse(mask, (int(hx), int(hy)), (int(fw * 0.52 * s), int(fh * 0.8 * s)), 0, 0, 360, 1.0, -1)
    cv2.ellipse(
        mask, (int(hx), int(hy + fh * 1.95 * s)), (int(fw * 1.35 * s), int(fh * 1.0 * s)), 0, 0, 360, 1.0, -1
    )
    cv2.rectangle(
        mask, (int(hx - fw * 0.28 * s), int(hy)), (int(hx + fw * 0.28 * s), int(hy + fh * 1.3 * s)), 1.0, -1
    )
    sigma = pw * rng.uniform(0.015, 0.05)
    mask = cv2.GaussianBlur(mask, (0, 0), sigma)[..., None]
    grey = rng.uniform(200, 238)
    tint = rng.uniform(-6, 6, 3).astype(np.float32)
    card_bg = np.asarray(under, np.float32)
    mix = rng.uniform(0.45, 0.85)
    bg = mix * (grey + tint) + (1 - mix) * card_bg
    # Printed look: less contrast and colour than the photo.
    lum = face.mean(axis=2, keepdims=True)
    face = lum + (face - lum) * rng.uniform(0.55, 0.9)
    face = face * rng.uniform(0.85, 0.97) + rng.uniform(5, 20)
    out = mask * face + (1 - mask) * bg
    # the printed photo's rectangle fades into the card stock by a varying amount
    feather = pw * rng.uniform(0.0, 0.035) if rng.random() < 0.5 else 0.0
    if feather > 1:
        yy, xx = np.mgrid[0:ph, 0:pw].astype(np.float32)
        d = np.minimum(np.minimum(xx, pw - 1 - xx), np.minimum(yy, ph - 1 - yy))
        edge = np.clip(d / feather, 0, 1)[..., None]
        out = edge * out + (1 - edge) * card_bg
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "RGB")


def _rounded_mask(w: int, h: int, r: int) -> Image.Image:
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), radius=r, fill=255)
    return mask


def _star(cx: float, cy: float, r: float, rot: float) -> list[tuple[float, float]]:
    pts = []
    for k in range(10):
        rad = r if k % 2 == 0 else r * 0.38
        a = rot + k * math.pi / 5 - math.pi / 2
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    return pts


def _emblem(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rng: np.random.Generator) -> None:
    """A stylised red and gold seal: ring, disc, five stars and a gate-like band (not the real emblem)."""
    gold = tuple(int(v) for v in rng.uniform((200, 150, 20), (235, 190, 70)))
    red = tuple(int(v) for v in rng.uniform((190, 20, 20), (225, 50, 40)))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=gold)
    draw.ellipse((cx - r * 0.86, cy - r * 0.86, cx + r * 0.86, cy + r * 0.86), fill=red)
    draw.polygon(_star(cx - r * 0.05, cy - r * 0.42, r * 0.22, 0), fill=gold)
    for k in range(4):
        a = math.radians(-60 + k * 40)
        draw.polygon(
            _star(
                cx - r * 0.05 + r * 0.42 * math.cos(a), cy - r * 0.42 + r * 0.42 * math.sin(a), r * 0.08, a
            ),
            fill=gold,
        )
    # gate: roof, body and steps
    draw.polygon(
        [
            (cx - r * 0.5, cy + r * 0.05),
            (cx + r * 0.5, cy + r * 0.05),
            (cx + r * 0.38, cy - r * 0.08),
            (cx - r * 0.38, cy - r * 0.08),
        ],
        fill=gold,
    )
    draw.rectangle((cx - r * 0.4, cy + r * 0.05, cx + r * 0.4, cy + r * 0.3), fill=gold)
    for k in range(5):
        x = cx - r * 0.32 + k * r * 0.16
        draw.rectangle((x - r * 0.03, cy + r * 0.1, x + r * 0.03, cy + r * 0.28), fill=red)
    draw.rectangle((cx - r * 0.55, cy + r * 0.36, cx + r * 0.55, cy + r * 0.44), fill=gold)
    # grain-ear ring hint
    for k in range(14):
        a = math.radians(200 + k * 10)
        x, y = cx + r * 0.72 * math.cos(a), cy + r * 0.72 * math.sin(a)
        draw.ellipse((x - r * 0.06, y - r * 0.06, x + r * 0.06, y + r * 0.06), fill=gold)
        a2 = math.radians(-20 - k * 10)
        x, y = cx + r * 0.72 * math.cos(a2), cy + r * 0.72 * math.sin(a2)
        draw.ellipse((x - r * 0.06, y - r * 0.06, x + r * 0.06, y + r * 0.06), fill=gold)


# ---------------------------------------------------------------------------------------------
# Card sides
# ---------------------------------------------------------------------------------------------


@dataclass
class Style:
    """Per-card typographic choices."""

    ppm: float
    label_face: Face
    value_face: Face
    digit_face: Face
    title_face: Face
    label_colour: tuple[int, int, int]
    value_colour: tuple[int, int, int]
    label_em: float
    value_em: float
    label_track: float
    value_track: float


def _style(rng: random.Random) -> Style:
    faces = available_faces()
    sans = faces["sans"]
    value_pool = list(faces["serif"]) * 2 + list(sans)
    lab = (rng.randint(40, 95), rng.randint(95, 140), rng.randint(150, 200))
    grey = rng.randint(10, 50)
    em = 3.0 * rng.uniform(0.87, 1.15)
    return Style(
        ppm=rng.uniform(9.0, 13.0),
        label_face=rng.choice(sans),
        value_face=rng.choice(value_pool),
        digit_face=rng.choice(faces["digits"]),
        title_face=rng.choice([f for f in sans if f.variation in ("Medium", "Bold")] or list(sans)),
        label_colour=lab,
        value_colour=(grey, grey, grey + rng.randint(0, 12)),
        label_em=2.6 * rng.uniform(0.87, 1.15),
        value_em=em,
        label_track=em * rng.uniform(0.05, 0.35),
        value_track=em * rng.uniform(0.0, 0.15),
    )


def _wrap(canvas: Canvas, text: str, face: Face, em: float, track: float, width_mm: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and canvas.width_mm(line + ch, face, em, track) > width_mm:
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    return lines


class LayoutError(Exception):
    pass


def _render_front(person: Identity, st: Style, rng: random.Random, nrng: np.random.Generator) -> Image.Image:
    w, h = round(CARD_W_MM * st.ppm), round(CARD_H_MM * st.ppm)
    base = _background(w, h, nrng, back=False)
    for attempt in range(60):
        jit = 3.0 if attempt < 20 else 1.5 if attempt < 32 else 0.5
        if attempt >= 32 and attempt % 4 == 0:  # a long address: smaller type, as a card office would
            st = replace(st, value_em=st.value_em * 0.95, value_track=st.value_track * 0.7)
        try:
            return _try_front(base, person, st, rng, nrng, jit)
        except LayoutError:
            continue
    raise RuntimeError(f"no front layout for {person}")


def _try_front(
    base: Image.Image, person: Identity, st: Style, rng: random.Random, nrng: np.random.Generator, jit: float
) -> Image.Image:
    img = base.copy()
    cv = Canvas(img, st.ppm)

    def j(scale: float = 1.0) -> float:
        return rng.uniform(-jit, jit) * scale

    boxes: list[Box] = []
    lab_c, val_c = st.label_colour, st.value_colour
    em, tr, lem, ltr = st.value_em, st.value_track, st.label_em, st.label_track
    # Portrait frame (mm)
    p_w = rng.uniform(24.0, 28.0)
    p_x0 = CARD_W_MM - rng.uniform(3.5, 6.0) - p_w
    p_y0 = rng.uniform(4.0, 8.0) + j(0.3)
    p_h = p_w * rng.uniform(1.18, 1.3)
    portrait_box = (cv.px(p_x0), cv.px(p_y0), cv.px(p_x0 + p_w), cv.px(p_y0 + p_h))
    text_right = p_x0 - rng.uniform(0.8, 2.0)

    label_x = 5.5 + j(0.5)
    value_col = 16.0 + j(0.6)
    row_gap = rng.uniform(5.6, 7.4)
    y = 9.5 + j(0.4)

    def put(
        x: float, by: float, text: str, face: Face, e: float, t: float, colour: tuple[int, int, int]
    ) -> None:
        box = cv.text_boxes(x, by, text, face, e, t)[1]
        if (
            box[0] < cv.px(1.5)
            or box[2] > cv.px(CARD_W_MM - 1.5)
            or box[1] < cv.px(1.2)
            or box[3] > cv.px(CARD_H_MM - 1.2)
        ):
            raise LayoutError("off card")
        for other in boxes + [portrait_box]:
            if _overlap(box, other, cv.px(0.4)):
                raise LayoutError("overlap")
        boxes.append(box)
        cv.text(x, by, text, face, e, t, colour)

    def after_label(vx: float) -> float:
        """The value's x: its jittered column, but clear of the label just drawn."""
        return max(vx, boxes[-1][2] / cv.ppm + rng.uniform(1.5, 3.0))

    # Name (slightly larger on real cards)
    name_em = em * rng.uniform(1.0, 1.15)
    lx, vx = label_x + j(0.3), value_col + j(0.3)
    put(lx, y + j(0.1), "姓名", st.label_face, lem, ltr, lab_c)
    vx = after_label(vx)
    put(vx, y + j(0.1), person.name, st.value_face, name_em, tr + em * rng.uniform(0.0, 0.4), val_c)
    # Sex and nation
    y += row_gap + j(0.15)
    lx, vx = label_x + j(0.3), value_col + j(0.3)
    put(lx, y, "性别", st.label_face, lem, ltr, lab_c)
    vx = after_label(vx)
    put(vx, y + j(0.05), person.sex, st.value_face, em, tr, val_c)
    nx = vx + rng.uniform(8.0, 12.0) + j(0.3)
    put(nx, y + j(0.05), "民族", st.label_face, lem, ltr, lab_c)
    put(
        nx + cv.width_mm("民族", st.label_face, lem, ltr) + rng.uniform(2.0, 5.0),
        y + j(0.05),
        person.nation,
        st.value_face,
        em,
        tr,
        val_c,
    )
    # Birth date: numbers as values, 年 月 日 as labels
    y += row_gap + j(0.15)
    lx, vx = label_x + j(0.3), value_col + j(0.3)
    put(lx, y, "出生", st.label_face, lem, ltr, lab_c)
    vx = after_label(vx)
    x = vx
    gap = rng.uniform(0.6, 1.8)
    for number, unit, slot in (
        (str(person.birth.year), "年", 0.0),
        (str(person.birth.month), "月", 1.0),
        (str(person.birth.day), "日", 1.0),
    ):
        nw = cv.width_mm(number, st.value_face, em, tr * 0.5)
        slot_w = cv.width_mm("00", st.value_face, em, tr * 0.5) * slot
        if slot and rng.random() < 0.6:  # one-digit month/day right-aligned in a two-digit slot
            x += max(0.0, slot_w - nw)
        put(x, y, number, st.value_face, em, tr * 0.5, val_c)
        x += nw + gap
        put(x, y, unit, st.label_face, lem, 0, lab_c)
        x += cv.width_mm(unit, st.label_face, lem, 0) + gap + rng.uniform(0.0, 1.5)
    # Address
    y += row_gap + j(0.15)
    lx, vx = label_x + j(0.3), value_col + j(0.3)
    put(lx, y, "住址", st.label_face, lem, ltr, lab_c)
    vx = after_label(vx)
    lines = _wrap(cv, person.address, st.value_face, em, tr, text_right - vx)
    if len(lines) > 3:
        raise LayoutError("address too long")
    spacing = max(rng.uniform(3.5, 5.0), em * 1.1)
    for k, line in enumerate(lines):
        put(vx, y + k * spacing, line, st.value_face, em, tr, val_c)
    # Number
    ny = CARD_H_MM - rng.uniform(4.5, 7.0) + j(0.2)
    lx = label_x + j(0.3)
    put(lx, ny, "公民身份号码", st.label_face, lem, ltr * 0.6, lab_c)
    dem = rng.uniform(3.4, 4.3)
    nx0 = lx + cv.width_mm("公民身份号码", st.label_face, lem, ltr * 0.6) + rng.uniform(3.0, 9.0)
    target = rng.uniform(44.0, 53.0)
    raw = cv.width_mm(person.id_number, st.digit_face, dem, 0.0)
    dtr = max(0.05, (target - raw) / 17)
    if nx0 + raw + dtr * 17 > CARD_W_MM - 2.0:
        nx0 = CARD_W_MM - 2.0 - raw - dtr * 17
    put(nx0, ny, person.id_number, st.digit_face, dem, dtr, val_c)
    # Portrait last: its box was kept free of text.
    pw_px, ph_px = round(portrait_box[2] - portrait_box[0]), round(portrait_box[3] - portrait_box[1])
    region = (round(portrait_box[0]), round(portrait_box[1]))
    under = img.crop((region[0], region[1], region[0] + pw_px, region[1] + ph_px))
    portrait = _portrait(person.photo, (pw_px, ph_px), under, nrng)
    if portrait is not None:
        img.paste(portrait, region)
    return img


def _wall(img: Image.Image, ppm: float, rng: np.random.Generator) -> None:
    """A faint line drawing of a wall winding over hills behind the back's text (stylised)."""
    layer = Image.new("L", img.size, 0)
    draw = ImageDraw.Draw(layer)
    base = rng.uniform(26.0, 38.0) * ppm
    amp = rng.uniform(2.0, 6.0) * ppm
    f1, f2 = rng.uniform(0.04, 0.09), rng.uniform(0.1, 0.2)
    ph1, ph2 = rng.uniform(0, 2 * math.pi, 2)
    step = max(2, int(ppm * 0.8))
    xs = list(range(0, img.width + step, step))

    def ridge(x: float) -> float:
        mm = x / ppm
        return base - amp * math.sin(mm * f1 + ph1) - amp * 0.4 * math.sin(mm * f2 + ph2)

    line = max(1, int(ppm * 0.12))
    top = [(x, ridge(x) - ppm * 1.2) for x in xs]
    bottom = [(x, ridge(x)) for x in xs]
    draw.line(top, fill=255, width=line)
    draw.line(bottom, fill=255, width=line)
    for x in xs[::2]:  # battlements (integer pixel columns)
        y = ridge(x) - ppm * 1.2
        draw.rectangle((x, y - ppm * 0.6, x + step * 0.6, y), outline=255, width=line)
    for _ in range(int(rng.integers(2, 5))):  # watchtowers
        tx = float(rng.uniform(0.05, 0.95)) * img.width
        y = ridge(tx)
        tw, th = ppm * rng.uniform(2.5, 4.0), ppm * rng.uniform(3.5, 5.5)
        draw.rectangle((tx - tw / 2, y - th, tx + tw / 2, y), outline=255, width=line)
        draw.rectangle((tx - tw / 4, y - th * 0.45, tx + tw / 4, y), outline=255, width=line)
    for k in range(int(rng.integers(1, 3))):  # distant hills
        off = (k + 1) * rng.uniform(3.0, 6.0) * ppm
        draw.line([(x, ridge(x * 0.8 + off) - off * 0.6) for x in xs], fill=160, width=line)
    alpha = np.asarray(layer, np.float32)[..., None] / 255 * rng.uniform(0.18, 0.35)
    colour = rng.uniform(120, 190, 3).astype(np.float32)
    arr = np.asarray(img, np.float32)
    img.paste(Image.fromarray((arr * (1 - alpha) + colour * alpha).astype(np.uint8), "RGB"))


def _render_back(person: Identity, st: Style, rng: random.Random, nrng: np.random.Generator) -> Image.Image:
    w, h = round(CARD_W_MM * st.ppm), round(CARD_H_MM * st.ppm)
    img = _background(w, h, nrng, back=True)
    if rng.random() < 0.8:
        _wall(img, st.ppm, nrng)
    cv = Canvas(img, st.ppm)
    j = rng.uniform
    # Emblem
    er = rng.uniform(8.0, 10.0)
    ex = 5.0 + er + j(-1.0, 1.5)
    _emblem(cv.draw, cv.px(ex), cv.px(4.0 + er + j(-0.5, 1.5)), cv.px(er), nrng)
    title_c = (rng.randint(5, 45), rng.randint(5, 45), rng.randint(5, 45))
    tx = max(rng.uniform(27.0, 33.0), ex + er + 2.5)
    t1_em = rng.uniform(3.6, 4.6)
    t1_span = rng.uniform(40.0, 48.0)
    raw = cv.width_mm("中华人民共和国", st.title_face, t1_em, 0)
    cv.text(
        tx + j(-1, 1),
        rng.uniform(10.5, 13.0),
        "中华人民共和国",
        st.title_face,
        t1_em,
        (t1_span - raw) / 6,
        title_c,
    )
    t2_em = rng.uniform(6.0, 7.6)
    t2_span = rng.uniform(40.0, min(50.0, CARD_W_MM - 3.0 - tx))
    raw = cv.width_mm("居民身份证", st.title_face, t2_em, 0)
    cv.text(
        tx + j(-1, 1),
        rng.uniform(22.0, 25.5),
        "居民身份证",
        st.title_face,
        t2_em,
        max(0.2, (t2_span - raw) / 4),
        title_c,
    )
    # Authority and validity
    lem, ltr = st.label_em, st.label_track
    lx = rng.uniform(11.0, 20.0)
    y1 = rng.uniform(39.5, 43.0)
    y2 = y1 + rng.uniform(5.5, 7.5)
    if y2 > CARD_H_MM - 3.5:
        y2 = CARD_H_MM - 3.5
    lw = cv.width_mm("签发机关", st.label_face, lem, ltr)
    vx = lx + lw + rng.uniform(2.0, 5.0)
    em, tr = st.value_em, st.value_track
    avail = CARD_W_MM - 2.5 - vx
    while cv.width_mm(person.authority, st.value_face, em, tr) > avail and em > 2.3:
        em *= 0.95
        tr *= 0.8
    cv.text(lx + j(-1.0, 0.5), y1, "签发机关", st.label_face, lem, ltr, st.label_colour)
    cv.text(vx + j(-0.3, 1.0), y1 + j(-0.2, 0.2), person.authority, st.value_face, em, tr, st.value_colour)
    cv.text(lx + j(-1.0, 0.5), y2, "有效期限", st.label_face, lem, ltr, st.label_colour)
    t = person.back_truth()
    validity = f"{t['valid_from']}-{t['valid_until']}"
    vem = st.value_em
    vtr = st.value_track * 0.5
    while cv.width_mm(validity, st.value_face, vem, vtr) > avail and vem > 2.3:
        vem *= 0.95
    cv.text(vx + j(-0.3, 1.0), y2 + j(-0.2, 0.2), validity, st.value_face, vem, vtr, st.value_colour)
    return img


def render_card(person: Identity, side: str, rng: random.Random, nrng: np.random.Generator) -> Image.Image:
    """The flat card (RGBA, rounded corners) at a random resolution."""
    st = _style(rng)
    img = _render_front(person, st, rng, nrng) if side == "front" else _render_back(person, st, rng, nrng)
    img = img.convert("RGBA")
    img.putalpha(_rounded_mask(img.width, img.height, round(3.2 * st.ppm)))
    return img


# ---------------------------------------------------------------------------------------------
# Photographing
# ---------------------------------------------------------------------------------------------


def _scene_background(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A desk, paper, cloth or dark surface (RGB float), lit unevenly."""
    x1 = np.arange(w, dtype=np.float32)[None, :]
    y1 = np.arange(h, dtype=np.float32)[:, None]
    kind = rng.integers(0, 4)
    if kind == 0:  # wood: grain computed at quarter resolution, it is smooth
        base = rng.uniform((120, 80, 40), (200, 150, 100)).astype(np.float32)
        ang = rng.uniform(-0.3, 0.3)
        yq, xq = np.mgrid[0 : h // 4 + 1, 0 : w // 4 + 1].astype(np.float32) * 4
        u = yq * math.cos(ang) + xq * math.sin(ang)
        grain = np.sin(u * rng.uniform(0.05, 0.15) + 4 * np.sin(xq * rng.uniform(0.002, 0.01)))
        grain = cv2.resize(grain, (w, h), interpolation=cv2.INTER_LINEAR)
        img = base[None, None] * (1 + 0.12 * grain[..., None])
    elif kind == 1:  # paper
        base = rng.uniform(215, 250, 3).astype(np.float32)
        fib = cv2.GaussianBlur(_noise(rng, 8, (h, w)), (0, 0), 1.5)
        img = base[None, None] + fib[..., None]
    elif kind == 2:  # cloth / sofa
        base = rng.uniform(30, 200, 3).astype(np.float32)
        weave = np.sin(x1 * 0.8) * np.sin(y1 * 0.8)
        img = base[None, None] * (1 + 0.06 * weave[..., None])
    else:  # dark desk
        base = rng.uniform(20, 70, 3).astype(np.float32)
        img = np.broadcast_to(base, (h, w, 3)).astype(np.float32)
    gx, gy = (float(v) for v in rng.uniform(-0.25, 0.25, 2))
    img = img.astype(np.float32) * (1 + gx * (x1 / w - 0.5) + gy * (y1 / h - 0.5))[..., None]
    img += _noise(rng, 3, (h, w, 1))
    return np.asarray(img, np.float32)


def _skin_blobs(img: np.ndarray, quad: np.ndarray, rng: np.random.Generator) -> None:
    """A hand holding the card: palm off the card, fingers reaching under one of its edges."""
    h, w = img.shape[:2]
    skin = rng.uniform((175, 120, 95), (230, 180, 150)).astype(np.float32)
    mask: np.ndarray = np.zeros((h, w), np.float32)
    edge = int(rng.integers(0, 4))
    a, b = quad[edge], quad[(edge + 1) % 4]
    p = a + (b - a) * rng.uniform(0.3, 0.7)
    centre = quad.mean(axis=0)
    d = (p - centre) / (np.linalg.norm(p - centre) + 1e-6)
    tvec = _f32([-d[1], d[0]])
    angle = math.degrees(math.atan2(float(d[1]), float(d[0])))
    size = rng.uniform(0.8, 1.2) * 0.11 * max(w, h)

    def blob(c: np.ndarray, along: float, across: float) -> None:
        cv2.ellipse(mask, (int(c[0]), int(c[1])), (int(along), int(across)), angle, 0, 360, 1.0, -1)

    blob(p + d * size * 1.5, size * 1.1, size * 0.8)  # palm
    n = int(rng.integers(2, 5))
    for k in range(n):
        off = (k - (n - 1) / 2) * size * 0.27
        blob(p + d * size * 0.35 + tvec * off, size * 0.6, size * 0.15)  # fingers, tips under the card
    mask = cv2.GaussianBlur(mask, (0, 0), max(1.5, size * 0.03))
    x1 = np.arange(w, dtype=np.float32)[None, :]
    y1 = np.arange(h, dtype=np.float32)[:, None]
    shade = 1 - 0.25 * np.clip(((x1 - p[0]) * d[0] + (y1 - p[1]) * d[1]) / (3 * size), 0, 1)
    img[:] = img * (1 - mask[..., None]) + (skin * shade[..., None]) * mask[..., None]


def _place_card(
    card: Image.Image, rng: np.random.Generator, fill: float, tilt: float, turn_deg: float, cut: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The card warped into a photo frame; returns the image (RGB float) and the card corners."""
    cw, ch = card.size
    fw = int(cw / fill)
    fh = int(fw * rng.uniform(0.72, 0.8))
    if fh < ch / fill * 0.85:
        fh = int(ch / fill * 1.15)
    src = _f32([[0, 0], [cw, 0], [cw, ch], [0, ch]])
    centre = _f32([fw / 2, fh / 2])
    rot = math.radians(turn_deg)
    rmat = _f32([[math.cos(rot), -math.sin(rot)], [math.sin(rot), math.cos(rot)]])
    quad = (src - _f32([cw / 2, ch / 2])) @ rmat.T
    quad += rng.uniform(-tilt, tilt, (4, 2)).astype(np.float32) * cw
    # perspective-like foreshortening: one side shorter
    if tilt > 0.03:
        side = int(rng.integers(0, 4))
        k = rng.uniform(0.0, tilt)
        a, b = side, (side + 1) % 4
        mid = (quad[a] + quad[b]) / 2
        quad[a] += (mid - quad[a]) * k
        quad[b] += (mid - quad[b]) * k
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    span = _f32([fw, fh]) * 0.96
    shrink = min(1.0, float(span[0] / (hi[0] - lo[0])), float(span[1] / (hi[1] - lo[1])))
    quad *= shrink
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    room = _f32([fw, fh]) - (hi - lo)
    offset = centre + rng.uniform(-0.4, 0.4, 2).astype(np.float32) * np.maximum(room - 0.04 * fw, 0)
    quad += offset
    if cut:
        quad += _f32([rng.choice((-1, 1)) * 0.25 * cw, 0])
    bg = _scene_background(fw, fh, rng)
    if rng.random() < 0.3:
        _skin_blobs(bg, quad, rng)
    m = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    warped = cv2.warpPerspective(
        np.asarray(card), m, (fw, fh), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0, 0)
    ).astype(np.float32)
    alpha = warped[..., 3:4] / 255.0
    # soft contact shadow
    shadow = cv2.GaussianBlur(alpha[..., 0], (0, 0), max(2.0, fw * 0.006))
    shift = np.roll(shadow, (int(fw * 0.004), int(fw * 0.004)), axis=(0, 1))[..., None]
    bg = bg * (1 - 0.35 * shift)
    out = warped[..., :3] * alpha + bg * (1 - alpha)
    return out, quad


def _glare(img: np.ndarray, quad: np.ndarray, rng: np.random.Generator) -> None:
    h, w = img.shape[:2]
    t = rng.uniform(0.15, 0.85, 2)
    p = quad[0] + (quad[1] - quad[0]) * t[0] + (quad[3] - quad[0]) * t[1]
    xx = np.arange(w, dtype=np.float32)[None, :]
    yy = np.arange(h, dtype=np.float32)[:, None]
    ax = rng.uniform(0.07, 0.2) * w
    ay = ax * rng.uniform(0.3, 0.8)
    ang = rng.uniform(0, math.pi)
    dx, dy = xx - p[0], yy - p[1]
    u = (dx * math.cos(ang) + dy * math.sin(ang)) / ax
    v = (-dx * math.sin(ang) + dy * math.cos(ang)) / ay
    r2 = u * u + v * v
    halo = np.exp(-r2 * 1.2) * rng.uniform(0.35, 0.55)
    core = np.clip(1.4 - r2 * 2.5, 0, 1) * rng.uniform(0.55, 0.8)
    spot = np.maximum(halo, core)[..., None]
    img[:] = img * (1 - spot) + 255 * spot


def _shadow(img: np.ndarray, rng: np.random.Generator) -> None:
    h, w = img.shape[:2]
    xx = np.arange(w, dtype=np.float32)[None, :]
    yy = np.arange(h, dtype=np.float32)[:, None]
    ang = rng.uniform(0, 2 * math.pi)
    d = (xx - w / 2) * math.cos(ang) + (yy - h / 2) * math.sin(ang)
    edge = rng.uniform(-0.2, 0.2) * w
    soft = rng.uniform(0.03, 0.15) * w
    s = 1 / (1 + np.exp(-(d - edge) / soft))
    img[:] = img * (1 - rng.uniform(0.3, 0.55) * s)[..., None]


def _motion_kernel(length: int, angle: float) -> np.ndarray:
    k = np.zeros((length, length), np.float32)
    c = (length - 1) / 2
    for i in range(length * 3):
        t = i / (length * 3 - 1) - 0.5
        x, y = c + t * (length - 1) * math.cos(angle), c + t * (length - 1) * math.sin(angle)
        k[int(round(y)), int(round(x))] = 1
    return np.asarray(k / k.sum(), np.float32)


def photograph(card: Image.Image, degradation: str, rng: np.random.Generator) -> tuple[bytes, str]:
    """Photograph (or scan) the flat card under one condition; returns (JPEG, condition detail)."""
    kind = degradation
    quality = int(rng.integers(78, 93))
    if kind == "clean":
        margin = int(card.width * rng.uniform(0.02, 0.06))
        canvas = Image.new(
            "RGB",
            (card.width + 2 * margin, card.height + 2 * margin),
            tuple(int(v) for v in rng.uniform(235, 255, 3)),
        )
        canvas.paste(card, (margin, margin), card)
        return _encode(np.asarray(canvas, np.float32), quality), "scan"
    fill = rng.uniform(0.72, 0.9)
    tilt = 0.015
    turn = rng.uniform(-1.5, 1.5)
    if kind == "perspective":
        tilt = rng.uniform(0.05, 0.11)
    elif kind == "rotate_small":
        turn = rng.choice((-1, 1)) * rng.uniform(3.0, 8.0)
    elif kind == "scale":
        fill = rng.uniform(0.5, 0.95)
    elif kind == "tiny":
        fill = rng.uniform(0.3, 0.4)
    elif kind == "cutoff":
        fill = 0.9
    img: np.ndarray
    img, quad = _place_card(card, rng, fill, tilt, turn, cut=kind == "cutoff")
    if kind == "tiny":  # small card in a low-resolution frame
        f = 640 / img.shape[1]
        img = cv2.resize(img, (640, int(img.shape[0] * f)), interpolation=cv2.INTER_AREA)
    # every photo: slight optical softness and white balance
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 0.7))
    img = img * rng.uniform(0.94, 1.06, 3).astype(np.float32)
    if kind == "glare":
        _glare(img, quad, rng)
    elif kind == "shadow":
        _shadow(img, rng)
    elif kind == "blur":
        ppm = card.width / CARD_W_MM * (img.shape[1] / (card.width / fill))
        if rng.random() < 0.5:
            img = cv2.GaussianBlur(img, (0, 0), ppm * rng.uniform(0.08, 0.13))
        else:
            length = max(3, int(ppm * rng.uniform(0.25, 0.45)))
            img = cv2.filter2D(img, -1, _motion_kernel(length, rng.uniform(0, math.pi)))
    elif kind == "heavy_blur":
        img = cv2.GaussianBlur(img, (0, 0), card.width / CARD_W_MM * 0.5)
    elif kind == "noise":
        img = img + _noise(rng, rng.uniform(6, 12), img.shape)
        img = img + _noise(rng, 4, (*img.shape[:2], 1))
    elif kind == "jpeg":
        quality = int(rng.integers(55, 66))
    elif kind in ("lowlight", "dark"):
        gain = rng.uniform(0.35, 0.55) if kind == "lowlight" else rng.uniform(0.12, 0.2)
        img = 255 * (np.clip(img, 0, 255) / 255) ** rng.uniform(1.1, 1.4) * gain
        img = img * _f32([1.05, 1.0, 0.88]) + _noise(rng, rng.uniform(3, 6), img.shape)
    img = img + _noise(rng, 1.2, img.shape)
    if kind.startswith("rotate") and kind != "rotate_small":
        img = np.rot90(img, k={"rotate90": -1, "rotate180": 2, "rotate270": 1}[kind]).copy()
    return _encode(img, quality), kind


def _encode(img: np.ndarray, quality: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


@dataclass
class Sample:
    side: str  # "front" | "back"
    degradation: str
    jpeg: bytes
    truth: dict[str, str]
    person: Identity


def generate(
    n: int,
    *,
    seed: int = 0,
    sides: Sequence[str] = ("front", "back"),
    degradations: Sequence[str] = DEGRADATIONS,
) -> list[Sample]:
    """``n`` samples per side, cycling through ``degradations``; the same seed gives the same bytes.

    Sample ``i`` of each side shows the same person, so fronts and backs pair up.
    """
    for side in sides:
        if side not in ("front", "back"):
            raise ValueError(f"unknown side {side!r}")
    known = set(DEGRADATIONS) | set(HARD_DEGRADATIONS)
    for d in degradations:
        if d not in known:
            raise ValueError(f"unknown degradation {d!r}")
    person_seeds = _person_seeds(seed, n)
    return [
        _sample(person_seeds[i], side, degradations[i % len(degradations)])
        for side in sides
        for i in range(n)
    ]


def sample(seed: int, side: str, index: int, degradation: str) -> Sample:
    """Sample ``index`` of ``side`` in set ``seed`` under ``degradation``, drawn alone (as
    :func:`generate` draws it when that is the index's degradation)."""
    return _sample(_person_seeds(seed, index + 1)[index], side, degradation)


def _person_seeds(seed: int, n: int) -> list[int]:
    """The first ``n`` people's seeds of set ``seed`` (person i's is the same whatever n)."""
    master = random.Random(seed)
    return [master.getrandbits(63) for _ in range(n)]


def _sample(person_seed: int, side: str, degradation: str) -> Sample:
    person = make_identity(random.Random(person_seed))
    sub = person_seed ^ (0x5EED if side == "front" else 0xBAC4)
    rng = random.Random(sub)
    nrng = np.random.default_rng(sub)
    card = render_card(person, side, rng, nrng)
    jpeg, _ = photograph(card, degradation, nrng)
    return Sample(side, degradation, jpeg, person.truth(side), person)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=13, help="samples per side")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sides", default="front,back")
    ap.add_argument("--hard", action="store_true", help="use HARD_DEGRADATIONS instead of the default set")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    samples = generate(
        args.n,
        seed=args.seed,
        sides=tuple(args.sides.split(",")),
        degradations=HARD_DEGRADATIONS if args.hard else DEGRADATIONS,
    )
    index = []
    counters: dict[str, int] = {}
    for s in samples:
        k = counters.get(s.side, 0)
        counters[s.side] = k + 1
        name = f"{k:04d}_{s.side}_{s.degradation}.jpg"
        (args.out / name).write_bytes(s.jpeg)
        index.append({"file": name, "side": s.side, "degradation": s.degradation, "truth": s.truth})
    (args.out / "truth.json").write_text(json.dumps(index, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {len(samples)} images to {args.out}")


if __name__ == "__main__":
    main()
