"""Translate the common forms of Camunda's JUEL (and of DMN's simple FEEL expressions) into the
Python expression language the sandbox evaluates (engine/bpmn/sandbox.py), at deploy time.

A small real parser: a tokenizer, then precedence climbing over JUEL's operator table. What it
accepts is a closed list (docs/camunda-bpmn.md#juel): literals, variables, property access
(`a.b`, `a['b']`), comparisons, logic, `empty`, arithmetic, `?:` and
`execution.getVariable('name')`. Everything else — a method call, a bean, `T(...)`, a lambda, an
assignment, a composite text such as `Hello ${name}` — raises JuelUnsupported with the reason, so
the deployment names the element. The output never calls anything: a property becomes a
subscript (`a['b']`), so no attribute of a Python object is ever reached."""
from __future__ import annotations

import keyword
from dataclasses import dataclass

MAX_LENGTH = 4000     # characters of one expression
MAX_DEPTH = 60        # nesting of brackets and operators (a hostile `((((...` cannot exhaust the stack)
MAX_OPERATORS = 100   # operators in one expression: the sandbox evaluates the tree recursively


class JuelUnsupported(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Token:
    kind: str      # 'num', 'str', 'name', 'op', 'end'
    text: str
    value: object = None
    pos: int = 0


_OPERATORS = ("==", "!=", "<=", ">=", "&&", "||", "->", "+=", "<", ">", "!", "+", "-", "*", "/", "%",
              "?", ":", ".", "[", "]", "(", ")", ",", "=", ";", "{", "}")
_WORD_OPERATORS = {"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "gt": ">",
                   "le": "<=", "ge": ">=", "div": "/", "mod": "%"}
_RESERVED = {"instanceof", "function", "new", "class", "import"}

# binary operators: JUEL precedence, higher binds tighter
_BINARY = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4,
           "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}
_PYTHON_BINARY = {"||": "or", "&&": "and"}
_COMPARISON = (3, 4)


def _number(text: str, i: int) -> Token:
    n, j = len(text), i
    while j < n and (text[j].isdigit() or text[j] == "."):
        j += 1
    if j < n and text[j] in "eE":
        k = j + 1 + (1 if j + 1 < n and text[j + 1] in "+-" else 0)
        if k < n and text[k].isdigit():
            j = k
            while j < n and text[j].isdigit():
                j += 1
    literal = text[i:j]
    try:
        value = float(literal) if any(c in literal for c in ".eE") else int(literal)
    except ValueError:
        raise JuelUnsupported(f"malformed number {literal!r}") from None
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        raise JuelUnsupported(f"number {literal!r} is out of range")
    return Token("num", literal, value, i)


def _string(text: str, i: int) -> Token:
    quote, j, chars = text[i], i + 1, []
    while j < len(text) and text[j] != quote:
        if text[j] == "\\" and j + 1 < len(text):       # JUEL escapes: \' \" \\ only
            j += 1
        chars.append(text[j])
        j += 1
    if j >= len(text):
        raise JuelUnsupported("unterminated string literal")
    return Token("str", text[i:j + 1], "".join(chars), i)


def _name(text: str, i: int) -> Token:
    j = i
    while j < len(text) and (text[j].isalnum() or text[j] in "_$"):
        j += 1
    return Token("name", text[i:j], None, i)


def _operator(text: str, i: int) -> Token:
    for op in _OPERATORS:
        if text.startswith(op, i):
            return Token("op", op, None, i)
    raise JuelUnsupported(f"character {text[i]!r} is not part of the supported JUEL")


def tokenize(text: str) -> list[Token]:
    out, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            token = _number(text, i)
        elif ch in "'\"":
            token = _string(text, i)
        elif ch.isalpha() or ch in "_$":
            token = _name(text, i)
        else:
            token = _operator(text, i)
        out.append(token)
        i += len(token.text)
    out.append(Token("end", "", None, n))
    return out


def _word(token: Token) -> str | None:
    """The operator a word stands for (`and` → `&&`), or None for a plain name."""
    return _WORD_OPERATORS.get(token.text) if token.kind == "name" else None


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.operators = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, op: str) -> None:
        token = self.take()
        if token.kind != "op" or token.text != op:
            raise JuelUnsupported(f"expected {op!r} at position {token.pos}, found {token.text or 'the end'!r}")

    def _op_of(self, token: Token) -> str | None:
        if token.kind == "op":
            return token.text
        return _word(token)

    def _count(self) -> None:
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise JuelUnsupported(f"more than {MAX_OPERATORS} operators in one expression")

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise JuelUnsupported(f"expression nested deeper than {MAX_DEPTH} levels")

    def expression(self) -> str:
        self._enter()
        condition = self.binary(1)
        if self._op_of(self.peek()) == "?":
            self.take()
            yes = self.expression()
            self.expect(":")
            no = self.expression()
            condition = f"({yes} if {condition} else {no})"
        self.depth -= 1
        return condition

    def binary(self, min_precedence: int) -> str:
        """Precedence climbing: every JUEL binary operator is left-associative. A run of one
        precedence (a + b - c, a && b && c) stays one flat parenthesis, as Python reads it the
        same way; comparisons nest, so Python never chains them (JUEL's a < b == c is
        (a < b) == c)."""
        left = self.unary()
        chain: list[str] | None = None
        chain_precedence = 0
        nested = 0
        while True:
            op = self._op_of(self.peek())
            precedence = _BINARY.get(op or "")
            if precedence is None or precedence < min_precedence:
                return left
            self.take()
            self._count()
            self._enter()
            right = self.binary(precedence + 1)
            self.depth -= 1
            python_op = _PYTHON_BINARY.get(op, op)
            if precedence in _COMPARISON:
                nested += 1
                if self.depth + nested > MAX_DEPTH:
                    raise JuelUnsupported(f"expression nested deeper than {MAX_DEPTH} levels")
                left, chain = f"({left} {python_op} {right})", None
            elif chain is not None and chain_precedence == precedence:
                chain.append(f"{python_op} {right}")
                left = "(" + " ".join(chain) + ")"
            else:
                chain, chain_precedence = [left, f"{python_op} {right}"], precedence
                left = "(" + " ".join(chain) + ")"

    def unary(self) -> str:
        token = self.peek()
        op = self._op_of(token)
        if op in ("!", "-") or (token.kind == "name" and token.text == "empty"):
            self.take()
            self._count()
            self._enter()
            operand = self.unary()
            self.depth -= 1
            if op == "!":
                return f"(not {operand})"
            if op == "-":
                return f"(-{operand})"
            return f"({operand} in (None, '', [], {{}}))"
        return self.value()

    def value(self) -> str:
        token = self.take()
        if token.kind == "num":
            return repr(token.value)
        if token.kind == "str":
            return self.suffixes(repr(token.value), token.text)
        if token.kind == "op" and token.text == "(":
            self._enter()
            inner = self.expression()
            self.depth -= 1
            self.expect(")")
            # every compound translation is already parenthesised
            return self.suffixes(inner if inner.startswith("(") or inner.isidentifier() else f"({inner})", None)
        if token.kind == "name":
            return self.name(token)
        if token.kind == "end":
            raise JuelUnsupported("the expression ends too early")
        raise JuelUnsupported(f"unexpected {token.text!r} at position {token.pos}")

    def name(self, token: Token) -> str:
        text = token.text
        if text in ("true", "false", "null"):
            return {"true": "True", "false": "False", "null": "None"}[text]
        if text in _RESERVED or text in _WORD_OPERATORS or text == "empty":
            raise JuelUnsupported(f"{text!r} is not supported")
        if text == "execution":
            return self.execution(token)
        self._check_identifier(text)
        nxt = self.peek()
        if nxt.kind == "op" and nxt.text == "(":
            raise JuelUnsupported(f"function and bean calls are not supported ({text}(...))")
        return self.suffixes(text, text)

    def execution(self, token: Token) -> str:
        """`execution.getVariable('name')` is the variable itself; nothing else of `execution`
        (the process engine's Java object) exists here."""
        if (self.peek().text == "." and self.tokens[self.i + 1].text == "getVariable"
                and self.tokens[self.i + 2].text == "(" and self.tokens[self.i + 3].kind == "str"
                and self.tokens[self.i + 4].text == ")"):
            name = self.tokens[self.i + 3].value
            self.i += 5
            self._check_identifier(name)
            return self.suffixes(name, name)
        raise JuelUnsupported("of `execution`, only execution.getVariable('name') is supported")

    def suffixes(self, base: str, label: str | None) -> str:
        """Property access: `a.b` and `a['b']` both become a subscript; a call is refused."""
        while True:
            token = self.peek()
            if token.kind != "op" or token.text not in (".", "[", "("):
                return base
            self.take()
            if token.text == "(":
                raise JuelUnsupported(f"method calls are not supported ({label or 'value'}(...))")
            if token.text == ".":
                prop = self.take()
                if prop.kind != "name":
                    raise JuelUnsupported(f"expected a property name after '.' at position {prop.pos}")
                if self.peek().kind == "op" and self.peek().text == "(":
                    raise JuelUnsupported(f"method calls are not supported (.{prop.text}(...))")
                self._check_property(prop.text)
                base = f"{base}[{prop.text!r}]"
                label = f"{label}.{prop.text}" if label else prop.text
            else:
                self._enter()
                index = self.expression()
                self.depth -= 1
                self.expect("]")
                if index.startswith(("'", '"')):
                    self._check_property(eval_string_literal(index))
                base = f"{base}[{index}]"

    @staticmethod
    def _check_identifier(name: str) -> None:
        if name.startswith("_") or "$" in name:
            raise JuelUnsupported(f"variable name {name!r} is not allowed (no leading '_', no '$')")
        if keyword.iskeyword(name) or name in ("True", "False", "None"):
            raise JuelUnsupported(f"variable name {name!r} is reserved")

    @staticmethod
    def _check_property(name: str) -> None:
        if name.startswith("_"):
            raise JuelUnsupported(f"property {name!r} is not allowed (names starting with '_' are reserved)")


def eval_string_literal(python_literal: str) -> str:
    """The value of a string literal this module wrote with repr()."""
    quote = python_literal[0]
    body = python_literal[1:-1]
    return body.replace("\\" + quote, quote).replace("\\\\", "\\")


def is_juel(text: str) -> bool:
    stripped = text.strip()
    return stripped.startswith("${") or stripped.startswith("#{")


def unwrap(text: str) -> str:
    """The inside of one `${...}` / `#{...}`; a composite (text around or several) is refused."""
    stripped = text.strip()
    if not is_juel(stripped):
        if "${" in stripped or "#{" in stripped:
            raise JuelUnsupported("text around ${...} (a composite expression) is not supported")
        raise JuelUnsupported("not a JUEL expression (expected ${...})")
    if not stripped.endswith("}"):
        raise JuelUnsupported("text after the closing '}' (composite expressions are not supported)")
    inner = stripped[2:-1]
    # a second ${ inside, or a '}' closing early, is a composite such as ${a} and ${b}
    depth, quote = 0, None
    for ch in inner:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                raise JuelUnsupported("composite expressions (several ${...}) are not supported")
    return inner


def translate_body(body: str) -> str:
    """A bare expression (the inside of ${...}, or a DMN input expression) as Python."""
    if len(body) > MAX_LENGTH:
        raise JuelUnsupported(f"expression longer than {MAX_LENGTH} characters")
    if not body.strip():
        raise JuelUnsupported("empty expression")
    parser = _Parser(tokenize(body))
    out = parser.expression()
    rest = parser.peek()
    if rest.kind != "end":
        if rest.kind == "op" and rest.text in ("->", "=", "+=", ";"):
            raise JuelUnsupported(f"{rest.text!r} (lambdas, assignments, several statements) is not supported")
        raise JuelUnsupported(f"unexpected {rest.text!r} at position {rest.pos}")
    return out


def translate(text: str) -> str:
    """`${...}` or `#{...}` as a Python expression for the sandbox; JuelUnsupported otherwise."""
    if len(text) > MAX_LENGTH:
        raise JuelUnsupported(f"expression longer than {MAX_LENGTH} characters")
    return translate_body(unwrap(text))
