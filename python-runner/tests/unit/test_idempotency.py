import threading

from mlbridge_runner.runner.idempotency import MAX_KEY_CHARS, IdempotencyCache, cache_key


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_first_runs_repeat_waits_then_stored():
    cache = IdempotencyCache(10, 60)
    key = cache_key("p", "k")
    assert cache.begin(key, "first").action == "run"
    assert cache.begin(key, "second").action == "wait"
    assert cache.begin(key, "third").action == "wait"
    assert cache.finish(key, "outcome") == ["second", "third"]
    hit = cache.begin(key, "fourth")
    assert (hit.action, hit.outcome) == ("stored", "outcome")
    assert cache.running == 0 and len(cache) == 1


def test_keys_are_scoped_by_pipeline_and_long_keys_hashed():
    cache = IdempotencyCache(10, 60)
    assert cache.begin(cache_key("a", "k"), 1).action == "run"
    assert cache.begin(cache_key("b", "k"), 2).action == "run"
    long_key = cache_key("a", "x" * 10_000)
    assert len(long_key[1]) < MAX_KEY_CHARS and long_key == cache_key("a", "x" * 10_000)
    assert long_key != cache_key("a", "x" * 10_001)


def test_lru_by_count():
    cache = IdempotencyCache(2, 60)
    for name in "abc":
        cache.begin(cache_key("p", name), None)
        cache.finish(cache_key("p", name), name)
    assert len(cache) == 2
    assert cache.begin(cache_key("p", "a"), None).action == "run"  # evicted
    assert cache.begin(cache_key("p", "b"), None).action == "stored"
    cache.finish(cache_key("p", "a"), "a2")  # b was used more recently than c: c goes
    assert cache.begin(cache_key("p", "c"), None).action == "run"
    assert cache.begin(cache_key("p", "b"), None).action == "stored"


def test_ttl_and_byte_bound():
    clock = Clock()
    cache = IdempotencyCache(10, 5, max_bytes=10, size_of=len, clock=clock)
    cache.begin(("p", "k"), None)
    cache.finish(("p", "k"), "12345")
    clock.now = 4.9
    assert cache.begin(("p", "k"), None).action == "stored"
    clock.now = 10.0
    assert cache.begin(("p", "k"), None).action == "run"  # expired
    cache.finish(("p", "k"), "123456")
    cache.begin(("p", "j"), None)
    cache.finish(("p", "j"), "123456")  # 12 bytes > 10: the older goes
    assert len(cache) == 1 and cache.stored_bytes == 6
    cache.begin(("p", "huge"), None)
    cache.finish(("p", "huge"), "x" * 11)  # bigger than the bound: not stored at all
    assert cache.begin(("p", "huge"), None).action == "run"


def test_zero_entries_stores_nothing_but_still_joins_running_calls():
    cache = IdempotencyCache(0, 60)
    cache.begin(("p", "k"), None)
    assert cache.begin(("p", "k"), "w").action == "wait"
    assert cache.finish(("p", "k"), "o") == ["w"]
    assert len(cache) == 0


def test_release_hands_the_key_to_the_first_waiter():
    cache = IdempotencyCache(10, 60)
    key = ("p", "k")
    cache.begin(key, "first")
    cache.begin(key, "w1")
    cache.begin(key, "w2")
    assert cache.release(key) == "w1"  # w1 now runs; w2 still waits on it
    assert cache.begin(key, "w3").action == "wait"
    assert cache.finish(key, "o") == ["w2", "w3"]
    cache2 = IdempotencyCache(10, 60)
    cache2.begin(key, "first")
    assert cache2.release(key) is None
    assert cache2.begin(key, "again").action == "run"


def test_forget_waiters():
    cache = IdempotencyCache(10, 60)
    key = ("p", "k")
    cache.begin(key, 0)
    for n in range(1, 5):
        cache.begin(key, n)
    assert cache.forget_waiters(lambda n: n % 2 == 0) == [2, 4]
    assert cache.finish(key, "o") == [1, 3]


def test_concurrent_begin_runs_exactly_once():
    cache = IdempotencyCache(10, 60)
    actions = []
    barrier = threading.Barrier(8)

    def go(n):
        barrier.wait()
        actions.append(cache.begin(("p", "k"), n).action)

    threads = [threading.Thread(target=go, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(actions) == ["run"] + ["wait"] * 7
