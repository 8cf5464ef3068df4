"""Lexer shared by every DynamoDB expression kind: text -> tokens with their source positions.

Token kinds: NAME (bare `[A-Za-z][A-Za-z0-9_]*`), ATTR_NAME (`#x`), ATTR_VALUE (`:x`), INDEX
(digits), punctuation (the text itself), CHAR (any other single character, which only a syntax
error can consume) and EOF. Positions let the parser quote AWS's `near: "..."` window with the
original spacing. Neighbours: parser.py consumes these; errors.py builds the messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<NAME>[A-Za-z][A-Za-z0-9_]*)
  | (?P<ATTR_NAME>\#[A-Za-z0-9_]+)
  | (?P<ATTR_VALUE>:[A-Za-z0-9_]+)
  | (?P<INDEX>[0-9]+)
  | (?P<PUNCT><>|<=|>=|[=<>()\[\].,+\-])
  | (?P<CHAR>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # NAME ATTR_NAME ATTR_VALUE INDEX PUNCT CHAR EOF
    text: str
    start: int
    end: int

    def is_word(self, word: str) -> bool:
        """A case-insensitive keyword match (AND, SET, BETWEEN...)."""
        return self.kind == "NAME" and self.text.upper() == word

    def is_punct(self, text: str) -> bool:
        return self.kind == "PUNCT" and self.text == text


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "ws" or kind is None:
            continue
        tokens.append(Token(kind, match.group(), match.start(), match.end()))
    tokens.append(Token("EOF", "", len(text), len(text)))
    return tokens


def near(text: str, tokens: list[Token], index: int) -> tuple[str, str]:
    """AWS's (token, near) pair for a syntax error at tokens[index]: the offending token (or
    <EOF>) and the source from the previous token to the next one, spacing kept."""
    token = tokens[index]
    shown = "<EOF>" if token.kind == "EOF" else token.text
    first = tokens[index - 1] if index > 0 else token
    if token.kind == "EOF":
        return shown, text[first.start : first.end]
    last = tokens[index + 1] if tokens[index + 1].kind != "EOF" else token
    return shown, text[first.start : last.end]
