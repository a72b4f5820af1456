"""Verdicts of the scenarios ``conftest.py`` started in the background at session start (see
``long_scenarios.py``). Named to be collected last, so the waiting overlapped the other tests."""

import pytest

TIMEOUT = 90


@pytest.mark.parametrize(
    "name", ["long_call_past_max_poll_interval", "killed_mid_transaction", "transactional_rebalance_replies_once"]
)
def test_long_scenario(long_scenarios, name):
    figures = long_scenarios[name].result(timeout=TIMEOUT)
    print(name, figures)
