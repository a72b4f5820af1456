from mlbridge_runner.runner.offsets import OffsetTracker


def test_in_order_completion_stores_each_next_offset():
    tracker = OffsetTracker()
    tracker.assign([("t", 0)])
    tickets = [tracker.track("t", 0, offset) for offset in (10, 11, 12)]
    assert [tracker.done(t) for t in tickets] == [11, 12, 13]


def test_out_of_order_completion_waits_for_the_lowest():
    tracker = OffsetTracker()
    tracker.assign([("t", 0)])
    a, b, c, d = (tracker.track("t", 0, o) for o in (0, 1, 2, 3))
    assert tracker.done(c) is None
    assert tracker.done(b) is None
    assert tracker.done(a) == 3  # 0, 1 and 2 are all done
    assert tracker.pending_count() == 1
    assert tracker.done(d) == 4
    assert tracker.pending_count() == 0


def test_partitions_are_independent():
    tracker = OffsetTracker()
    tracker.assign([("t", 0), ("t", 1)])
    p0 = tracker.track("t", 0, 5)
    p1 = tracker.track("t", 1, 7)
    tracker.track("t", 0, 6)
    assert tracker.done(p1) == 8
    assert tracker.done(p0) == 6


def test_gaps_in_offsets_are_fine():
    tracker = OffsetTracker()
    tracker.assign([("t", 0)])
    a = tracker.track("t", 0, 5)
    b = tracker.track("t", 0, 9)  # 6..8 were control records or compacted away
    assert tracker.done(b) is None
    assert tracker.done(a) == 10


def test_revoked_partition_tickets_are_ignored_even_after_reassignment():
    tracker = OffsetTracker()
    tracker.assign([("t", 0)])
    old = tracker.track("t", 0, 1)
    tracker.revoke([("t", 0)])
    assert tracker.done(old) is None
    tracker.assign([("t", 0)])
    new = tracker.track("t", 0, 1)
    assert tracker.done(old) is None
    assert tracker.done(new) == 2


def test_redelivered_offset_does_not_move_the_position():
    tracker = OffsetTracker()
    tracker.assign([("t", 0)])
    first = tracker.track("t", 0, 3)
    again = tracker.track("t", 0, 3)
    assert tracker.done(again) is None
    assert tracker.done(first) == 4


def test_message_before_assignment_is_tracked():
    tracker = OffsetTracker()
    ticket = tracker.track("t", 2, 0)
    assert tracker.partitions() == [("t", 2)]
    assert tracker.done(ticket) == 1


def test_settling_twice_is_harmless():
    tracker = OffsetTracker()
    tracker.assign([("t", 0)])
    a, b = tracker.track("t", 0, 0), tracker.track("t", 0, 1)
    assert tracker.done(a) == 1
    assert tracker.done(a) is None
    assert tracker.done(b) == 2


def test_first_pending_is_the_oldest_outstanding_offset() -> None:
    tracker = OffsetTracker()
    key = ("t", 0)
    tracker.assign([key])
    tickets = [tracker.track("t", 0, offset) for offset in (5, 6, 7)]
    assert tracker.first_pending(key) == 5
    tracker.done(tickets[1])
    assert tracker.first_pending(key) == 5
    tracker.done(tickets[0])
    assert tracker.first_pending(key) == 7
    tracker.done(tickets[2])
    assert tracker.first_pending(key) is None
    assert tracker.first_pending(("t", 9)) is None
