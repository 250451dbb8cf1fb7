"""The words the extractor's rules look for come from the catalogue files: a word added to a
copy of the catalogue is read with no code change, and a row no rule reads is refused.
Texts written for these tests."""

import shutil
from pathlib import Path

import pytest

from transforms.catalog import CATALOG_DIR, load_catalog
from transforms.extract import extract_document
from transforms.extract.patterns import compile_patterns
from transforms.extract.sentence import HANDLERS
from transforms.extract.tokens import PRIORITY
from transforms.numbers import find_quantities


def catalog_with(tmp_path: Path, file: str, *rows: str):
    """A copy of the catalogue with `rows` appended to one of its files."""
    folder = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    with (folder / file).open("a", encoding="utf-8") as handle:
        handle.writelines(row + "\n" for row in rows)
    return load_catalog(folder)


def measures(text, catalog):
    return {
        (f.indicator, f.measure): f.value for f in extract_document("t.txt", text, catalog).facts
    }


def test_a_growth_verb_added_to_rule_words_is_read(tmp_path):
    text = "2023年，长兴县规上工业增加值攀升6.1%。"
    assert measures(text, load_catalog()) == {}
    catalog = catalog_with(tmp_path, "rule_words.csv", "growth,up,攀升")
    assert measures(text, catalog) == {("规模以上工业增加值", "yoy_pct"): 6.1}


def test_a_word_that_shares_out_a_list_added_to_cues_is_read(tmp_path):
    text = "2023年，长兴县规上工业增加值、固定资产投资依次增长6.1%和9.4%。"
    shared_out = {("规模以上工业增加值", "yoy_pct"): 6.1, ("固定资产投资", "yoy_pct"): 9.4}
    assert measures(text, load_catalog()) != shared_out
    catalog = catalog_with(tmp_path, "cues.csv", "依次,each,in_order")
    assert measures(text, catalog) == shared_out


def test_a_count_unit_added_to_units_reads_chinese_numerals(tmp_path):
    assert [q.value for q in find_quantities("新建五座", load_catalog())] == []
    catalog = catalog_with(tmp_path, "units.csv", "座,count,个,1,buildings")
    assert [(q.value, q.unit) for q in find_quantities("新建五座", catalog)] == [(5.0, "座")]
    assert "座" in catalog.count_units


def test_a_rule_word_in_a_slot_no_rule_reads_is_refused(tmp_path):
    catalog = catalog_with(tmp_path, "rule_words.csv", "growth,upp,攀升")
    with pytest.raises(ValueError, match="growth', 'upp"):
        compile_patterns(catalog)


def test_every_token_kind_has_a_rule():
    assert set(HANDLERS) == set(PRIORITY)
