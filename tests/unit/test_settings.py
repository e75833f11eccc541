"""LIANBAN_* variables: a value that cannot be used fails at start with the variable's name."""
import pytest

from engine.config import Settings, SettingsError


@pytest.mark.parametrize("variable, value", [
    ("LIANBAN_PORT", "abc"), ("LIANBAN_PORT", "0"), ("LIANBAN_PORT", "70000"),
    ("LIANBAN_TIMER_BATCH_SIZE", "1.5"), ("LIANBAN_TIMER_MAX_ATTEMPTS", "-1"),
    ("LIANBAN_SCHEDULER_INTERVAL_SECONDS", "soon"), ("LIANBAN_YELLOW_SHARE", "nan"),
    ("LIANBAN_TOKEN_CACHE_SECONDS", "inf"), ("LIANBAN_MATERIAL_MAX_BYTES", "10MB"),
    ("LIANBAN_START_DAY_CONVENTION", "from_tomorrow"), ("LIANBAN_STEP_WORKDAYS_BY_ROLE", "reviewer=five"),
    ("LIANBAN_MESSAGE_TTL_SECONDS", "0"), ("LIANBAN_MESSAGE_TTL_SECONDS", "-5"),
    ("LIANBAN_OUTBOX_RETENTION_DAYS", "inf"), ("LIANBAN_OUTBOX_RETENTION_DAYS", "a week"),
])
def test_a_malformed_variable_is_named(variable, value):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({variable: value})
    assert refused.value.code == "setting_invalid" and refused.value.field == variable
    assert variable in refused.value.message


def test_well_formed_variables_are_read():
    settings = Settings.from_env({"LIANBAN_PORT": " 8401 ", "LIANBAN_YELLOW_SHARE": "0.2",
                                  "LIANBAN_STEP_WORKDAYS_BY_ROLE": "reviewer=5, approver=3"})
    assert (settings.port, settings.yellow_share) == (8401, 0.2)
    assert settings.step_workdays() == {"reviewer": 5, "approver": 3}
