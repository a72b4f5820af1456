"""DeliveryCounts' verdicts: which records are counted, which run alone, which are poison."""

from __future__ import annotations

from mlbridge_runner.runner.poison import COUNTED, POISON, SUSPECT, DeliveryCounts, key_of


class _Record:
    def __init__(self, offset: int, partition: int = 0, topic: str = "req") -> None:
        self._offset, self._partition, self._topic = offset, partition, topic

    def topic(self) -> str:
        return self._topic

    def partition(self) -> int:
        return self._partition

    def offset(self) -> int:
        return self._offset

    def error(self) -> None:
        return None


class _Producer:
    def __init__(self) -> None:
        self.produced: list[tuple[bytes, bytes]] = []
        self.flushes = 0

    def produce(self, topic: str, key: bytes, value: bytes | None) -> None:
        self.produced.append((key, value))

    def flush(self, timeout: float) -> int:
        self.flushes += 1
        return 0

    def poll(self, timeout: float) -> int:
        return 0


def _counts(window: int = 100, end: int | None = 10) -> tuple[DeliveryCounts, _Producer]:
    producer = _Producer()
    counts = DeliveryCounts({"bootstrap.servers": "127.0.0.1:1"}, producer, "req.deliveries", 3, window)  # type: ignore[arg-type]
    counts._windows[("req", 0)] = end  # what assigned() sets from the partition's end offset
    counts._stale = False  # nothing to read: no earlier counts
    return counts, producer


def test_records_below_the_end_at_assignment_are_counted_in_one_flush_and_the_window_then_closes() -> None:
    counts, producer = _counts(end=3)
    verdicts = counts.screen([_Record(1), _Record(2), _Record(3), _Record(4)])  # type: ignore[list-item]
    assert verdicts == [COUNTED, COUNTED, None, None]
    assert producer.produced == [(key_of("req", 0, 1), b"1"), (key_of("req", 0, 2), b"1")]
    assert producer.flushes == 1
    assert not counts.active  # steady state: no more screening


def test_a_record_counted_before_is_a_suspect_and_is_counted_only_when_run() -> None:
    counts, producer = _counts()
    counts._counts[key_of("req", 0, 5)] = 1
    assert counts.screen([_Record(5)]) == [SUSPECT]  # type: ignore[list-item]
    assert producer.produced == []
    counts.record(_Record(5))  # type: ignore[arg-type]
    assert producer.produced == [(key_of("req", 0, 5), b"2")]
    assert counts.screen([_Record(5)]) == [POISON]  # type: ignore[list-item]


def test_unassigned_partitions_and_a_fresh_topic_are_never_counted() -> None:
    counts, producer = _counts()
    assert counts.screen([_Record(0, partition=1)]) == [None]  # type: ignore[list-item]
    counts.revoked({("req", 0)})
    assert not counts.active and producer.produced == []


def test_without_a_known_end_the_window_is_bounded() -> None:
    counts, _ = _counts(window=2, end=None)
    assert counts.screen([_Record(7), _Record(8), _Record(9)]) == [COUNTED, COUNTED, None]  # type: ignore[list-item]


def test_a_revoke_gives_back_the_counts_of_records_it_never_started() -> None:
    counts, producer = _counts()
    counts._counts[key_of("req", 0, 5)] = 1  # a dead owner's count: a suspect here
    assert counts.screen([_Record(4), _Record(5), _Record(6)]) == [COUNTED, SUSPECT, COUNTED]  # type: ignore[list-item]
    counts.record(_Record(5))  # type: ignore[arg-type]
    producer.produced.clear()
    # Revoked while 5 and 6 were still queued; 4 had run. 7 was never counted here.
    counts.uncount({("req", 0, 5), ("req", 0, 6), ("req", 0, 7)})
    counts.revoked({("req", 0)})
    assert sorted(producer.produced, key=lambda kv: kv[0]) == sorted(
        [(key_of("req", 0, 5), b"1"), (key_of("req", 0, 6), None)], key=lambda kv: kv[0]
    )
    assert counts.count(_Record(4)) == 1 and counts.count(_Record(5)) == 1 and counts.count(_Record(6)) == 0  # type: ignore[arg-type]
    assert counts._before == {}
