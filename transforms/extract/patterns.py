"""The compiled patterns the extractor's rules match."""

from __future__ import annotations

import re

SENTENCE_END = re.compile(r"[。！？!?\n]")
CLAUSE_SEP = re.compile(r"[，,；;：:]")
# A lookahead of the possible first characters lets `re` skip every other position in C.
GROWTH = re.compile(
    r"(?=[同比较累环年平增上提回下减降负])"
    r"(?P<pre>同比|比上年同期|比上年|较上年同期|较上年|比去年同期|比去年|较去年|累计|环比|年均|平均)?"
    r"(?:(?P<up>增长|增加|上升|提高|提升|回升|增(?=\d))|(?P<down>下降|减少|回落|降低|下滑|下跌|负增长|[减降](?=\d)))"
    r"(?:了|达到|达|为)?(?P<level>[至到])?"
)
FLAT = re.compile(r"(?:与上年同期|与去年同期|与上年|与去年|同比)持平")
"""`技改投资与上年同期持平`: growth of 0."""
# Patterns scanned over whole texts open with literal characters where they can: `re` then
# skips to the positions where they start, instead of trying the pattern everywhere (a
# lookahead or a named group first defeats that; RATE and RANK ran 2.3x quicker so).
RATE_WORD = "增速|增幅|增长率|增长速度"
RATE = re.compile(rf"(?:同比(?:{RATE_WORD})|{RATE_WORD})(?:为|达到|达|是)?")
AVG2Y = re.compile(r"两年平均(?:(?P<up>增长|增速|增幅)|(?P<down>下降))(?:为|达)?")
SHARE = re.compile(
    r"占(?P<den>[^，,。；;：:、\n]{0,16}?)(?:的)?(?:比重|比例|份额)(?:为|达到|达|是)?"
    r"|占(?P<den2>[^，,。；;：:、\n\d]{1,16}?)的(?=\d)"
    r"|占比(?:为|达到|达)?"
)
RANKED_AREA = "(?:全国|全省|全市|全区|全县|省内|市内)"
RANK = re.compile(
    # (排名|位居|位列|居于|居|列|位于|位次)? before the area, spelt out by first character
    rf"(?:排名{RANKED_AREA}|位[居列于次]{RANKED_AREA}|居于?{RANKED_AREA}|列{RANKED_AREA}"
    r"|全[国省市区县]|省内|市内)"
    r"[^\d，,。；;：:第首前之]{0,8}?"
    r"(?:第(?P<n>[一二三四五六七八九十\d]+)(?:位|名)?|(?P<top>首位|前列|前茅|之首))"
    r"(?!产业|次产业|季度|批|个|家)"  # 全市第一产业增加值, 全省第一批: no rank
)
LIST_GAP = re.compile(r"^(?:[、,，]|和|及|与|、和)$")
BARE_KIND_BEFORE = re.compile(r"(?:^|[，,、；;：:。(（]|实现|完成|达到|其中|为|是)$")
STEM_BEFORE = re.compile(
    r"(?:^|[，,、；;：:。(（“\"]|其中|规模以上|规上|[市区县省州旗盟])$"
)  # 赣县区第二产业实现增加值: an area's name (or 全市, 我区) ends in its level
STEM_AFTER = re.compile(
    r"[\d，,、；;。和及与(（等]|同比|增|下降|比上年|较上年|累计|分别|占|实现|完成"
)
STOCK_VERB = re.compile(r"达到|总数|总量|达")
LIST_ITEM_BEFORE = re.compile(r"(?:其中[，,：:]?|[、；;，,])$")
STEM_VERB = re.compile(r"实现了?|完成了?|共?实现|累计实现")
"""Between a stem and its kind word (`第二产业实现增加值`): the two name one indicator."""
CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
TARGET_LIST_AFTER = re.compile(r"(?:是|为)?[：:]|是|为")
REFERENCE_GAP = re.compile(r"[、和及与]?")
AREA_LIST_GAPS = re.compile(r"[、和及与 ]*")
COMPARATOR_BEFORE = re.compile(r"(?:比|较|相比|对比|与|比去年|比上年)$")
ORDINAL = re.compile(r"第[一二三四五六七八九十]")
CN_DIGIT_START = re.compile(r"[一二三四五六七八九十]")
BASE_FIGURE_LEAD = re.compile(
    r"\s*[(（]\s*(?:同期|同比)*(?:(?P<up>增长|增速为?|增幅为?)|(?P<down>下降|回落))?\s*"
)
"""Between a comparison's base and its own figure: `比重庆全市（5.8%`, `好于全国（同期下降0.7%`."""
BRACKET_CLOSE = re.compile(r"\s*[)）]")
BRACKETS = {"（": "）", "(": ")"}
SESSION = re.compile(r"第[一二三四五六七八九十\d]+届")
FUNCTIONAL_ZONE = re.compile(
    r"(?:^|(?<=[^\u4e00-\u9fff])|(?<=[年月省市县]))"
    r"[\u4e00-\u9fff]{2,6}?(?:新区|经济技术开发区|经济开发区|高新技术产业开发区|高新区|开发区|工业园区)",
    re.M,
)
ROW_LABEL_LEAD = re.compile(
    r"^(?:其中[：:]?|[#△※*]|\d{1,2}[.、]|[(（][一二三四五六七八九十\d]+[)）])+"
)
RATE_LABEL_END = re.compile(r"(?:同比)?(?:增速|增长率|增幅|增长)$")
MONTH_COLUMN = re.compile(r"本月|当月")
TITLE_UNIT = re.compile(r"单位[:：]\s*(?P<unit>[^\s，,、;；)）|]{1,5})")
CUMULATIVE_COLUMN = re.compile(r"累计|[1一]\s*[-—–~至到]\s*本月|年初|本年")
