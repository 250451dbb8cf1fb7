"""Cut a document's normalised text into segments for the evidence viewer.

Evidence spans overlap and nest (a level's span lies inside its growth's, which runs on into
the next clause), so they cannot each be one HTML element. The text is cut at every span's
start and end instead: each segment knows the facts whose evidence covers it, and a fact's
highlight is the run of segments that name it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True, slots=True)
class Span:
    key: str
    """The fact's id (fact_key)."""
    start: int
    """Offset of the evidence in the normalised text (evidence_start)."""
    end: int
    quarantined: bool = False


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    keys: tuple[str, ...]
    """Facts whose evidence covers this piece of text, the most specific (shortest) first;
    empty for text that is no fact's evidence."""
    starts: tuple[str, ...] = ()
    """Facts whose evidence begins with this segment (their anchors go before it)."""
    quarantined: bool = False
    """Some fact covering it was held back by the quality gate."""
    loaded: bool = False
    """Some fact covering it is loaded."""


def locatable(span: Span, text_length: int) -> bool:
    """The span lies within the text and is not empty (stored offsets are trusted no further)."""
    return 0 <= span.start < span.end <= text_length


def segment_text(text: str, spans: Iterable[Span]) -> list[Segment]:
    """The text as consecutive segments, cut at every span boundary; spans outside the text
    are left out (see `locatable`). Joining the segments' text gives the text back."""
    valid = [s for s in spans if locatable(s, len(text))]
    cuts = sorted({0, len(text), *(s.start for s in valid), *(s.end for s in valid)})
    by_length = sorted(valid, key=lambda s: (s.end - s.start, s.start, s.key))
    segments: list[Segment] = []
    for left, right in pairwise(cuts):
        covering = [s for s in by_length if s.start <= left and right <= s.end]
        segments.append(
            Segment(
                text=text[left:right],
                keys=tuple(s.key for s in covering),
                starts=tuple(s.key for s in covering if s.start == left),
                quarantined=any(s.quarantined for s in covering),
                loaded=any(not s.quarantined for s in covering),
            )
        )
    return segments


def unlocatable(text: str, spans: Sequence[Span]) -> list[Span]:
    """Spans whose offsets do not fit the text (shown as a list, not highlighted)."""
    return [s for s in spans if not locatable(s, len(text))]
