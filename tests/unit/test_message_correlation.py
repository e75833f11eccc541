"""Correlation by variables, the pure part (engine/domain/messages.py): what a waiting message
subscription keeps of its case's data, and the canonical text both sides are compared by."""
import pytest

from engine.domain import messages as rules


@pytest.mark.parametrize("value, text", [
    ("A-1", '"A-1"'), ("办件", '"办件"'), (120, "120"), (120.0, "120"), (0.5, "0.5"), (True, "true"),
    (False, "false"), ("120", '"120"'), ("true", '"true"'),
])
def test_the_canonical_text_tells_numbers_strings_and_booleans_apart(value, text):
    assert rules.encode_value(value) == text


@pytest.mark.parametrize("value", [float("nan"), float("inf"), [1], {"a": 1}, "x" * 300, object()])
def test_what_is_not_a_keepable_scalar_has_no_text(value):
    assert rules.encode_value(value) is None


def test_a_subscription_keeps_top_level_and_one_level_down_scalars_but_not_the_applicant():
    data = {"case": {"number": "N-1", "item": "X"}, "applicant": {"name": "王五", "id_number": "6201"},
            "form": {"order_no": "A-1", "rows": [1, 2], "nested": {"deep": 1}}, "paid": True, "amount": 12.5,
            "items": [1], "note": None}
    assert rules.correlation_values(data) == {
        "case.number": '"N-1"', "case.item": '"X"', "form.order_no": '"A-1"', "paid": "true", "amount": "12.5"}


def test_a_subscription_keeps_at_most_the_limit():
    data = {f"v{i}": i for i in range(rules.MAX_CORRELATION_ENTRIES + 10)}
    assert len(rules.correlation_values(data)) == rules.MAX_CORRELATION_ENTRIES


def test_a_senders_matches_are_canonical_too():
    assert rules.check_correlation({"form.amount": 120.0, "ok": True}) == {"form.amount": "120", "ok": "true"}
    assert rules.check_correlation(None) == {}
