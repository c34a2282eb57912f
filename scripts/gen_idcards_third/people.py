"""People: one self-consistent identity per card (name, sex, nationality, dates, address, number).

Everything the two sides print is drawn here from one ``random.Random``, so the truth of a front and of its
back agree and the same seed draws the same person. The package docstring says what is modelled.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from .divisions import _authority, _Division, _divisions

REFERENCE_DATE = dt.date(2026, 11, 29)
REPO = Path(__file__).resolve().parents[2]
FACES_DIR = REPO / "tests" / "fixtures" / "faces"


NATIONS: tuple[str, ...] = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌",
    "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)  # fmt: skip
_NATION_WEIGHT = {"汉": 60.0, "土家": 8.0, "苗": 7.0, "侗": 4.0, "瑶": 3.0, "白": 2.0, "回": 2.0, "壮": 2.0}
_NATION_WEIGHT |= {"维吾尔": 1.5, "哈萨克": 1.5, "蒙古": 1.5, "柯尔克孜": 1.0, "鄂温克": 1.0}
_NATION_HOME = {
    **dict.fromkeys(("维吾尔", "哈萨克", "柯尔克孜", "塔吉克", "乌孜别克", "塔塔尔", "锡伯"), ("65",)),
    **dict.fromkeys(("蒙古", "鄂温克", "达斡尔", "鄂伦春"), ("15",)),
    "土家": ("4331", "4308", "4309"),
    "苗": ("4331", "4312", "4305"),
    "侗": ("4312",),
    "瑶": ("4311", "4310"),
    "白": ("4308",),
}
_OTHER_PROVINCES = ("11", "31", "44", "42", "36", "45", "51", "32", "33", "50", "52", "41")

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "尉迟", "司徒")
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志红梅海波春燕晓雪婷琳博宇浩然子轩梓涵"
    "欣怡佳颖俊杰文斌立新振华德明光辉永清淑珍凤莲金花小龙大鹏湘莹沅芷楚云岳峰星辰思远雨桐可馨家豪"
)
_UYGHUR = (
    "买买提",
    "艾力",
    "阿不都",
    "热合曼",
    "吐尔逊",
    "艾尔肯",
    "吾斯曼",
    "努尔",
    "阿依古丽",
    "热依拉",
    "迪丽",
)
_KAZAKH = ("努尔兰", "叶尔兰", "加娜尔", "别克", "阿依登", "哈那提", "古丽", "叶尔波")
_MONGOL = ("巴特尔", "其其格", "乌云", "斯琴", "额尔敦", "那仁", "苏和", "宝音")

_SYLLABLES = "青白石金龙桃新枫长双杨黄马大铁莲高荷花竹松柏东西南北中团山水湖塘坪岭桥冲湾溪江田园河林桂"
_ROADS = ("路", "街", "大道", "巷", "中路", "北路", "南路", "东路", "西路")
_ESTATES = ("小区", "花园", "新村", "家园", "公寓", "苑")


@dataclass(frozen=True)
class Identity:
    """One person and their card: what both sides print, plus the face photo used."""

    name: str
    sex: str
    nation: str
    birth: dt.date
    address: str
    id_number: str
    authority: str
    valid_from: dt.date
    valid_until: dt.date | None
    face: str

    def front_truth(self) -> dict[str, str]:
        b = self.birth
        return {
            "name": self.name,
            "sex": self.sex,
            "nation": self.nation,
            "birth_date": f"{b.year}年{b.month}月{b.day}日",
            "address": self.address,
            "id_number": self.id_number,
        }

    def back_truth(self) -> dict[str, str]:
        until = self.valid_until.strftime("%Y.%m.%d") if self.valid_until else "长期"
        return {
            "authority": self.authority,
            "valid_from": self.valid_from.strftime("%Y.%m.%d"),
            "valid_until": until,
        }


def check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of a citizen number."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


def _pick_nation(rng: random.Random) -> str:
    weights = [_NATION_WEIGHT.get(n, 0.1) for n in NATIONS]
    return rng.choices(NATIONS, weights)[0]


def _pick_name(rng: random.Random, nation: str, sex: str) -> str:
    if nation in ("维吾尔", "哈萨克") and rng.random() < 0.85:
        stock = _UYGHUR if nation == "维吾尔" else _KAZAKH
        first, second = rng.sample(stock, 2)
        return f"{first}·{second}"
    if nation == "蒙古" and rng.random() < 0.4:
        return rng.choice(_MONGOL)
    surname = rng.choice(_COMPOUND_SURNAMES) if rng.random() < 0.04 else rng.choice(_SURNAMES)
    given_len = 1 if rng.random() < 0.3 else 2
    if len(surname) == 2 and rng.random() < 0.6:
        given_len = min(given_len, 1) if rng.random() < 0.5 else 2
    return surname + "".join(rng.choice(_GIVEN) for _ in range(given_len))


def _place(rng: random.Random, n: int = 2) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(n))


def _address_tail(rng: random.Random) -> str:
    if rng.random() < 0.55:
        tail = f"{_place(rng)}{rng.choice(_ROADS)}{rng.randint(1, 399)}号"
        if rng.random() < 0.45:
            tail += f"{_place(rng)}{rng.choice(_ESTATES)}{rng.randint(1, 32)}栋"
            if rng.random() < 0.5:
                tail += f"{rng.randint(1, 6)}单元"
            tail += f"{rng.randint(1, 28)}{rng.randint(1, 8):02d}室"
        elif rng.random() < 0.3:
            tail += f"附{rng.randint(1, 20)}号"
        return tail
    town = _place(rng) + rng.choice(("镇", "乡", "镇", "街道"))
    tail = f"{town}{_place(rng)}村{rng.randint(1, 18)}组"
    if rng.random() < 0.4:
        tail += f"{rng.randint(1, 120)}号"
    return tail


def _address_units(address: str) -> float:
    """Width in ideographs, counting a digit as about half of one."""
    return sum(0.55 if c.isascii() else 1.0 for c in address)


def _add_years(d: dt.date, years: int) -> dt.date:
    return d.replace(year=d.year + years)


def _term(birth: dt.date, issued: dt.date) -> int | None:
    age = issued.year - birth.year - ((issued.month, issued.day) < (birth.month, birth.day))
    return 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else None


def _pick_dates(rng: random.Random) -> tuple[dt.date, dt.date, dt.date | None]:
    """Birth, valid-from and valid-until (None for 长期), with the card valid on REFERENCE_DATE."""
    age = rng.choice((rng.randint(3, 17), rng.randint(18, 45), rng.randint(18, 45), rng.randint(46, 88)))
    born = REFERENCE_DATE - dt.timedelta(days=age * 365 + rng.randint(0, 364))
    for _ in range(200):
        issued = REFERENCE_DATE - dt.timedelta(days=rng.randint(1, 20 * 365))
        if issued.month == 2 and issued.day == 29:
            continue
        if issued < max(born + dt.timedelta(days=400), dt.date(2005, 1, 1)):
            continue
        term = _term(born, issued)
        until = None if term is None else _add_years(issued, term)
        if until is None or until > REFERENCE_DATE:
            return born, issued, until
    issued = REFERENCE_DATE - dt.timedelta(days=30)
    term = _term(born, issued)
    return born, issued, None if term is None else _add_years(issued, term)


def _pick_division(rng: random.Random, nation: str, year: int) -> _Division:
    homes = _NATION_HOME.get(nation)
    if homes and rng.random() < 0.85:
        prefix = rng.choice(homes)
    elif rng.random() < (0.8 if nation == "汉" else 0.6):
        prefix = "43"
    else:
        prefix = rng.choice(_OTHER_PROVINCES)
    return rng.choice(_divisions(prefix, year))


def make_identity(rng: random.Random) -> Identity:
    """Draw one self-consistent person and their card."""
    sex = rng.choice(("男", "女"))
    nation = _pick_nation(rng)
    born, issued, until = _pick_dates(rng)
    div = _pick_division(rng, nation, issued.year)
    head = div.province + div.prefecture + div.county
    tail = _address_tail(rng)
    while _address_units(head + tail) > 30:  # at most 3 card lines of ~11 characters
        tail = _address_tail(rng)
    parity = rng.choice("13579" if sex == "男" else "02468")
    first17 = f"{div.code}{born:%Y%m%d}{rng.randint(0, 99):02d}{parity}"
    return Identity(
        name=_pick_name(rng, nation, sex),
        sex=sex,
        nation=nation,
        birth=born,
        address=head + tail,
        id_number=first17 + check_digit(first17),
        authority=_authority(div),
        valid_from=issued,
        valid_until=until,
        face=rng.choice(sorted(p.name for p in FACES_DIR.glob("*.jpg"))),
    )
