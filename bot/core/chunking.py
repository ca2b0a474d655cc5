"""Split sections into passages that fit a token budget, each a verbatim slice of its section."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.core.models import Passage, PolicySection
from bot.core.tokens import count_tokens

DEFAULT_MAX_TOKENS = 220
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")


def _pieces(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    start = 0
    for match in pattern.finditer(text):
        if match.start() > start:
            yield start, match.start()
        start = match.end()
    if start < len(text):
        yield start, len(text)


def _units(text: str, max_tokens: int) -> Iterator[tuple[int, int]]:
    """Paragraph spans, with over-long paragraphs split at sentence ends (then hard cuts)."""
    for start, end in _pieces(text, _PARAGRAPH_BREAK):
        if count_tokens(text[start:end]) <= max_tokens:
            yield start, end
            continue
        for sentence_start, sentence_end in _pieces(text[start:end], _SENTENCE_END):
            absolute_start, absolute_end = start + sentence_start, start + sentence_end
            while count_tokens(text[absolute_start:absolute_end]) > max_tokens:
                cut = absolute_start + max_tokens * 3  # ~3+ characters per token
                space = text.rfind(" ", absolute_start + 1, cut)
                cut = space if space > absolute_start else cut
                yield absolute_start, cut
                absolute_start = cut + 1 if text[cut : cut + 1] == " " else cut
            if absolute_start < absolute_end:
                yield absolute_start, absolute_end


def chunk_section(section: PolicySection, max_tokens: int = DEFAULT_MAX_TOKENS) -> list[Passage]:
    passages: list[Passage] = []
    text = section.text
    current: tuple[int, int] | None = None
    current_tokens = 0

    def flush() -> None:
        if current is None:
            return
        piece = text[current[0] : current[1]]
        passages.append(
            Passage(
                id=f"{section.source}#{section.section}#{len(passages) + 1}",
                source=section.source,
                section=section.section,
                title=section.title,
                text=piece,
                tokens=count_tokens(piece),
                page=section.page_at(current[0]),
            )
        )

    for start, end in _units(text, max_tokens):
        unit_tokens = count_tokens(text[start:end])
        if current is not None and current_tokens + unit_tokens <= max_tokens:
            current = (current[0], end)
            current_tokens += unit_tokens
            continue
        flush()
        current, current_tokens = (start, end), unit_tokens
    flush()
    return passages


def chunk_sections(
    sections: list[PolicySection], max_tokens: int = DEFAULT_MAX_TOKENS
) -> list[Passage]:
    return [passage for section in sections for passage in chunk_section(section, max_tokens)]
