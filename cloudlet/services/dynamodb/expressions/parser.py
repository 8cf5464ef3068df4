"""Recursive-descent parsers: tokens -> syntax trees for condition/filter/key-condition,
projection and update expressions. Only syntax is checked here; everything else (names, values,
types, paths) is validate.py's job, so one bad expression yields exactly AWS's first error.

Alternatives are tried in order with backtracking; on failure the error names the furthest token
any alternative reached, as AWS's parser does (`Syntax error; token: "x", near: "a x b"`). Parsed
trees are cached by text (they are immutable), so a hot request shape is tokenized once.
"""

from __future__ import annotations

from functools import lru_cache

from cloudlet.services.dynamodb.expressions import ast
from cloudlet.services.dynamodb.expressions.errors import invalid
from cloudlet.services.dynamodb.expressions.tokens import Token, near, tokenize

_COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
_CONDITION_KEYWORDS = frozenset(("AND", "OR", "NOT", "BETWEEN", "IN"))
_UPDATE_KEYWORDS = frozenset(("SET", "REMOVE", "ADD", "DELETE"))


class _Fail(Exception):
    pass


class _Parser:
    def __init__(self, text: str, kind: str, keywords: frozenset[str]) -> None:
        self.text = text
        self.kind = kind
        self.keywords = keywords
        self.tokens = tokenize(text)
        self.pos = 0
        self.furthest = 0

    # -- primitives -------------------------------------------------------------------------
    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def miss(self) -> _Fail:
        self.furthest = max(self.furthest, self.pos)
        return _Fail()

    def punct(self, text: str) -> bool:
        if self.peek().is_punct(text):
            self.pos += 1
            return True
        self.furthest = max(self.furthest, self.pos)
        return False

    def expect(self, text: str) -> None:
        if not self.punct(text):
            raise self.miss()

    def word(self, word: str) -> bool:
        if self.peek().is_word(word):
            self.pos += 1
            return True
        self.furthest = max(self.furthest, self.pos)
        return False

    def syntax_error(self) -> Exception:
        token, window = near(self.text, self.tokens, self.furthest)
        return invalid(self.kind, f'Syntax error; token: "{token}", near: "{window}"')

    def finish(self) -> None:
        if self.peek().kind != "EOF":
            raise self.miss()

    # -- operands ---------------------------------------------------------------------------
    def name_element(self) -> str:
        token = self.peek()
        if token.kind == "ATTR_NAME" or (token.kind == "NAME" and token.text.upper() not in self.keywords):
            self.pos += 1
            return token.text
        raise self.miss()

    def path(self) -> ast.Path:
        elements: list[str | int] = [self.name_element()]
        while True:
            if self.punct("."):
                elements.append(self.name_element())
            elif self.punct("["):
                token = self.peek()
                if token.kind != "INDEX":
                    raise self.miss()
                self.pos += 1
                self.expect("]")
                elements.append(int(token.text))
            else:
                return ast.Path(tuple(elements))

    def call(self) -> ast.Call:
        name = self.peek().text
        self.pos += 2  # NAME "("
        args = [self.operand()]
        while self.punct(","):
            args.append(self.operand())
        self.expect(")")
        return ast.Call(name, args)

    def operand(self) -> ast.Operand:
        token = self.peek()
        if token.is_punct("("):
            self.pos += 1
            inner = self.operand()
            self.expect(")")
            inner.parens += 1
            return inner
        if token.kind == "NAME" and self.peek(1).is_punct("(") and token.text.upper() not in self.keywords:
            return self.call()
        if token.kind == "ATTR_VALUE":
            self.pos += 1
            return ast.ValueRef(token.text)
        return self.path()

    def attempt(self, *alternatives):  # type: ignore[no-untyped-def]
        start = self.pos
        for alternative in alternatives:
            try:
                return alternative()
            except _Fail:
                self.pos = start
        raise _Fail()

    # -- conditions -------------------------------------------------------------------------
    def condition(self) -> ast.Cond:
        left = self.conjunction()
        while self.word("OR"):
            left = ast.Or(left, self.conjunction())
        return left

    def conjunction(self) -> ast.Cond:
        left = self.negation()
        while self.word("AND"):
            left = ast.And(left, self.negation())
        return left

    def negation(self) -> ast.Cond:
        if self.word("NOT"):
            return ast.Not(self.negation())
        result: ast.Cond = self.attempt(self.comparison, self.parenthesized)
        return result

    def parenthesized(self) -> ast.Cond:
        self.expect("(")
        inner = self.condition()
        self.expect(")")
        inner.parens += 1
        return inner

    def comparison(self) -> ast.Cond:
        subject = self.operand()
        token = self.peek()
        if token.kind == "PUNCT" and token.text in _COMPARATORS:
            self.pos += 1
            return ast.Compare(token.text, subject, self.operand())
        if self.word("BETWEEN"):
            low = self.operand()
            if not self.word("AND"):
                raise self.miss()
            return ast.Between(subject, low, self.operand())
        if self.word("IN"):
            self.expect("(")
            options = [self.operand()]
            while self.punct(","):
                options.append(self.operand())
            self.expect(")")
            return ast.In(subject, options)
        if isinstance(subject, ast.Call):
            # parentheses read around the call belong to the condition it is: ((f(a))) is as
            # redundant as ((a = :v))
            parens, subject.parens = subject.parens, 0
            return ast.FunctionCondition(subject, parens)
        raise self.miss()

    # -- updates ----------------------------------------------------------------------------
    def update(self) -> ast.UpdateTree:
        tree = ast.UpdateTree([])
        while True:
            token = self.peek()
            section = token.text.upper() if token.kind == "NAME" else ""
            if section not in _UPDATE_KEYWORDS:
                if tree.sections and token.kind == "EOF":
                    return tree
                raise self.miss()
            self.pos += 1
            tree.sections.append(section)
            tree.actions.append(self.update_action(section))
            while self.punct(","):
                tree.actions.append(self.update_action(section))

    def update_action(self, section: str) -> ast.UpdateAction:
        path = self.path()
        if section == "SET":
            self.expect("=")
            value: ast.Operand = self.attempt(self.set_value, self.parenthesized_set_value)
            return ast.UpdateAction(section, path, value)
        if section == "REMOVE":
            return ast.UpdateAction(section, path)
        token = self.peek()
        if token.kind != "ATTR_VALUE":
            raise self.miss()
        self.pos += 1
        return ast.UpdateAction(section, path, ast.ValueRef(token.text))

    def set_value(self) -> ast.Operand:
        left = self.operand()
        token = self.peek()
        if token.is_punct("+") or token.is_punct("-"):
            self.pos += 1
            return ast.Arith(token.text, left, self.operand())
        self.furthest = max(self.furthest, self.pos)
        return left

    def parenthesized_set_value(self) -> ast.Operand:
        self.expect("(")
        inner = self.set_value()
        self.expect(")")
        inner.parens += 1
        return inner


def _run(text: str, kind: str, keywords: frozenset[str], rule: str):  # type: ignore[no-untyped-def]
    parser = _Parser(text, kind, keywords)
    try:
        result = getattr(parser, rule)()
        parser.finish()
    except _Fail:
        raise parser.syntax_error() from None
    except RecursionError:
        raise invalid(kind, "The expression has too many nested levels") from None  # [?] no AWS text known
    return result


@lru_cache(maxsize=1024)
def parse_condition_tree(text: str, kind: str = "ConditionExpression") -> ast.Cond:
    result: ast.Cond = _run(text, kind, _CONDITION_KEYWORDS, "condition")
    return result


@lru_cache(maxsize=1024)
def parse_update_tree(text: str) -> ast.UpdateTree:
    result: ast.UpdateTree = _run(text, "UpdateExpression", _UPDATE_KEYWORDS, "update")
    return result


@lru_cache(maxsize=1024)
def parse_projection_tree(text: str) -> tuple[ast.Path, ...]:
    def paths(parser: _Parser) -> tuple[ast.Path, ...]:
        found = [parser.path()]
        while parser.punct(","):
            found.append(parser.path())
        return tuple(found)

    parser = _Parser(text, "ProjectionExpression", frozenset())
    try:
        result = paths(parser)
        parser.finish()
    except _Fail:
        raise parser.syntax_error() from None
    return result
