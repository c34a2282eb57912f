"""Reference data: matters, stages, project types, departments and fictional credit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from stdnum.cn import uscc

from idverify.divisions import children
from models import reference_data as rd

SEED = Path("/work/shared/seed/000_dd2f463d52efc902.txt")
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


# -- project types and stages ----------------------------------------------------------------


def test_project_types_include_government_and_social() -> None:
    assert ("government", "政府投资建设项目") in rd.PROJECT_TYPES
    assert ("social", "社会投资建设项目") in rd.PROJECT_TYPES


def test_project_types_unique_and_documented() -> None:
    codes = [c for c, _ in rd.PROJECT_TYPES]
    names = [n for _, n in rd.PROJECT_TYPES]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)
    assert set(rd.PROJECT_TYPE_BASIS) == set(codes)
    assert all(re.fullmatch(r"[a-z_]+", c) for c in codes)


def test_stages_are_the_four_reform_stages_then_parallel() -> None:
    names = [name for _, name, _ in rd.STAGES]
    assert names == ["立项用地规划许可", "工程建设许可", "施工许可", "竣工验收", "并行推进"]
    assert [order for _, _, order in rd.STAGES] == [1, 2, 3, 4, 5]
    assert len({code for code, _, _ in rd.STAGES}) == len(rd.STAGES)


# -- matters -----------------------------------------------------------------------------------


def test_at_least_forty_matters() -> None:
    assert len(rd.MATTERS) >= 40


def test_matter_codes_and_names_unique() -> None:
    codes = [m.code for m in rd.MATTERS]
    names = [m.name for m in rd.MATTERS]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)
    # Names must also stay unique after full-/half-width folding, or matter_by_name would be ambiguous.
    assert len({rd._fold(n) for n in names}) == len(names)


def test_matter_codes_are_stable_format_and_sequential() -> None:
    assert [m.code for m in rd.MATTERS] == [f"M{i:03d}" for i in range(1, len(rd.MATTERS) + 1)]


def test_matters_ordered_by_stage() -> None:
    orders = [rd.STAGE_ORDER[m.stage] for m in rd.MATTERS]
    assert orders == sorted(orders)


@pytest.mark.parametrize("matter", rd.MATTERS, ids=lambda m: m.code)
def test_matter_references_resolve(matter: rd.MatterRef) -> None:
    assert matter.stage in rd.STAGE_NAMES
    assert matter.project_types, "a matter applies to at least one project type"
    assert len(set(matter.project_types)) == len(matter.project_types)
    assert all(pt in rd.PROJECT_TYPE_NAMES for pt in matter.project_types)
    assert matter.department in rd.PROVINCIAL_DEPARTMENTS_BY_CODE
    assert matter.kind in rd.MATTER_KINDS
    assert matter.name == matter.name.strip() and len(matter.name) <= 128  # fits matters.name


def test_every_stage_and_main_project_type_has_matters() -> None:
    for code, _, _ in rd.STAGES:
        assert rd.matters_for(stage=code), code
    for code, _ in rd.PROJECT_TYPES:
        assert rd.matters_for(project_type=code), code


def test_standard_matters_present() -> None:
    for name in (
        "企业投资项目核准",
        "企业投资项目备案",
        "建设项目用地预审与选址意见书核发",
        "施工图设计文件审查",
        "建筑工程施工许可证核发",
        "特殊建设工程消防设计审查",
        "特殊建设工程消防验收",
        "工程建设项目竣工联合验收",
        "建设项目环境影响评价文件审批",
        "生产建设项目水土保持方案审批",
        "固定资产投资项目节能审查",
        "取水许可",
        "临时用地审批",
    ):
        assert rd.matter_by_name(name) is not None, name


# -- the seed ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "code", "where"), rd.SEED_MATTER_TEXT, ids=lambda v: str(v)[:12])
def test_seed_matter_text_is_in_its_matter(text: str, code: str, where: str) -> None:
    assert text in rd.MATTERS_BY_CODE[code].name
    assert where


def test_seed_text_appears_in_the_seed() -> None:
    if not SEED.exists():
        pytest.skip("seed document not available")
    seed = SEED.read_text(encoding="utf-8")
    for text, code, _ in rd.SEED_MATTER_TEXT:
        if code == "M002":
            # OCR garbled that row; check the garbled text is there instead.
            assert "政会仍沒信日司任任平今招生会批" in seed
            continue
        assert text in seed, text


def test_seed_permission_screen_matter() -> None:
    m = rd.matter_by_name("政府投资项目建议书审批")
    assert m is not None
    assert m.stage == "land_planning"
    assert "government" in m.project_types
    assert rd.STAGE_NAMES[m.stage] == "立项用地规划许可"


def test_seed_hall_matters_in_the_stage_their_case_number_says() -> None:
    # Case numbers in the seed's 审批情况发布 end with the stage: GHXK 规划许可, SGXK 施工许可, JGBA 竣工备案.
    assert rd.MATTERS_BY_CODE["M006"].stage == "land_planning"
    assert rd.MATTERS_BY_CODE["M023"].stage == "construction_permit"
    assert rd.MATTERS_BY_CODE["M027"].stage == "completion_acceptance"


# -- lookups -----------------------------------------------------------------------------------


def test_matter_by_name_folds_full_width_and_spaces() -> None:
    m = rd.matter_by_name(" 建设用地（含临时用地）规划许可证核发 ")
    assert m is not None and m.code == "M006"
    assert rd.matter_by_name("不存在的事项") is None


def test_matters_for_filters() -> None:
    gov_land = rd.matters_for(project_type="government", stage="land_planning")
    assert {m.name for m in gov_land} >= {"政府投资项目建议书审批", "政府投资项目可行性研究报告审批"}
    assert all(m.stage == "land_planning" and "government" in m.project_types for m in gov_land)
    assert "企业投资项目核准" not in {m.name for m in gov_land}
    assert all(m.department == "water" for m in rd.matters_for(department="water"))


@pytest.mark.parametrize("kwargs", [{"project_type": "x"}, {"stage": "x"}, {"department": "x"}])
def test_matters_for_rejects_unknown_codes(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        rd.matters_for(**kwargs)


def test_matter_is_immutable() -> None:
    with pytest.raises(AttributeError):
        rd.MATTERS[0].name = "x"  # type: ignore[misc]


# -- credit codes ------------------------------------------------------------------------------


def _org_code_valid(org: str) -> bool:
    return rd.org_code_check_char(org[:8]) == org[8]


def test_org_code_check_char_known_value() -> None:
    # The seed's sample organisation's code 91430300MA4RTM5T6H embeds organisation code MA4RTM5T6.
    assert rd.org_code_check_char("MA4RTM5T") == "6"
    assert uscc.is_valid("91430300MA4RTM5T6H")


def test_org_code_check_char_special_values() -> None:
    # Find bodies whose check is 10 and 11 to cover the X and 0 spellings.
    seen = {rd.org_code_check_char(f"FAKE{i:04d}") for i in range(200)}
    assert "X" in seen and "0" in seen
    with pytest.raises(ValueError):
        rd.org_code_check_char("fake0001")
    with pytest.raises(ValueError):
        rd.org_code_check_char("FAKE001")


def test_make_credit_code_layout() -> None:
    code = rd.make_credit_code(7, "430100")
    assert len(code) == 18
    assert code.startswith("11430100FAKE0007")
    assert all(c in USCC_ALPHABET for c in code)
    assert _org_code_valid(code[8:17])
    assert rd.is_valid_credit_code(code)
    assert uscc.is_valid(code)


def test_make_credit_code_deterministic_and_distinct() -> None:
    assert rd.make_credit_code(3) == rd.make_credit_code(3) == rd.make_credit_code(3, "430000")
    assert rd.make_credit_code(3) != rd.make_credit_code(4)
    assert rd.make_credit_code(3) != rd.make_credit_code(3, "430100")


@pytest.mark.parametrize(("seq", "region"), [(-1, "430000"), (10000, "430000"), (1, "4300"), (1, "43000a")])
def test_make_credit_code_rejects_bad_input(seq: int, region: str) -> None:
    with pytest.raises(ValueError):
        rd.make_credit_code(seq, region)


def test_make_credit_code_rejects_bool() -> None:
    with pytest.raises(ValueError):
        rd.make_credit_code(True)


def test_every_single_character_change_is_rejected() -> None:
    code = rd.make_credit_code(1)
    for i, original in enumerate(code):
        for replacement in USCC_ALPHABET:
            if replacement != original:
                changed = code[:i] + replacement + code[i + 1 :]
                assert not rd.is_valid_credit_code(changed), changed


def test_is_valid_credit_code_only_accepts_canonical_strings() -> None:
    code = rd.make_credit_code(1)
    assert rd.is_valid_credit_code(code)
    assert not rd.is_valid_credit_code(code.lower())
    assert not rd.is_valid_credit_code(f" {code}")
    assert not rd.is_valid_credit_code(code[:-1])
    assert not rd.is_valid_credit_code(None)
    assert not rd.is_valid_credit_code(12345)
    assert not rd.is_valid_credit_code("")


# -- departments -------------------------------------------------------------------------------


def test_provincial_departments() -> None:
    deps = rd.PROVINCIAL_DEPARTMENTS
    assert len(deps) >= 10
    codes = [d["code"] for d in deps]
    assert len(set(codes)) == len(codes)
    assert len({d["name"] for d in deps}) == len(deps)
    assert len({d["short_name"] for d in deps}) == len(deps)
    names = {d["short_name"]: d["name"] for d in deps}
    assert names["省发展改革委"] == "湖南省发展和改革委员会"
    assert names["省工改办"] == "湖南省工程建设项目审批制度改革工作领导小组办公室"
    assert names["省住房城乡建设厅"] == "湖南省住房和城乡建设厅"
    for d in deps:
        assert d["name"].startswith("湖南省")
        assert d["level"] == "province" and d["region_code"] == "430000"
        assert d["functions"] == (d["code"],)
    assert set(rd.PROVINCE_ADMIN_DEPARTMENTS) <= set(codes)


def test_provincial_credit_codes_valid_fictional_and_unique() -> None:
    credit = [d["credit_code"] for d in rd.PROVINCIAL_DEPARTMENTS]
    assert len(set(credit)) == len(credit)
    for code in credit:
        assert rd.is_valid_credit_code(code)
        assert code.startswith("11430000" + rd.FICTIONAL_ORG_PREFIX)
        assert _org_code_valid(code[8:17])


def test_every_provincial_department_but_the_reform_office_handles_a_matter() -> None:
    used = {m.department for m in rd.MATTERS}
    assert set(rd.PROVINCIAL_DEPARTMENTS_BY_CODE) - used <= {"reform_office"}


def test_city_departments() -> None:
    deps = rd.city_departments("430100", "长沙市")
    assert len(deps) >= 10
    names = {d["name"] for d in deps}
    assert "长沙市发展和改革委员会" in names
    assert "长沙市自然资源和规划局" in names
    assert "长沙市住房和城乡建设局" in names
    assert "长沙市生态环境局" in names
    assert "长沙市行政审批服务局" in names
    assert {d["short_name"] for d in deps} >= {"长沙市发展改革委", "长沙市住房城乡建设局"}
    for d in deps:
        assert d["level"] == "city" and d["region_code"] == "430100"
        assert d["code"].startswith("430100-")
        assert rd.is_valid_credit_code(d["credit_code"])
        assert d["credit_code"][2:8] == "430100"
    assert len({d["code"] for d in deps}) == len(deps)
    assert rd.city_departments("430100", "长沙市") == deps  # deterministic
    assert rd.city_departments("430100", "长沙市") is not deps  # fresh list each call


def test_county_departments() -> None:
    deps = rd.county_departments("430181", "浏阳市", "长沙市")
    names = {d["name"] for d in deps}
    assert "浏阳市发展和改革局" in names
    assert "长沙市生态环境局浏阳市分局" in names
    assert "浏阳市生态环境局" in {d["name"] for d in rd.county_departments("430181", "浏阳市")}
    for d in deps:
        assert d["level"] == "county" and d["credit_code"][2:8] == "430181"
        assert rd.is_valid_credit_code(d["credit_code"])


@pytest.mark.parametrize("code", ["430000", "430181", "4301", "43010a"])
def test_city_departments_rejects_non_city_codes(code: str) -> None:
    with pytest.raises(ValueError):
        rd.city_departments(code, "某市")


@pytest.mark.parametrize("code", ["430000", "430100", "43018"])
def test_county_departments_rejects_non_county_codes(code: str) -> None:
    with pytest.raises(ValueError):
        rd.county_departments(code, "某县")


def test_region_name_required() -> None:
    with pytest.raises(ValueError):
        rd.city_departments("430100", " ")


def test_every_matter_has_a_department_at_every_level() -> None:
    city = rd.city_departments("430100", "长沙市")
    county = rd.county_departments("430181", "浏阳市", "长沙市")
    for m in rd.MATTERS:
        assert rd.department_for_matter(m, list(rd.PROVINCIAL_DEPARTMENTS)) is not None, m.code
        assert rd.department_for_matter(m, city) is not None, m.code
        assert rd.department_for_matter(m.code, county) is not None, m.code
    quake = rd.department_for_matter("M045", city)
    assert quake is not None and quake["name"] == "长沙市应急管理局"


def test_whole_province_credit_codes_unique_and_valid() -> None:
    codes = [d["credit_code"] for d in rd.PROVINCIAL_DEPARTMENTS]
    dept_codes = [d["code"] for d in rd.PROVINCIAL_DEPARTMENTS]
    cities = children("430000")
    assert len(cities) == 14
    for city in cities:
        for d in rd.city_departments(city.code, city.name):
            codes.append(d["credit_code"])
            dept_codes.append(d["code"])
        for county in children(city.code):
            for d in rd.county_departments(county.code, county.name, city.name):
                codes.append(d["credit_code"])
                dept_codes.append(d["code"])
    assert len(set(codes)) == len(codes)
    assert len(set(dept_codes)) == len(dept_codes)
    assert all(rd.is_valid_credit_code(c) for c in codes)
