"""One document: its context built, its tokens scanned and passed over, its prose read
sentence by sentence and its tables after, and its facts returned."""

from __future__ import annotations

from transforms.catalog import Catalog
from transforms.extract.areas import note_region_code
from transforms.extract.context import DocumentContext, Period
from transforms.extract.document_area import (
    address_prefixes,
    functional_zone,
    head_end,
    is_cue_word,
    mention_weight,
    opening_subcounty,
    parent_of_siblings,
)
from transforms.extract.patterns import patterns_for
from transforms.extract.sentence import read_sentence
from transforms.extract.tables import frame_table, read_table
from transforms.extract.token_passes import TOKEN_PASSES
from transforms.extract.tokens import Token, scan_tokens, split_sentences
from transforms.facts import Extraction, Fact
from transforms.lexicon import lexicon
from transforms.normalise import normalise_text
from transforms.periods import find_lead_month, find_publication, infer_document_year
from transforms.regions import find_region_mentions, region_index, resolve_document_region
from transforms.tables import Table, find_tables


def extract_document(doc: str, raw_text: str, catalog: Catalog) -> Extraction:
    """Facts of one document; deterministic, and never raises on odd text (no facts then)."""
    try:
        ctx, skip = document_context(doc, raw_text, catalog)
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, RecursionError):
        return Extraction(doc=doc, text=raw_text, region=None, report_date=None)
    try:
        tokens = scan_tokens(ctx, skip)
        for apply in TOKEN_PASSES:
            tokens = apply(ctx, tokens)
        read_document(ctx, tokens)
        facts = ctx.facts
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, RecursionError):
        facts = []  # a defect on odd text must not stop the night's run
    return Extraction(
        doc=doc,
        text=ctx.text,
        region=ctx.document_region,
        report_date=report_date(ctx, facts),
        facts=facts,
    )


def document_context(
    doc: str, raw_text: str, catalog: Catalog
) -> tuple[DocumentContext, tuple[int, int] | None]:
    normalised = normalise_text(raw_text, catalog)
    text = normalised.text
    regions = region_index(catalog)
    lex = lexicon(catalog)
    rules = patterns_for(catalog)
    found = [
        m
        for m in find_region_mentions(text, regions, in_other_names=True)
        if not is_cue_word(lex, text, m)
    ]
    head = head_end(text)
    prefixes = frozenset(address_prefixes(found, regions))
    region, certain = resolve_document_region(
        text, regions, found, mention_weight(text, lex, head, prefixes), head
    )
    if region is not None:
        region = parent_of_siblings(region, found, regions, head) or region
    if region is None:
        region = functional_zone(text, head, rules)
    subcounty = opening_subcounty(text, rules, found)
    if subcounty is not None:
        region, certain = subcounty, False
    mentions = [m for m in found if not m.in_other_name]
    dateline = find_publication(text)
    publication = dateline[:2] if dateline else None
    year = publication[0] if publication else infer_document_year(text)
    context_codes = {m.candidates[0].code for m in found if len(m.candidates) == 1}
    if region is not None:
        context_codes |= {region.code} | regions.ancestor_codes(region)
    ctx = DocumentContext(
        doc=doc,
        text=text,
        normalised=normalised,
        catalog=catalog,
        lex=lex,
        patterns=rules,
        regions=regions,
        document_region=region.name if region else None,
        document_year=year,
        publication=publication,
        region_mentions=mentions,
        document_area=region,
        document_certain=certain,
        dateline=(dateline[2], dateline[3]) if dateline else None,
        context_codes=context_codes,
    )
    if region is not None:
        note_region_code(ctx, region, certain)
    if year is not None:
        ctx.period = ctx.frame = Period(year, 1, 12)
        ctx.year = ctx.frame_year = year
    return ctx, (dateline[2], dateline[3]) if dateline else None


def read_document(ctx: DocumentContext, tokens: list[Token]) -> None:
    """Prose sentence by sentence; each table where it stands (its period and area are the
    ones in force there), its facts after the prose's (a table restates the prose: the
    prose's wording is the better evidence for the same fact)."""
    tables = list(find_tables(ctx.text, ctx.lex.table_headers))
    framed: list[tuple[Table, str | None, Period | None]] = []
    carried: str | None = ctx.document_region
    for start, end, sentence_tokens in split_sentences(ctx.text, tokens):
        while len(framed) < len(tables) and tables[len(framed)].start <= start:
            framed.append(frame_table(ctx, tables[len(framed)]))
        if any(table.start <= start < table.end for table in tables):
            continue
        carried = read_sentence(ctx, start, end, sentence_tokens, carried)
    for table in tables[len(framed) :]:
        framed.append(frame_table(ctx, table))
    for table, region, period in framed:
        if region is not None and period is not None:
            read_table(ctx, table, region, period)


def report_date(ctx: DocumentContext, facts: list[Fact]) -> str | None:
    """`YYYY-MM` of the document's own date: its dateline or publication line; else the
    month of a news lead (`1月20日，杭州市公布...`) in the first year it can fall in after
    the latest period reported; else the end of the year it reports on."""
    if ctx.publication:
        return f"{ctx.publication[0]}-{ctx.publication[1]:02d}"
    month = find_lead_month(ctx.text)
    reported = [f.period_end for f in facts if not f.measure.startswith("target_")]
    if month is not None and (reported or ctx.document_year):
        latest = max(reported) if reported else f"{ctx.document_year}-01"
        year = int(latest[:4])
        if f"{year}-{month:02d}" < latest:
            year += 1  # `1月20日` publishing 2022's figures is January 2023
        return f"{year}-{month:02d}"
    if ctx.document_year:
        return f"{ctx.document_year}-12"
    return None
