"""Synthetic regional economic reports with their expected facts, for benchmarks and tests.

    for name, text, facts in generate_reports(1000, seed=42): ...

Each report is a bulletin of one area of the catalogue (`transforms/catalog/regions.csv`) for
one period: a title, a dateline naming the bureau, then sections of sentences that state
levels and growth rates of catalogue indicators (their canonical names and aliases), in
several phrasings, between paragraphs of prose without figures. Some reports carry the
artefacts of PDF text: numbers wrapped across lines, full-width digits, traditional
characters (OpenCC). The expected facts follow ../shared/spec/FACTS.md and are right by
construction: every figure is written from the fact, never read back from the text.

Pure and deterministic: the same `n`, `seed` and sizes give the same reports, byte for
byte, whatever the machine. Nothing is written; `zhibiao gen` writes them to a folder.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import NamedTuple

from transforms.catalog import Catalog, Indicator, Region, load_catalog

YEARS = tuple(range(2019, 2025))
LEVEL_WORD = {"city": "市", "district": "区"}
"""The word of `全区` / `全市` for the area's level (counties take 县)."""


class SyntheticReport(NamedTuple):
    name: str
    """File name (basename), the `doc` of its facts."""
    text: str
    facts: list[dict]
    """Expected facts in the fact contract (../shared/spec/FACTS.md)."""


class _Period(NamedTuple):
    year: int
    end_month: int
    label: str
    """How the text names it at the start of a sentence (`1-8月`, `上半年`, `全年`)."""


PERIOD_LABELS = {3: ("一季度", "1-3月"), 6: ("上半年", "1-6月"), 9: ("前三季度", "1-9月")}

# {p}: period; {a}: area (its name or 全区); {i}: indicator; {v}: level; {g}: growth.
LEVEL_AND_GROWTH = (
    "{p}，{a}实现{i}{v}亿元，同比增长{g}%。",
    "{p}，{a}{i}{v}亿元，同比增长{g}%。",
    "{p}，{a}完成{i}{v}亿元，同比增长{g}%。",
    "{p}，{a}{i}达到{v}亿元，同比增长{g}%。",
)
LEVEL_AND_DECLINE = (
    "{p}，{a}{i}{v}亿元，同比下降{g}%。",
    "{p}，{a}实现{i}{v}亿元，同比下降{g}%。",
)
GROWTH_ONLY = (
    "{p}，{a}{i}同比增长{g}%。",
    "{p}，{a}{i}增长{g}%。",
)
FILLER = (
    "今年以来，{a}上下坚持稳中求进工作总基调，全力推进经济稳进提质攻坚行动，经济运行总体保持恢复向好态势。",
    "从产业看，传统产业改造提升步伐加快，新兴产业培育壮大，创新驱动发展成效逐步显现。",
    "下阶段，要聚焦重大项目、重点企业和重要平台，加快在建项目投资进度，推动更多项目早开工、早投产、早见效。",
    "总的来看，外需收缩、部分重点企业生产承压等问题仍较突出，经济持续回升的基础还需巩固。",
    "各部门要强化要素保障，优化营商环境，帮助企业纾困解难，稳住市场主体。",
    "消费市场平稳恢复，线上消费保持活跃，文旅消费加快回暖，居民消费意愿逐步增强。",
    "金融运行总体平稳，科技型企业贷款保持较快增长，普惠小微贷款覆盖面继续扩大。",
    "数字化改革持续深化，一批智能工厂和数字化车间建成投用，企业上云用数赋智加快推进。",
)
SECTION_TITLES = ("一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、", "十、")
SECTION_NAMES = ("工业生产稳步回升", "投资结构持续优化", "消费市场平稳恢复", "外贸进出口总体平稳",
                 "财政收入较快增长", "数字经济引领发展", "主要指标稳中有进")  # fmt: skip
FULL_WIDTH = str.maketrans("0123456789.%", "０１２３４５６７８９．％")


_AREAS: dict[str, tuple[tuple[Region, Region], ...]] = {}


def _areas(catalog: Catalog) -> tuple[tuple[Region, Region], ...]:
    if catalog.version not in _AREAS:
        _AREAS[catalog.version] = _unambiguous_areas(catalog)
    return _AREAS[catalog.version]


def _unambiguous_areas(catalog: Catalog) -> tuple[tuple[Region, Region], ...]:
    """(area, its city or province) for districts and cities whose name and short names are
    the catalogue's only ones: the report's own area is then beyond doubt."""
    count: dict[str, int] = {}
    for region in catalog.regions:
        for name in {region.name, *region.short_names}:
            count[name] = count.get(name, 0) + 1
    by_code = {region.code: region for region in catalog.regions}
    areas = []
    for region in catalog.regions:
        parent = by_code.get(region.parent_code or "")
        if region.level not in LEVEL_WORD or parent is None or parent.level == "country":
            continue
        names = {region.name, *region.short_names}
        if any(count[name] > 1 or len(name) < 2 for name in names):
            continue
        if region.level == "district" and region.name[-1] not in "区县市":
            continue
        areas.append((region, parent))
    return tuple(areas)


def _currency_indicators(catalog: Catalog) -> tuple[Indicator, ...]:
    return tuple(i for i in catalog.indicators if i.dimension == "currency" and i.unit == "亿元")


def _annual_level(region: Region, indicator: Indicator, catalog: Catalog) -> float:
    """A plausible yearly level, the same for an area and indicator in every report (the
    gate compares a level with its series), and a part below its whole."""
    seeded = random.Random(f"{region.code}/{indicator.code}")
    if indicator.parent_code:
        whole = next(i for i in catalog.indicators if i.code == indicator.parent_code)
        return _annual_level(region, whole, catalog) * seeded.uniform(0.1, 0.45)
    return seeded.uniform(50, 3000)


def _area_word(region: Region) -> str:
    if region.level == "district" and region.name.endswith("县"):
        return "全县"
    if region.level == "district" and region.name.endswith("市"):
        return "全市"
    return "全" + LEVEL_WORD[region.level]


def _period(rng: random.Random) -> _Period:
    year = rng.choice(YEARS)
    end = rng.choice((3, 6, 9, 12, *range(2, 12)))
    if end == 12:
        return _Period(year, 12, f"{year}年")
    if end in PERIOD_LABELS and rng.random() < 0.5:
        return _Period(year, end, f"{year}年{PERIOD_LABELS[end][0]}")
    return _Period(year, end, f"{year}年1-{end}月")


def _wrap_number(text: str, rng: random.Random) -> str:
    """A hard line break inside a figure, as PDF text layers leave them."""
    if "." in text and rng.random() < 0.5:
        head, tail = text.split(".", 1)
        return f"{head}.\n{tail}"
    return text


def _fact(name, region, period, indicator, measure, value, unit, evidence) -> dict:
    return {
        "doc": name,
        "region": region.name,
        "period_start": f"{period.year}-01",
        "period_end": f"{period.year}-{period.end_month:02d}",
        "indicator": indicator.name_zh,
        "measure": measure,
        "value": value,
        "unit": unit,
        "qualifier": None,
        "denominator": None,
        "evidence": evidence,
    }


def generate_report(
    number: int, rng: random.Random, catalog: Catalog, mean_chars: int
) -> SyntheticReport:
    """One report; `rng` decides everything, so a seeded sequence is reproducible."""
    region, parent = rng.choice(_areas(catalog))
    period = _period(rng)
    name = f"{number:07d}_{region.code[:6]}_{period.year}{period.end_month:02d}.txt"
    wrapped = rng.random() < 0.3
    full_width = rng.random() < 0.2
    traditional = not full_width and rng.random() < 0.15
    indicators = list(_currency_indicators(catalog))
    rng.shuffle(indicators)
    own = _area_word(region)
    facts: list[dict] = []
    month = period.end_month % 12 + 1
    year = period.year + (period.end_month == 12)
    title = f"{period.label}{region.name}经济运行情况"
    paragraphs = [
        title,
        f"{parent.name}{region.name}统计局　　发布时间：{year}年{month}月{rng.randint(1, 28)}日",
    ]
    target = max(600, int(rng.gauss(mean_chars, mean_chars / 4)))
    size = sum(len(p) for p in paragraphs)
    section = 0
    while size < target:
        sentences = []
        for _ in range(rng.randint(2, 4)):
            if not indicators:
                break
            indicator = indicators.pop()
            names = (indicator.name_zh, *indicator.aliases)
            stated = indicator.name_zh if rng.random() < 0.6 else rng.choice(names)
            area = region.name if rng.random() < 0.3 else own
            level = round(
                _annual_level(region, indicator, catalog) * period.end_month / 12
                * rng.uniform(0.95, 1.05), rng.choice((1, 2)),
            )  # fmt: skip
            growth = round(rng.uniform(0.1, 25), 1)
            kind = rng.random()
            if kind < 0.6:
                template = rng.choice(LEVEL_AND_GROWTH)
                signed = growth
            elif kind < 0.8:
                template = rng.choice(LEVEL_AND_DECLINE)
                signed = -growth
            else:
                template = rng.choice(GROWTH_ONLY)
                signed, level = growth, None
            clean = template.format(
                p=period.label, a=area, i=stated, v=f"{level}", g=f"{growth}"
            ).rstrip("。")
            evidence = clean.split("，", 1)[1]
            if level is not None:
                facts.append(
                    _fact(name, region, period, indicator, "value", level, "亿元", evidence)
                )
            facts.append(_fact(name, region, period, indicator, "yoy_pct", signed, "%", evidence))
            shown_level = _wrap_number(f"{level}", rng) if wrapped else f"{level}"
            sentences.append(
                template.format(p=period.label, a=area, i=stated, v=shown_level, g=f"{growth}")
            )
        filler = [rng.choice(FILLER).format(a=own) for _ in range(rng.randint(2, 6))]
        heading = SECTION_TITLES[section % 10] + rng.choice(SECTION_NAMES)
        section += 1
        paragraphs += [heading, "".join(sentences), "".join(filler)]
        size += len(heading) + sum(map(len, sentences)) + sum(map(len, filler))
    text = "\n\n".join(paragraphs) + "\n"
    if full_width:
        text = text.translate(FULL_WIDTH)
    if traditional:
        text = _to_traditional(text)
    return SyntheticReport(name, text, facts)


@cache
def _converter():
    import opencc

    return opencc.OpenCC("s2t")


def _to_traditional(text: str) -> str:
    return _converter().convert(text)


MEAN_CHARS = 3_500
"""Characters of an average report: about 10 KB of UTF-8, so 100,000 reports make ~1 GB."""


def generate_reports(
    n: int, seed: int = 0, *, mean_chars: int = MEAN_CHARS, catalog: Catalog | None = None
) -> Iterator[SyntheticReport]:
    """`n` reports of about `mean_chars` characters each, as (name, text, expected facts)."""
    catalog = catalog or load_catalog()
    rng = random.Random(seed)
    for number in range(n):
        yield generate_report(number, rng, catalog, mean_chars)


def facts_jsonl(facts: list[dict]) -> str:
    return "".join(json.dumps(fact, ensure_ascii=False) + "\n" for fact in facts)


def write_corpus(directory: Path, reports: Iterator[SyntheticReport]) -> tuple[int, int, int]:
    """Write each report as UTF-8 `.txt` under `directory`, and every expected fact to
    `directory/expected.jsonl` (which the inbox scan ignores). Streams: one report in memory
    at a time. Returns (documents, facts, bytes of text)."""
    directory.mkdir(parents=True, exist_ok=True)
    documents = facts = size = 0
    with (directory / "expected.jsonl").open("w", encoding="utf-8") as expected:
        for report in reports:
            data = report.text.encode("utf-8")
            (directory / report.name).write_bytes(data)
            expected.write(facts_jsonl(report.facts))
            documents, facts, size = documents + 1, facts + len(report.facts), size + len(data)
    return documents, facts, size
