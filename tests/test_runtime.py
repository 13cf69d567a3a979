from __future__ import annotations

import gc

from townhall.runtime import GC_THRESHOLDS, tune_garbage_collector


def test_tuning_raises_the_thresholds_and_freezes_what_lived_at_start_up() -> None:
    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        tune_garbage_collector()  # a second app in the same process changes nothing more

        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.set_threshold(*before)
