"""Reference data for approval accounts: project types, stages, approval matters and departments.

Pure Python data with no Flask or database imports, so migrations, demo seeds, tests and the
service can all read it.

Where the lists come from:

* **Stages** follow the national reform, 国务院办公厅《关于全面开展工程建设项目审批制度改革的实施意见》
  (国办发〔2019〕11号). It splits approval into four stages (立项用地规划许可, 工程建设许可,
  施工许可, 竣工验收) and lets the other approvals, technical reviews, public-utility services and
  filings run alongside them ("并行推进"). The seed's web hall (图 2.2.1, 2.3.1) shows the four stage
  tabs as 立项用地规划许可阶段, 工程建设许可阶段, 施工许可阶段 and 竣工验收阶段.
* **Project types**: the seed's permission screens (图 2.3.7 to 2.3.9) show 政府投资建设项目. The
  government/social split and the simplified social-investment categories (small projects, land
  sold with a design scheme, simple low-risk projects) are the categories the reform uses to build
  its per-category approval flows. Urban old-residential-area renovation follows 国办发〔2020〕23号.
  Each type's ``basis`` says where it comes from.
* **Matters** are the standard kinds listed for engineering-construction projects in the reform
  (the 工程建设项目审批事项清单 style). Every matter name visible in the seed is included. Where a
  screenshot truncates a name, the full name is our reading; :data:`SEED_MATTER_TEXT` records the
  exact text the seed shows. Names use ASCII parentheses, as in the seed's text, and
  :func:`matter_by_name` folds full-width punctuation (NFKC), so 全角 input matches too.
* **Departments** are the usual Hunan provincial departments (省直部门) for these matters. Their
  unified social credit codes are **fictional**: see :func:`make_credit_code`. We cannot verify
  real organisations' codes, so we never use them.

Matter codes (``M001`` …) are stable identifiers stored in permission records. Never renumber
them; append new matters with new codes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final, Literal, TypedDict

from stdnum.cn import uscc

# --------------------------------------------------------------------------------------------
# Project types and stages
# --------------------------------------------------------------------------------------------

PROJECT_TYPES: Final[tuple[tuple[str, str], ...]] = (
    ("government", "政府投资建设项目"),
    ("social", "社会投资建设项目"),
    ("social_small", "小型社会投资项目"),
    ("social_land_with_plan", "带方案出让用地的社会投资项目"),
    ("social_low_risk", "社会投资简易低风险工程建设项目"),
    ("old_community_renovation", "城镇老旧小区改造项目"),
)
"""``(code, name)`` pairs. ``government`` and ``social`` are the two main categories."""

PROJECT_TYPE_BASIS: Final[dict[str, str]] = {
    "government": "seed 图2.3.7-2.3.9 权限选择 (项目类型 column); 国办发〔2019〕11号",
    "social": "国办发〔2019〕11号 (社会投资项目)",
    "social_small": "国办发〔2019〕11号 (社会投资的小型项目: simplified flow)",
    "social_land_with_plan": "国办发〔2019〕11号 (带方案出让土地的项目: no separate design-scheme review)",
    "social_low_risk": "national follow-up reform for 社会投资简易低风险工程建设项目 (simplified flow)",
    "old_community_renovation": "国办发〔2020〕23号 (城镇老旧小区改造: simplified approval)",
}

STAGES: Final[tuple[tuple[str, str, int], ...]] = (
    ("land_planning", "立项用地规划许可", 1),
    ("engineering_permit", "工程建设许可", 2),
    ("construction_permit", "施工许可", 3),
    ("completion_acceptance", "竣工验收", 4),
    ("parallel", "并行推进", 5),
)
"""``(code, name, order)`` tuples in order. ``parallel`` is not a fifth step: its matters run
alongside the four stages (国办发〔2019〕11号). Its order only places it last in lists."""

PROJECT_TYPE_NAMES: Final[dict[str, str]] = dict(PROJECT_TYPES)
STAGE_NAMES: Final[dict[str, str]] = {code: name for code, name, _ in STAGES}
STAGE_ORDER: Final[dict[str, int]] = {code: order for code, _, order in STAGES}

# --------------------------------------------------------------------------------------------
# Matters
# --------------------------------------------------------------------------------------------

MatterKind = Literal["approval", "filing", "review", "acceptance", "utility"]
MATTER_KINDS: Final[tuple[str, ...]] = ("approval", "filing", "review", "acceptance", "utility")
"""``approval``: administrative licence or approval (审批, 核准, 许可, 核发). ``filing``: 备案.
``review``: technical review or assessment (审查, 评价). ``acceptance``: 验收. ``utility``:
public-utility connection (市政公用服务), run by the utility companies under the department given."""


@dataclass(frozen=True, slots=True)
class MatterRef:
    """One approval matter (事项) that an account can be granted permissions on.

    Attributes:
        code: stable identifier, ``"M001"`` …
        name: the matter's name as users see it in the permission screen.
        stage: a code from :data:`STAGES`.
        project_types: codes from :data:`PROJECT_TYPES` the matter applies to.
        department: code of the department (in :data:`PROVINCIAL_DEPARTMENTS`, and as a function
            code in :func:`city_departments` / :func:`county_departments`) that usually handles it.
        kind: one of :data:`MATTER_KINDS`.
    """

    code: str
    name: str
    stage: str
    project_types: tuple[str, ...]
    department: str
    kind: MatterKind


_ALL: Final = (
    "government",
    "social",
    "social_small",
    "social_land_with_plan",
    "social_low_risk",
    "old_community_renovation",
)
_GS: Final = ("government", "social")
_GSP: Final = ("government", "social", "social_land_with_plan")
_SOCIAL: Final = ("social", "social_small", "social_land_with_plan", "social_low_risk")
_NO_OC: Final = ("government", "social", "social_small", "social_land_with_plan", "social_low_risk")


def _m(code: str, name: str, stage: str, types: tuple[str, ...], dept: str, kind: MatterKind) -> MatterRef:
    return MatterRef(code, name, stage, types, dept, kind)


MATTERS: Final[tuple[MatterRef, ...]] = (
    # 立项用地规划许可 ------------------------------------------------------------------------
    _m("M001", "政府投资项目建议书审批", "land_planning", ("government",), "drc", "approval"),
    _m(
        "M002",
        "政府投资项目可行性研究报告审批",
        "land_planning",
        ("government", "old_community_renovation"),
        "drc",
        "approval",
    ),
    _m("M003", "企业投资项目核准", "land_planning", _SOCIAL, "drc", "approval"),
    _m("M004", "企业投资项目备案", "land_planning", _SOCIAL, "drc", "filing"),
    _m("M005", "建设项目用地预审与选址意见书核发", "land_planning", _GS, "natural_resources", "approval"),
    _m(
        "M006",
        "建设用地(含临时用地)规划许可证核发",
        "land_planning",
        _NO_OC,
        "natural_resources",
        "approval",
    ),
    _m("M007", "农用地转用和土地征收审批", "land_planning", _GS, "natural_resources", "approval"),
    _m("M008", "临时用地审批", "land_planning", _GS, "natural_resources", "approval"),
    _m("M009", "固定资产投资项目节能审查", "land_planning", _GS, "drc", "review"),
    _m("M010", "危险化学品建设项目安全条件审查", "land_planning", ("social",), "emergency", "review"),
    # 工程建设许可 ---------------------------------------------------------------------------
    _m("M011", "政府投资项目初步设计审批", "engineering_permit", ("government",), "drc", "approval"),
    _m(
        "M012",
        "建设工程规划类许可证核发(含设计方案审查)",
        "engineering_permit",
        _ALL,
        "natural_resources",
        "approval",
    ),
    _m("M013", "乡村建设规划许可证核发", "engineering_permit", _GS, "natural_resources", "approval"),
    _m("M014", "超限高层建筑工程抗震设防审批", "engineering_permit", _GS, "housing", "approval"),
    _m("M015", "市政设施建设类审批", "engineering_permit", _GS, "housing", "approval"),
    _m("M016", "工程建设项目附属绿化工程设计方案审批", "engineering_permit", _GSP, "housing", "approval"),
    _m("M017", "结合民用建筑修建防空地下室审批", "engineering_permit", _GSP, "civil_air_defence", "approval"),
    _m("M018", "水利基建项目初步设计文件审批", "engineering_permit", ("government",), "water", "approval"),
    _m(
        "M019", "危险化学品建设项目安全设施设计审查", "engineering_permit", ("social",), "emergency", "review"
    ),
    _m("M020", "防雷装置设计审核", "engineering_permit", _GS, "meteorology", "review"),
    # 施工许可 -------------------------------------------------------------------------------
    _m(
        "M021",
        "施工图设计文件审查",
        "construction_permit",
        ("government", "social", "social_land_with_plan", "old_community_renovation"),
        "housing",
        "review",
    ),
    _m("M022", "建筑工程施工许可证核发", "construction_permit", _ALL, "housing", "approval"),
    _m("M023", "建设工程质量安全监督手续(含人防工程)", "construction_permit", _ALL, "housing", "filing"),
    _m("M024", "特殊建设工程消防设计审查", "construction_permit", _GSP, "housing", "review"),
    _m("M025", "公路建设项目施工许可", "construction_permit", ("government",), "transport", "approval"),
    _m(
        "M026",
        "城市建筑垃圾处置核准",
        "construction_permit",
        ("government", "social", "social_small", "social_land_with_plan", "old_community_renovation"),
        "housing",
        "approval",
    ),
    # 竣工验收 -------------------------------------------------------------------------------
    _m("M027", "建设工程竣工验收备案", "completion_acceptance", _ALL, "housing", "filing"),
    _m("M028", "特殊建设工程消防验收", "completion_acceptance", _GSP, "housing", "acceptance"),
    _m("M029", "其他建设工程消防验收备案", "completion_acceptance", _ALL, "housing", "filing"),
    _m("M030", "建设工程竣工规划核实", "completion_acceptance", _NO_OC, "natural_resources", "acceptance"),
    _m("M031", "工程建设项目竣工联合验收", "completion_acceptance", _ALL, "housing", "acceptance"),
    _m("M032", "建设工程档案验收", "completion_acceptance", _GSP, "housing", "acceptance"),
    _m("M033", "人民防空工程竣工验收备案", "completion_acceptance", _GSP, "civil_air_defence", "filing"),
    _m("M034", "生产建设项目水土保持设施验收报备", "completion_acceptance", _GS, "water", "filing"),
    _m("M035", "公路工程竣(交)工验收", "completion_acceptance", ("government",), "transport", "acceptance"),
    _m("M036", "防雷装置竣工验收", "completion_acceptance", _GS, "meteorology", "acceptance"),
    # 并行推进 -------------------------------------------------------------------------------
    _m("M037", "建设项目环境影响评价文件审批", "parallel", _GSP, "ecology", "approval"),
    _m("M038", "建设项目环境影响登记表备案", "parallel", _ALL, "ecology", "filing"),
    _m("M039", "生产建设项目水土保持方案审批", "parallel", _GSP, "water", "approval"),
    _m("M040", "洪水影响评价类审批", "parallel", _GS, "water", "approval"),
    _m("M041", "取水许可", "parallel", _GS, "water", "approval"),
    _m("M042", "建设工程文物保护和考古许可", "parallel", _GSP, "cultural_heritage", "approval"),
    _m("M043", "建设项目使用林地审核审批", "parallel", _GS, "forestry", "approval"),
    _m("M044", "建设项目压覆重要矿产资源审批", "parallel", _GS, "natural_resources", "approval"),
    _m(
        "M045",
        "建设工程地震安全性评价结果的审定及抗震设防要求的确定",
        "parallel",
        _GS,
        "earthquake",
        "review",
    ),
    _m("M046", "占用挖掘城市道路审批", "parallel", _ALL, "housing", "approval"),
    _m(
        "M047",
        "砍伐城市树木、迁移古树名木审批",
        "parallel",
        ("government", "social", "social_land_with_plan", "old_community_renovation"),
        "housing",
        "approval",
    ),
    _m("M048", "城镇污水排入排水管网许可", "parallel", _NO_OC, "housing", "approval"),
    _m("M049", "涉路施工许可", "parallel", _GS, "transport", "approval"),
    _m("M050", "航道通航条件影响评价审核", "parallel", _GS, "transport", "review"),
    _m("M051", "供水报装", "parallel", _ALL, "housing", "utility"),
    _m("M052", "供电报装", "parallel", _ALL, "drc", "utility"),
    _m("M053", "燃气报装", "parallel", _ALL, "housing", "utility"),
)
"""Every matter, ordered by stage then code."""

MATTERS_BY_CODE: Final[dict[str, MatterRef]] = {m.code: m for m in MATTERS}

SEED_MATTER_TEXT: Final[tuple[tuple[str, str, str], ...]] = (
    ("政府投资项目建议书审批", "M001", "图2.3.7-2.3.9 权限选择, row 1 (政府投资建设项目 / 立项用地规划许可)"),
    (
        "政府投资项目可行性研究报告审批",
        "M002",
        "图2.3.7 row 2. The OCR is garbled as 政会仍沒信日司任任平今招生会批 (same length, same "
        "ending); this is our reading",
    ),
    ("建设工程竣工验收备案", "M027", "图2.3.1/2.4.1 审批情况发布 (办件单号 …JGBA)"),
    ("建设工程质量安全监督手续(含人防", "M023", "图2.3.1/2.4.1 审批情况发布 (…SGXK); truncated there"),
    ("建设工程规划类许可证核发(含设计", "M012", "图2.3.1/2.4.1 审批情况发布 (…JGXK); truncated there"),
    ("建设用地(含临时用地)规划许可证", "M006", "图2.3.1/2.4.1 审批情况发布 (…GHXK); truncated there"),
    ("投资项目备案", "M004", "图2.2.1 审批情况发布; OCR fragment of the 事项名称 column"),
)
"""``(text as the seed shows it, matter code, where)``. Each text is a substring of its matter's name."""


def _fold(text: str) -> str:
    """NFKC-fold (full-width to ASCII punctuation) and drop whitespace, for name matching."""
    return "".join(unicodedata.normalize("NFKC", text).split())


_MATTERS_BY_FOLDED_NAME: Final[dict[str, MatterRef]] = {_fold(m.name): m for m in MATTERS}


def matter_by_name(name: str) -> MatterRef | None:
    """Find a matter by exact name, ignoring full-/half-width differences and whitespace."""
    return _MATTERS_BY_FOLDED_NAME.get(_fold(name))


def matters_for(
    *, project_type: str | None = None, stage: str | None = None, department: str | None = None
) -> list[MatterRef]:
    """Matters filtered by project type, stage and/or department code, in stage then code order.

    Raises:
        ValueError: for an unknown project type, stage or department code.
    """
    if project_type is not None and project_type not in PROJECT_TYPE_NAMES:
        raise ValueError(f"unknown project type {project_type!r}")
    if stage is not None and stage not in STAGE_NAMES:
        raise ValueError(f"unknown stage {stage!r}")
    if department is not None and department not in PROVINCIAL_DEPARTMENTS_BY_CODE:
        raise ValueError(f"unknown department {department!r}")
    found = [
        m
        for m in MATTERS
        if (project_type is None or project_type in m.project_types)
        and (stage is None or m.stage == stage)
        and (department is None or m.department == department)
    ]
    return sorted(found, key=lambda m: (STAGE_ORDER[m.stage], m.code))


# --------------------------------------------------------------------------------------------
# Credit codes (fictional, checksum-valid)
# --------------------------------------------------------------------------------------------

_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARS: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # value = index: 0-9, A=10 … Z=35
FICTIONAL_ORG_PREFIX: Final = "FAKE"
"""Organisation codes we make start with ``FAKE``, which no real organisation code does."""


def org_code_check_char(body: str) -> str:
    """GB 11714-1997 check character for the first 8 characters of an organisation code.

    Weights 3,7,9,10,5,8,4,2 over digit/letter values (0-9, A=10 … Z=35); check = 11 - sum % 11,
    where 10 is written ``X`` and 11 is written ``0``.
    """
    if len(body) != 8 or any(c not in _ORG_CHARS for c in body):
        raise ValueError(f"organisation code body must be 8 of 0-9/A-Z, got {body!r}")
    total = sum(_ORG_CHARS.index(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_credit_code(seq: int, region: str = "430000") -> str:
    """A **fictional**, checksum-valid unified social credit code, for demo and test data only.

    Layout per GB 32100-2015: registration authority ``1`` (机构编制), entity type ``1`` (机关),
    the 6-digit division code ``region``, a 9-character organisation code ``FAKE`` + 4-digit
    ``seq`` + its GB 11714 check character, then the GB 32100 check character. No real
    organisation code starts with ``FAKE``, so these can never be mistaken for real ones. The
    result depends only on the arguments.

    Raises:
        ValueError: if ``seq`` is not 0-9999 or ``region`` is not six digits.
    """
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= 9999:
        raise ValueError(f"seq must be an int in 0..9999, got {seq!r}")
    if len(region) != 6 or not region.isascii() or not region.isdigit():
        raise ValueError(f"region must be a six-digit division code, got {region!r}")
    body = f"{FICTIONAL_ORG_PREFIX}{seq:04d}"
    first17 = f"11{region}{body}{org_code_check_char(body)}"
    return first17 + uscc.calc_check_digit(first17)


def is_valid_credit_code(code: object) -> bool:
    """True for a well-formed unified social credit code with a correct GB 32100 check character.

    Wraps ``stdnum.cn.uscc.is_valid``, but only accepts the canonical form (18 upper-case
    characters, no separators). Normalise user input with ``stdnum.cn.uscc.compact`` first.
    """
    return isinstance(code, str) and code == uscc.compact(code) and uscc.is_valid(code)


# --------------------------------------------------------------------------------------------
# Departments
# --------------------------------------------------------------------------------------------


class Department(TypedDict):
    """An organisation that holds approval accounts.

    ``code`` is unique: a bare function slug for provincial departments (``"drc"``), and
    ``"<region_code>-<slug>"`` for city and county ones (``"430100-drc"``). ``functions`` lists
    the department codes of :data:`MATTERS` it handles. A provincial department's functions are
    just its code; a city's 应急管理局 also handles ``earthquake``.
    """

    code: str
    name: str
    short_name: str
    credit_code: str
    region_code: str
    level: Literal["province", "city", "county"]
    functions: tuple[str, ...]


# (seq, code, full name, short name). The seq feeds make_credit_code. Never reuse a seq.
_PROVINCIAL: Final[tuple[tuple[int, str, str, str], ...]] = (
    (1, "reform_office", "湖南省工程建设项目审批制度改革工作领导小组办公室", "省工改办"),
    (2, "drc", "湖南省发展和改革委员会", "省发展改革委"),
    (3, "housing", "湖南省住房和城乡建设厅", "省住房城乡建设厅"),
    (4, "natural_resources", "湖南省自然资源厅", "省自然资源厅"),
    (5, "ecology", "湖南省生态环境厅", "省生态环境厅"),
    (6, "water", "湖南省水利厅", "省水利厅"),
    (7, "transport", "湖南省交通运输厅", "省交通运输厅"),
    (8, "civil_air_defence", "湖南省人民防空办公室", "省人防办"),
    (9, "cultural_heritage", "湖南省文物局", "省文物局"),
    (10, "forestry", "湖南省林业局", "省林业局"),
    (11, "emergency", "湖南省应急管理厅", "省应急厅"),
    (12, "meteorology", "湖南省气象局", "省气象局"),
    (13, "earthquake", "湖南省地震局", "省地震局"),
)

HUNAN_REGION_CODE: Final = "430000"

PROVINCIAL_DEPARTMENTS: Final[tuple[Department, ...]] = tuple(
    Department(
        code=code,
        name=name,
        short_name=short,
        credit_code=make_credit_code(seq, HUNAN_REGION_CODE),
        region_code=HUNAN_REGION_CODE,
        level="province",
        functions=(code,),
    )
    for seq, code, name, short in _PROVINCIAL
)
"""省直部门. Treat as read-only."""

PROVINCIAL_DEPARTMENTS_BY_CODE: Final[dict[str, Department]] = {d["code"]: d for d in PROVINCIAL_DEPARTMENTS}

PROVINCE_ADMIN_DEPARTMENTS: Final[tuple[str, str]] = ("drc", "reform_office")
"""Departments that each hold one province admin account (seed, notice item 一)."""

CITY_ADMIN_ACCOUNTS_PER_CITY: Final = 2
"""Each 市州 has, in principle, two city admin accounts (seed, notice item 一)."""

# (seq, slug, full-name suffix, short-name suffix, functions)
_CITY: Final[tuple[tuple[int, str, str, str, tuple[str, ...]], ...]] = (
    (1, "reform_office", "工程建设项目审批制度改革工作领导小组办公室", "工改办", ("reform_office",)),
    (2, "drc", "发展和改革委员会", "发展改革委", ("drc",)),
    (3, "housing", "住房和城乡建设局", "住房城乡建设局", ("housing",)),
    (4, "natural_resources", "自然资源和规划局", "自然资源规划局", ("natural_resources",)),
    (5, "ecology", "生态环境局", "生态环境局", ("ecology",)),
    (6, "water", "水利局", "水利局", ("water",)),
    (7, "transport", "交通运输局", "交通运输局", ("transport",)),
    (8, "civil_air_defence", "人民防空办公室", "人防办", ("civil_air_defence",)),
    (9, "cultural_heritage", "文化旅游广电局", "文旅广电局", ("cultural_heritage",)),
    (10, "forestry", "林业局", "林业局", ("forestry",)),
    (11, "emergency", "应急管理局", "应急局", ("emergency", "earthquake")),
    (12, "meteorology", "气象局", "气象局", ("meteorology",)),
    (13, "urban_mgmt", "城市管理和综合执法局", "城管执法局", ("urban_mgmt",)),
    (14, "admin_approval", "行政审批服务局", "行政审批服务局", ("admin_approval",)),
)

_COUNTY: Final[tuple[tuple[int, str, str, str, tuple[str, ...]], ...]] = (
    (1, "reform_office", "工程建设项目审批制度改革工作领导小组办公室", "工改办", ("reform_office",)),
    (2, "drc", "发展和改革局", "发展改革局", ("drc",)),
    (3, "housing", "住房和城乡建设局", "住房城乡建设局", ("housing",)),
    (4, "natural_resources", "自然资源局", "自然资源局", ("natural_resources",)),
    (5, "ecology", "生态环境局", "生态环境局", ("ecology",)),  # see _region_departments
    (6, "water", "水利局", "水利局", ("water",)),
    (7, "transport", "交通运输局", "交通运输局", ("transport",)),
    (8, "civil_air_defence", "人民防空办公室", "人防办", ("civil_air_defence",)),
    (9, "cultural_heritage", "文化旅游广电体育局", "文旅广体局", ("cultural_heritage",)),
    (10, "forestry", "林业局", "林业局", ("forestry",)),
    (11, "emergency", "应急管理局", "应急局", ("emergency", "earthquake")),
    (12, "meteorology", "气象局", "气象局", ("meteorology",)),
    (13, "urban_mgmt", "城市管理和综合执法局", "城管执法局", ("urban_mgmt",)),
    (14, "admin_approval", "行政审批服务局", "行政审批服务局", ("admin_approval",)),
)


def _level_of(region_code: str) -> Literal["province", "city", "county"]:
    if len(region_code) != 6 or not region_code.isascii() or not region_code.isdigit():
        raise ValueError(f"region_code must be a six-digit division code, got {region_code!r}")
    if region_code.endswith("0000"):
        return "province"
    if region_code.endswith("00"):
        return "city"
    return "county"


def _region_departments(
    region_code: str,
    region_name: str,
    level: Literal["city", "county"],
    parent_name: str | None = None,
) -> list[Department]:
    if not region_name.strip():
        raise ValueError("region_name must not be empty")
    table = _CITY if level == "city" else _COUNTY
    result: list[Department] = []
    for seq, slug, suffix, short_suffix, functions in table:
        name = f"{region_name}{suffix}"
        short = f"{region_name}{short_suffix}"
        if level == "county" and slug == "ecology" and parent_name:
            # Since the 2019 vertical reform a county's ecology office is a branch of the city bureau.
            name = short = f"{parent_name}生态环境局{region_name}分局"
        result.append(
            Department(
                code=f"{region_code}-{slug}",
                name=name,
                short_name=short,
                credit_code=make_credit_code(seq, region_code),
                region_code=region_code,
                level=level,
                functions=functions,
            )
        )
    return result


def city_departments(region_code: str, region_name: str) -> list[Department]:
    """The departments of a city or prefecture (市州), e.g. ``("430100", "长沙市")``.

    Returns new dicts each call (14 of them: 市工改办, 市发展改革委, 市住房城乡建设局,
    市自然资源和规划局, 市生态环境局, …, 市行政审批服务局). Credit codes are fictional (see
    :func:`make_credit_code`) with ``region_code`` as their region part, so they are unique across
    regions and the same on every call.

    Raises:
        ValueError: if ``region_code`` is not a city-level code (six digits ending in ``00``, not
            ``0000``), or ``region_name`` is empty.
    """
    if _level_of(region_code) != "city":
        raise ValueError(f"{region_code!r} is not a city-level division code")
    return _region_departments(region_code, region_name, "city")


def county_departments(
    region_code: str, region_name: str, parent_name: str | None = None
) -> list[Department]:
    """The departments of a county, county-level city or district, e.g. ``("430181", "浏阳市")``.

    ``parent_name`` (the city's name) lets the ecology office be named as the city bureau's
    branch (``长沙市生态环境局浏阳市分局``). Everything else is as in :func:`city_departments`.

    Raises:
        ValueError: if ``region_code`` is not a county-level code, or ``region_name`` is empty.
    """
    if _level_of(region_code) != "county":
        raise ValueError(f"{region_code!r} is not a county-level division code")
    return _region_departments(region_code, region_name, "county", parent_name)


def department_for_matter(matter: MatterRef | str, departments: list[Department]) -> Department | None:
    """The first department in ``departments`` whose functions cover ``matter`` (a MatterRef or its code)."""
    m = MATTERS_BY_CODE[matter] if isinstance(matter, str) else matter
    return next((d for d in departments if m.department in d["functions"]), None)
