"""The response clock driven by a hand-set monotonic source: pauses are left out of rt_ms and
reported as paused_ms."""
from tasks.study.rt_clock import ResponseClock


class FakeMonotonic:
    def __init__(self, t: float = 100.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_without_interruption_rt_is_the_elapsed_time():
    now = FakeMonotonic()
    clock = ResponseClock(now)
    clock.start_trial()
    m = clock.measure(onset_s=101.0, chosen_s=102.5)
    assert (m.rt_ms, m.paused_ms, m.interrupted) == (1500.0, 0.0, False)


def test_a_pause_between_onset_and_choice_is_excluded_and_flagged():
    now = FakeMonotonic(100.0)
    clock = ResponseClock(now)
    clock.start_trial()
    now.t = 101.0
    clock.pause("pin dialog")
    now.t = 348.0  # the dialog stays open for minutes
    clock.resume("pin dialog")
    m = clock.measure(onset_s=100.5, chosen_s=349.0)
    assert m.paused_ms == 247000.0
    assert m.rt_ms == 1500.0
    assert m.interrupted


def test_overlapping_interruptions_count_once_and_end_with_the_last():
    now = FakeMonotonic(10.0)
    clock = ResponseClock(now)
    clock.start_trial()
    clock.pause("dialog")
    now.t = 11.0
    clock.pause("focus")
    now.t = 12.0
    clock.resume("dialog")
    assert clock.paused
    now.t = 13.0
    clock.resume("focus")
    clock.resume("focus")  # a second end of the same interruption changes nothing
    assert not clock.paused
    assert clock.measure(onset_s=9.0, chosen_s=14.0).paused_ms == 3000.0


def test_only_the_part_after_the_onset_is_taken_out_but_any_interruption_flags():
    now = FakeMonotonic(0.0)
    clock = ResponseClock(now)
    clock.start_trial()
    clock.pause("focus")
    now.t = 2.0
    clock.resume("focus")
    m = clock.measure(onset_s=1.5, chosen_s=3.0)
    assert (m.rt_ms, m.paused_ms, m.interrupted) == (1000.0, 500.0, True)


def test_a_pause_still_under_way_counts_up_to_now_and_a_new_trial_starts_clean():
    now = FakeMonotonic(0.0)
    clock = ResponseClock(now)
    clock.start_trial()
    now.t = 1.0
    clock.pause("focus")
    now.t = 4.0
    assert clock.paused_between(0.0, 10.0) == 3.0
    clock.resume("focus")
    clock.start_trial()
    m = clock.measure(onset_s=5.0, chosen_s=6.0)
    assert (m.rt_ms, m.paused_ms, m.interrupted) == (1000.0, 0.0, False)


def test_no_onset_gives_no_rt():
    clock = ResponseClock(FakeMonotonic())
    clock.start_trial()
    assert clock.measure(None, 5.0).rt_ms is None
