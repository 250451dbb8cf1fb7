"""Turn one report's text into indicator facts (../shared/spec/FACTS.md).

The text is normalised, scanned once per token family (`tokens.py`: indicators, quantities,
periods, regions, cue words; all compiled patterns), passed over for what spans tokens
(`token_passes.py`), and the tokens of each sentence are read left to right (`sentence.py`),
each by the rule of its kind: an indicator opens a subject (`subjects.py`), cue words set
the measure (`measures.py`, `cues.py`: 增长 -> yoy_pct, 两年平均 -> avg2y_pct, 占...比重 ->
share_pct, 目标 -> target_*), and a quantity closes a fact (`quantities.py`, `emit.py`).
Period (`periods.py`) and area (`areas.py`) carry over from the text around it.

Every cue has a reach, and nothing outlives it:

- a target cue holds for its clause (`目标增速12%`), for its sentence when it announces a
  list (`主要目标是：A增长7%；B增长8%`) or when the sentence opens with a target
  (`GDP预期增长6%左右，规上工业增加值增长6.5%`), and for the next paragraph when it heads
  one of its own (`二、2024年主要预期目标`);
- the period the text reports on (the frame) holds until another is named; a digression
  (`去年同期`, `8月当月` inside `1-8月`, `年末`, `到2025年`) holds for the rest of its sentence
  when it opens a clause, for its clause when named mid-clause, and the frame comes back;
  last year opening a paragraph (`去年，全市...`) holds for the paragraph;
- an area switches the subject's area only when the text reports on it: an area after a
  comparison or rank word (`高于全省`, `居全市第二`) is a base (its own figure in brackets,
  `比重庆全市（5.8%）高`, is the base's), one before `首批`, `平均` is an attribute, and one
  that ends its clause qualifying another noun (`落实泉州市各项政策，`) is given back.

The document's own area is the one its head (title, publisher, dateline) and its text name
most, comparison bases left out (`document_area.py`); each fact carries the GB/T 2260 code of
its area when the context decided it (two 鼓楼区 and no city named: no code). Tables (pipe,
tab-aligned or HTML) are read by their columns' periods and units after the prose
(`tables.py`).

No figure is dropped for looking implausible (`增长950%`): the quality gate owns that.
"""

from __future__ import annotations

from transforms.extract.document import extract_document
from transforms.regions import COUNTRY

EXTRACTOR_VERSION = "0.4.0"

__all__ = ["COUNTRY", "EXTRACTOR_VERSION", "extract_document"]
