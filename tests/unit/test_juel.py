"""The JUEL translator (engine/bpmn/juel.py) and the DMN cell translator (engine/bpmn/feel.py):
what each supported form becomes, that the result evaluates in the sandbox as JUEL would, and
that everything outside the supported list — hostile or merely unsupported — is refused."""
import pytest

from engine.bpmn import feel
from engine.bpmn.juel import JuelUnsupported, is_juel, tokenize, translate, translate_body
from engine.bpmn.sandbox import SandboxEnvironment

ENV = SandboxEnvironment()


@pytest.mark.parametrize("juel, python", [
    ("${x}", "x"),
    ("#{x}", "x"),
    ("${ amount > 1000 }", "(amount > 1000)"),
    ("${a == b}", "(a == b)"), ("${a eq b}", "(a == b)"),
    ("${a != b}", "(a != b)"), ("${a ne b}", "(a != b)"),
    ("${a < b}", "(a < b)"), ("${a lt b}", "(a < b)"),
    ("${a > b}", "(a > b)"), ("${a gt b}", "(a > b)"),
    ("${a <= b}", "(a <= b)"), ("${a le b}", "(a <= b)"),
    ("${a >= b}", "(a >= b)"), ("${a ge b}", "(a >= b)"),
    ("${a && b}", "(a and b)"), ("${a and b}", "(a and b)"),
    ("${a || b}", "(a or b)"), ("${a or b}", "(a or b)"),
    ("${!a}", "(not a)"), ("${not a}", "(not a)"),
    ("${empty a}", "(a in (None, '', [], {}))"),
    ("${not empty a}", "(not (a in (None, '', [], {})))"),
    ("${'it''s'}", None),     # JUEL has no doubled quotes: two adjacent strings are refused below
    ("${\"双引号\"}", "'双引号'"), ("${'单引号'}", "'单引号'"),
    ("${'a\\'b'}", '"a\'b"'),
    ("${42}", "42"), ("${4.5}", "4.5"), ("${1e3}", "1000.0"), ("${.5}", "0.5"),
    ("${true}", "True"), ("${false}", "False"), ("${null}", "None"),
    ("${applicant.age > 18}", "(applicant['age'] > 18)"),
    ("${order['x']}", "order['x']"),
    ("${order[\"x\"].y}", "order['x']['y']"),
    ("${items[0]}", "items[0]"),
    ("${a + b * c}", "(a + (b * c))"),
    ("${(a + b) * c}", "((a + b) * c)"),
    ("${a - b - c}", "(a - b - c)"),
    ("${a / b div c}", "(a / b / c)"),
    ("${a % b mod c}", "(a % b % c)"),
    ("${-a + 1}", "((-a) + 1)"),
    ("${a < b == c}", "((a < b) == c)"),
    ("${a * b + c - d}", "((a * b) + c - d)"),
    ("${a || b && c}", "(a or (b and c))"),
    ("${!a && b}", "((not a) and b)"),
    ("${x ? 'y' : 'n'}", "('y' if x else 'n')"),
    ("${execution.getVariable('amount') > 5}", "(amount > 5)"),
])
def test_translations(juel, python):
    if python is None:
        with pytest.raises(JuelUnsupported):
            translate(juel)
    else:
        assert translate(juel) == python


@pytest.mark.parametrize("juel, data, value", [
    ("${amount > 1000}", {"amount": 1500}, True),
    ("${applicant.age ge 18 and applicant.name ne ''}", {"applicant": {"age": 18, "name": "李"}}, True),
    ("${empty list}", {"list": []}, True),
    ("${empty m}", {"m": {}}, True),
    ("${empty s}", {"s": None}, True),
    ("${empty z}", {"z": 0}, False),
    ("${not empty s}", {"s": "x"}, True),
    ("${a < b == c}", {"a": 1, "b": 2, "c": True}, True),     # Python alone would chain: 1 < 2 and 2 == True
    ("${7 % 4 + 10 / 4}", {}, 5.5),
    ("${order['x'] * 2}", {"order": {"x": 21}}, 42),
    ("${ok ? 'y' : 'n'}", {"ok": False}, "n"),
])
def test_translation_evaluates_in_the_sandbox(juel, data, value):
    assert ENV.evaluate(translate(juel), data) == value


@pytest.mark.parametrize("juel, reason", [
    ("${''.getClass()}", "method calls"),
    ("${''.getClass().forName('java.lang.Runtime').getRuntime().exec('rm -rf /')}", "method calls"),
    ("${T(java.lang.Runtime).getRuntime().exec('id')}", "bean calls"),
    ("${bean.method()}", "method calls"),
    ("${myBean}x", "composite"),
    ("${calculator.add(1, 2)}", "method calls"),
    ("${fn:upper(x)}", "unexpected ':'"),
    ("${x -> x + 1}", "lambdas"),
    ("${a = 1}", "assignments"),
    ("${a += 1}", "assignments"),
    ("${a; b}", "several statements"),
    ("${[1, 2]}", "unexpected '['"),
    ("${{1, 2}}", "unexpected '{'"),
    ("${x instanceof y}", "unexpected"),
    ("${__import__('os')}", "not allowed"),
    ("${x.__class__}", "'__class__'"),
    ("${x['__globals__']}", "'__globals__'"),
    ("${execution.processBusinessKey}", "execution"),
    ("${execution.setVariable('a', 1)}", "execution"),
    ("${execution}", "execution"),
    ("${class}", "not supported"),
    ("${lambda}", "reserved"),
    ("${None}", "reserved"),
    ("${a b}", "unexpected 'b'"),
    ("${a ==}", "ends too early"),
    ("${'open}", "unterminated"),
    ("${}", "empty"),
    ("${a}${b}", "composite"),
    ("Hello ${name}", "composite"),
    ("amount > 5", "expected ${...}"),
    ("${a @ b}", "character '@'"),
    ("${1e999}", "out of range"),
    ("${" + "(" * 200 + "1" + ")" * 200 + "}", "nested deeper"),
    ("${" + "!" * 200 + "a}", "nested deeper"),
    ("${" + "a+" * 3000 + "a}", "longer than"),
    ("${" + "a == " * 100 + "a}", "nested deeper"),
])
def test_refusals(juel, reason):
    with pytest.raises(JuelUnsupported) as err:
        translate(juel)
    assert reason in err.value.reason


def test_long_but_flat_expressions_are_fine():
    assert ENV.evaluate(translate("${" + " + ".join(["1"] * 100) + "}"), {}) == 100
    with pytest.raises(JuelUnsupported, match="more than 100 operators"):
        translate("${" + " + ".join(["1"] * 102) + "}")


def test_tokens_and_detection():
    assert [t.kind for t in tokenize("a.b >= 'x' && 1.5")] == ["name", "op", "name", "op", "str", "op", "num", "end"]
    assert is_juel(" ${a}") and is_juel("#{a}") and not is_juel("a > 1") and not is_juel("=a")
    assert translate_body("amount * 2") == "(amount * 2)"


@pytest.mark.parametrize("entry, value, expected", [
    ('"Fall"', "Fall", True), ('"Fall"', "Winter", False),
    ("< 10", 5, True), ("< 10", 10, False), (">= 10", 10, True),
    ("[1..10]", 1, True), ("[1..10]", 10, True), ("]1..10[", 1, False), ("]1..10[", 5, True),
    ("(1..10]", 10, True), ("[1..10)", 10, False),
    ('"a","b"', "b", True), ('"a","b"', "c", False),
    ('not("a","b")', "c", True), ('not("a")', "a", False),
    ("null", None, True), ("true", True, True), ("5", 5, True),
    ("< limit", 3, True),
])
def test_dmn_unary_tests(entry, value, expected):
    python = feel.input_entry(entry).replace("?", "dmninputexpr")
    assert ENV.evaluate(python, {"limit": 4}, {"dmninputexpr": value}) is expected


def test_dmn_any_stays_any():
    assert feel.input_entry("-") == "-" and feel.input_entry(None) is None and feel.input_entry(" ") == " "


@pytest.mark.parametrize("entry", ['date("2020-01-01")', "x.getClass()", "[1..]", '"a",', "matches(x, \"y\")"])
def test_dmn_refusals(entry):
    with pytest.raises(JuelUnsupported):
        feel.input_entry(entry)
