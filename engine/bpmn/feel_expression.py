"""Camunda 8 (Zeebe) FEEL expressions — the text after `=` in a condition, a timer or a due date —
translated at deploy time into the Python expression language the sandbox evaluates
(engine/bpmn/sandbox.py), as engine/bpmn/juel.py does for JUEL. docs/camunda-bpmn.md#feel.

A small real parser (a tokenizer, then one function per level of FEEL's precedence). What it
accepts is a closed list: literals (numbers, "text", true, false, null), variables, paths (`a.b`
becomes a subscript, so no attribute of a Python object is reached), a literal list index
(FEEL counts from 1), comparisons (`=` is equality), `and`/`or`/`not(...)`, arithmetic, `between`,
`in` (a list, a range such as `[1..10]` or `(1..10]`, or tests in brackets), `some`/`every ... in
... satisfies ...`, `if ... then ... else ...`, and the functions `list contains(xs, v)`,
`count(xs)`, `sum`, `min`, `max`, `string length`. Everything else — other
functions, `for`, contexts `{...}`, filters, function definitions, `instance of`, temporal
literals — raises FeelUnsupported with the reason, so the deployment names the element.

The translation uses one helper the runtime provides, `feel_list(x)`: a list as it is and any
other value as a list of one, which is how FEEL iterates (`some x in 5 satisfies ...`) and how it
reads `x in y` when y is a single value (x = y)."""
from __future__ import annotations

import keyword
import re

from engine.bpmn.juel import Token      # one token shape for both translators

MAX_LENGTH = 4000
MAX_DEPTH = 30
MAX_OPERATORS = 100
_KEYWORDS = {"and", "or", "not", "in", "some", "every", "satisfies", "if", "then", "else", "between",
             "instance", "of", "for", "return", "function", "true", "false", "null"}
_OPERATORS = ("**", "..", "!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",",
              ".", "{", "}", ":", "@")
_COMPARISON = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# FEEL function name (words) -> (arity, Python template)
_FUNCTIONS = {
    ("list", "contains"): (2, "({1} in feel_list({0}))"),
    ("count",): (1, "len(feel_list({0}))"),
    ("sum",): (1, "sum(feel_list({0}))"),
    ("min",): (1, "min(feel_list({0}))"),
    ("max",): (1, "max(feel_list({0}))"),
    ("string", "length"): (1, "len(str({0}))"),
    ("not",): (1, "(not {0})"),
}
HELPER = "feel_list"


class FeelUnsupported(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _string(text: str, i: int) -> Token:
    j, chars = i + 1, []
    escapes = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "'": "'"}
    while j < len(text) and text[j] != '"':
        if text[j] == "\\":
            if j + 1 >= len(text) or text[j + 1] not in escapes:
                raise FeelUnsupported(f"escape sequence at position {j} is not supported")
            chars.append(escapes[text[j + 1]])
            j += 2
            continue
        chars.append(text[j])
        j += 1
    if j >= len(text):
        raise FeelUnsupported("unterminated string literal")
    return Token("str", text[i:j + 1], "".join(chars), i)


def tokenize(text: str) -> list[Token]:
    out, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        number = _NUMBER.match(text, i) if (ch.isdigit() or ch == ".") else None
        if number and not text.startswith("..", i):
            literal = number.group()
            token = Token("num", literal, float(literal) if "." in literal else int(literal), i)
        elif ch == '"':
            token = _string(text, i)
        elif _NAME.match(text, i):
            token = Token("name", _NAME.match(text, i).group(), None, i)
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
            if op is None:
                raise FeelUnsupported(f"character {ch!r} at position {i} is not part of the supported FEEL")
            token = Token("op", op, None, i)
        out.append(token)
        i += len(token.text)
    out.append(Token("end", "", None, n))
    return out


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens, self.i, self.depth, self.operators = tokens, 0, 0, 0
        self.in_bound = False      # reading an interval's bound: its closing `[` is no index

    # --- tokens --------------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.i += 1
        return token

    def at(self, text: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind in ("op", "name") and token.text == text

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text or token.kind not in ("op", "name"):
            raise FeelUnsupported(f"expected {text!r} at position {token.pos}, found {token.text or 'the end'!r}")

    def count(self) -> None:
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise FeelUnsupported(f"more than {MAX_OPERATORS} operators in one expression")

    # --- levels, lowest precedence first ----------------------------------------------------------
    def expression(self) -> str:
        """Brackets, lists, calls, `if` and quantifiers nest: each is one level of MAX_DEPTH (a
        hostile `((((...` stops long before Python's or the sandbox's recursion limit)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FeelUnsupported(f"expression nested deeper than {MAX_DEPTH} levels")
        try:
            return self._expression()
        finally:
            self.depth -= 1

    def _expression(self) -> str:
        if self.at("if"):
            self.take()
            self.count()
            condition = self.expression()
            self.expect("then")
            yes = self.expression()
            self.expect("else")
            no = self.expression()
            return f"({yes} if {condition} else {no})"
        if self.at("some") or self.at("every"):
            return self.quantified()
        if self.at("for") or self.at("function"):
            raise FeelUnsupported(f"'{self.peek().text}' expressions are not supported")
        return self.disjunction()

    def quantified(self) -> str:
        """`some x in xs satisfies c` → any([c for x in feel_list(xs)]) (also `every` → all)."""
        word = self.take().text
        self.count()
        name = self.take()
        if name.kind != "name":
            raise FeelUnsupported(f"expected a variable name after '{word}' at position {name.pos}")
        self.check_name(name.text)
        self.expect("in")
        source = self.disjunction()
        if self.at(","):
            raise FeelUnsupported(f"'{word}' over several lists is not supported")
        self.expect("satisfies")
        condition = self.expression()
        function = "any" if word == "some" else "all"
        return f"{function}([{condition} for {name.text} in {HELPER}({source})])"

    def disjunction(self) -> str:
        return self._chain("or", self.conjunction)

    def conjunction(self) -> str:
        return self._chain("and", self.comparison)

    def _chain(self, word: str, operand) -> str:
        parts = [operand()]
        while self.at(word):
            self.take()
            self.count()
            parts.append(operand())
        return parts[0] if len(parts) == 1 else "(" + f" {word} ".join(parts) + ")"

    def comparison(self) -> str:
        left = self.additive()
        token = self.peek()
        if token.kind == "op" and token.text in _COMPARISON:
            self.take()
            self.count()
            right = self.additive()
            left = f"({left} {_COMPARISON[token.text]} {right})"
        elif self.at("between"):
            self.take()
            self.count()
            low = self.additive()
            self.expect("and")
            high = self.additive()
            left = f"({low} <= {left} <= {high})"
        elif self.at("in"):
            self.take()
            self.count()
            left = self.membership(left)
        elif self.at("instance"):
            raise FeelUnsupported("'instance of' is not supported")
        token = self.peek()
        if (token.kind == "op" and token.text in _COMPARISON) or self.at("between") or self.at("in"):
            raise FeelUnsupported(f"chained comparison at position {token.pos}: use parentheses and 'and'")
        return left

    def membership(self, left: str) -> str:
        """`x in [1..10]`, `x in (1..10]`, `x in ]1..10[`, `x in [1, 2]`, `x in ("a", < 5)`, `x in xs`."""
        start = self.peek()
        if start.kind == "op" and start.text in ("[", "(", "]"):
            interval = self.try_interval(left)
            if interval is not None:
                return interval
        if self.at("("):
            self.take()
            tests = [self.unary_test(left)]
            while self.at(","):
                self.take()
                tests.append(self.unary_test(left))
            self.expect(")")
            return tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")"
        if self.at("["):
            return f"({left} in {self.list_literal()})"
        return f"({left} in {HELPER}({self.additive()}))"

    def unary_test(self, left: str) -> str:
        """One test inside `in (...)`: `< 5`, `[1..3]`, or a value (equality)."""
        token = self.peek()
        if token.kind == "op" and token.text in ("<", "<=", ">", ">="):
            self.take()
            return f"({left} {token.text} {self.additive()})"
        if token.kind == "op" and token.text in ("[", "(", "]"):
            interval = self.try_interval(left)
            if interval is not None:
                return interval
        return f"({left} == {self.additive()})"

    def try_interval(self, left: str) -> str | None:
        """An interval at the cursor (`[a..b]`, `(a..b)`, `]a..b[` and mixes), else None (cursor kept)."""
        saved = self.i
        opening = self.take().text
        try:
            low = self.additive()
        except FeelUnsupported:
            self.i = saved
            return None
        if not self.at(".."):
            self.i = saved
            return None
        self.take()
        self.in_bound = True
        try:
            high = self.additive()
        finally:
            self.in_bound = False
        closing = self.take()
        if closing.kind != "op" or closing.text not in ("]", ")", "["):
            raise FeelUnsupported(f"expected the end of an interval at position {closing.pos}")
        low_op = "<=" if opening == "[" else "<"
        high_op = "<=" if closing.text == "]" else "<"
        self.count()
        return f"({low} {low_op} {left} {high_op} {high})"

    def additive(self) -> str:
        return self._binary(("+", "-"), self.multiplicative)

    def multiplicative(self) -> str:
        return self._binary(("*", "/"), self.power)

    def _binary(self, ops: tuple, operand) -> str:
        left = operand()
        while self.peek().kind == "op" and self.peek().text in ops:
            op = self.take().text
            self.count()
            left = f"({left} {op} {operand()})"
        return left

    def power(self) -> str:
        base = self.unary()
        if self.at("**"):
            self.take()
            self.count()
            return f"({base} ** {self.unary()})"
        return base

    def unary(self) -> str:
        if self.at("-"):
            self.take()
            self.count()
            return f"(-{self.unary()})"
        return self.postfix(self.primary())

    # --- values --------------------------------------------------------------------------------
    def primary(self) -> str:
        token = self.peek()
        if token.kind == "num":
            self.take()
            return repr(token.value)
        if token.kind == "str":
            self.take()
            return repr(token.value)
        if token.kind == "op" and token.text == "(":
            self.take()
            inner = self.expression()
            self.expect(")")
            return inner if inner.startswith("(") else f"({inner})"
        if token.kind == "op" and token.text == "[":
            return self.list_literal()
        if token.kind == "op" and token.text == "{":
            raise FeelUnsupported("contexts ({...}) are not supported")
        if token.kind == "op" and token.text == "@":
            raise FeelUnsupported("temporal literals (@\"...\") are not supported")
        if token.kind == "name":
            return self.name()
        if token.kind == "end":
            raise FeelUnsupported("the expression ends too early")
        raise FeelUnsupported(f"unexpected {token.text!r} at position {token.pos}")

    def list_literal(self) -> str:
        self.expect("[")
        items = []
        if not self.at("]"):
            items.append(self.expression())
            while self.at(","):
                self.take()
                items.append(self.expression())
        self.expect("]")
        self.count()
        return "[" + ", ".join(items) + "]"

    def name(self) -> str:
        token = self.take()
        text = token.text
        if text in ("true", "false", "null"):
            return {"true": "True", "false": "False", "null": "None"}[text]
        words = [text]
        while self.peek().kind == "name" and self.peek().text not in _KEYWORDS:
            words.append(self.take().text)          # a function name of several words
        if self.at("("):
            return self.call(tuple(words), token)
        if len(words) > 1:
            raise FeelUnsupported(f"names with spaces ({' '.join(words)!r}) are not supported")
        if text in _KEYWORDS:
            raise FeelUnsupported(f"{text!r} at position {token.pos} is not supported here")
        self.check_name(text)
        return text

    def call(self, words: tuple, token: Token) -> str:
        spec = _FUNCTIONS.get(words)
        if spec is None:
            raise FeelUnsupported(f"function {' '.join(words)}() is not supported")
        self.take()                                  # (
        args = []
        if not self.at(")"):
            args.append(self.expression())
            while self.at(","):
                self.take()
                args.append(self.expression())
        self.expect(")")
        self.count()
        arity, template = spec
        if len(args) != arity:
            raise FeelUnsupported(f"{' '.join(words)}() takes {arity} argument(s), not {len(args)}")
        return template.format(*args)

    def postfix(self, base: str) -> str:
        """Paths (`a.b` → a['b']) and a literal list index (FEEL `xs[1]` is the first item)."""
        while True:
            if self.at("."):
                self.take()
                prop = self.take()
                if prop.kind != "name":
                    raise FeelUnsupported(f"expected a property name after '.' at position {prop.pos}")
                if prop.text.startswith("_"):
                    raise FeelUnsupported(f"property {prop.text!r} is not allowed (names starting with '_')")
                if self.at("("):
                    raise FeelUnsupported(f"method calls are not supported (.{prop.text}(...))")
                base = f"{base}[{prop.text!r}]"
                self.count()
            elif self.at("[") and not self.in_bound:
                self.take()
                negative = self.at("-")
                if negative:
                    self.take()
                index = self.take()
                if index.kind != "num" or not isinstance(index.value, int) or index.value == 0:
                    raise FeelUnsupported("a filter or computed index is not supported; only a literal "
                                          "position such as xs[1] or xs[-1]")
                self.expect("]")
                base = f"{base}[{-index.value if negative else index.value - 1}]"
                self.count()
            else:
                return base

    @staticmethod
    def check_name(name: str) -> None:
        if name.startswith("_"):
            raise FeelUnsupported(f"variable name {name!r} is not allowed (no leading '_')")
        if keyword.iskeyword(name) or name in ("True", "False", "None", HELPER):
            raise FeelUnsupported(f"variable name {name!r} is reserved")


def is_feel(text: str) -> bool:
    return text.strip().startswith("=")


def translate(text: str) -> str:
    """`= <FEEL>` as a Python expression for the sandbox; FeelUnsupported otherwise."""
    if len(text) > MAX_LENGTH:
        raise FeelUnsupported(f"expression longer than {MAX_LENGTH} characters")
    body = text.strip()
    if not body.startswith("="):
        raise FeelUnsupported("not a FEEL expression (expected =...)")
    body = body[1:]
    if not body.strip():
        raise FeelUnsupported("empty expression")
    parser = _Parser(tokenize(body))
    out = parser.expression()
    rest = parser.peek()
    if rest.kind != "end":
        raise FeelUnsupported(f"unexpected {rest.text!r} at position {rest.pos}")
    return out


def feel_list(value) -> list:
    """FEEL's view of a value as a list: a list as it is, anything else as a list of one."""
    return value if isinstance(value, list) else [value]


FUNCTIONS = {HELPER: feel_list}
