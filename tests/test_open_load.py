"""The open-load benchmark measures what it says: relatives who pause, a steady crowd (a relative
who has sent her report is followed by another), the replies inside the window, nothing lost.
A real bot process against the stand-in, scaled down to seconds."""

from __future__ import annotations

import pytest

from benchmarks import open_load

pytestmark = pytest.mark.slow


def test_a_steady_open_load_keeps_every_place_filled_and_loses_no_reply():
    pause, places = 0.3, 10
    run = open_load.run_once(places, pause, latency=0.0, seed=0, timeout=30, window=4.0, together=False)
    assert run.lost == 0
    assert run.relatives > places, "a relative who sent her report was followed by another"
    # Each place sends about one update per pause for the whole window, reports one after another
    # (a report is 11 steps, about 3.3 s here): a crowd that thinned out would offer far fewer.
    assert places / pause * 0.5 <= run.offered_per_s <= places / pause * 1.2
    assert 0 < run.p50_ms <= run.p99_ms <= run.max_ms
    # Each reply reaches the stand-in before the harness wakes its relative.
    assert run.p99_ms <= run.p99_woken_ms


def test_everyone_starting_together_sends_every_report_once():
    run = open_load.run_once(6, 0.2, latency=0.0, seed=1, timeout=30, window=0.0, together=True)
    assert run.lost == 0
    assert run.relatives == 6
    assert 0 < run.p50_ms <= run.max_ms
