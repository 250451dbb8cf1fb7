"""Generate transforms/catalog/regions.csv from cpca's maintained division list.

    .venv/bin/python tools/build_regions.py [--out transforms/catalog/regions.csv]

cpca ships `resources/adcodes.csv`: every province, prefecture and county-level area with
its 12-digit GB/T 2260 code. Level and parent follow from the code itself; short names
strip the administrative suffix. Ambiguous short names (two 鼓楼区) are kept on every row
that has them: the extractor resolves them by the document's context.
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import Counter
from importlib import resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "transforms" / "catalog" / "regions.csv"
COLUMNS = ("code", "name", "short_names", "level", "parent_code", "name_en")
COUNTRY = {
    "code": "000000000000",
    "name": "全国",
    "short_names": "我国|中国",
    "level": "country",
    "parent_code": "",
    "name_en": "China",
}

# Rows that are statistical groupings, not areas a text can name.
PLACEHOLDERS = re.compile(r"^(市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划)$")
ADMIN_SUFFIX = r"(?:自治(?:区|州|县|旗)|特别行政区|林区|地区|新区|区|县|市|旗|盟|省)$"
# Short names that are everyday words far more often than places: never used alone.
COMMON_WORDS = frozenset(
    """
    和平 平安 新华 长安 城关 城中 江北 江南 新城 开发 高新 东方 白云 金山 宝山 永和 安全 中山
    青山 东风 红旗 新兴 建华 铁东 铁西 向阳 前进 胜利 先锋 立新 光明 合作 民主 团结 文化 金牛
    龙华 海城 城东 城西 城南 城北 河东 河西 新区
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


def derive_level(code: str) -> str:
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    return "district"


def read_nations() -> tuple[str, ...]:
    path = resources.files("cpca") / "resources" / "56_nations.csv"
    names = {line.strip() for line in path.read_text(encoding="utf-8").splitlines()}
    # 新疆维吾尔自治区 is the one official name that drops the 族 (京, 藏 alone are places).
    names.add("维吾尔")
    return tuple(sorted(filter(None, names), key=len, reverse=True))


def compile_suffix(nations: tuple[str, ...]) -> re.Pattern[str]:
    ethnic = "|".join(map(re.escape, nations))
    return re.compile(rf"(?:(?:{ethnic})*|各族){ADMIN_SUFFIX}")


SUFFIX = compile_suffix(read_nations())


def derive_short_names(name: str, level: str) -> tuple[str, ...]:
    """`萧山区` -> (`萧山`,); `恩施土家族苗族自治州` -> (`恩施`,); nothing when too short."""
    stem = SUFFIX.sub("", name, count=1)
    if stem == name or len(stem) < 2 or stem in COMMON_WORDS:
        return ()
    return (stem,)


def read_adcodes() -> list[tuple[str, str]]:
    path = resources.files("cpca") / "resources" / "adcodes.csv"
    with path.open(encoding="utf-8") as handle:
        rows = [(row["adcode"].strip(), row["name"].strip()) for row in csv.DictReader(handle)]
    return [(code, name) for code, name in rows if not PLACEHOLDERS.match(name)]


def build_rows(adcodes: list[tuple[str, str]]) -> list[dict[str, str]]:
    codes = {code for code, _ in adcodes}
    rows = [COUNTRY]
    for code, name in sorted(adcodes):
        level = derive_level(code)
        parent = ""
        if level == "city":
            parent = code[:2] + "0" * 10
        elif level == "district":
            city = code[:4] + "0" * 8
            parent = city if city in codes else code[:2] + "0" * 10
        if (level != "province" and parent not in codes) or level == "province":
            parent = COUNTRY["code"]
        rows.append(
            {
                "code": code,
                "name": name,
                "short_names": "|".join(derive_short_names(name, level)),
                "level": level,
                "parent_code": parent,
                "name_en": "",
            }
        )
    return rows


def report_ambiguity(rows: list[dict[str, str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for row in rows:
        for short in filter(None, row["short_names"].split("|")):
            counts[short] += 1
    return Counter({name: n for name, n in counts.items() if n > 1})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rows = build_rows(read_adcodes())
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    ambiguous = report_ambiguity(rows)
    print(f"{len(rows)} regions -> {args.out}; {len(ambiguous)} ambiguous short names")


if __name__ == "__main__":
    main()
