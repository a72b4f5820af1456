"""SchemaWaits: calls parked for their writer schema leave when it arrives or their wait ends."""

from mlbridge_runner.codec.envelopes import RequestEnvelope
from mlbridge_runner.runner.offsets import Ticket
from mlbridge_runner.runner.schema_waits import SchemaWaits


class Store:
    def __init__(self):
        self.known = {}

    def get(self, ref):
        return self.known.get(ref)


def _request(i):
    return RequestEnvelope(id=f"r{i}", pipeline="p", args=b"", args_schema=f"crc64:{i:016x}", reply_to="replies")


def _park(waits, i, until, partition=0):
    request = _request(i)
    return waits.park(request, Ticket("requests", partition, i, 1), 10, request.args_schema, until)


def test_a_call_leaves_when_its_schema_arrives_or_its_wait_ends_and_not_before():
    store = Store()
    waits = SchemaWaits(store)
    assert not waits
    assert _park(waits, 1, until=10.0) and _park(waits, 2, until=5.0) and _park(waits, 3, until=10.0)
    assert waits and waits.due(now=1.0) == []
    store.known["crc64:0000000000000003"] = {"type": "long"}
    assert [p.request.id for p in waits.due(now=1.0)] == ["r3"]  # its schema came
    assert [p.request.id for p in waits.due(now=5.0)] == ["r2"]  # its wait is over
    left = waits.due(now=10.0)
    assert [(p.request.id, p.ticket.offset, p.size) for p in left] == [("r1", 1, 10)] and not waits


def test_full_refuses_to_park_more():
    waits = SchemaWaits(Store(), limit=2)
    assert _park(waits, 1, 10.0) and _park(waits, 2, 10.0)
    assert not _park(waits, 3, 10.0)  # the caller dispatches it now instead
    waits.due(now=10.0)
    assert _park(waits, 4, 20.0)


def test_drop_forgets_the_calls_of_revoked_partitions_and_returns_their_tickets():
    waits = SchemaWaits(Store())
    _park(waits, 1, 10.0, partition=0)
    _park(waits, 2, 10.0, partition=1)
    _park(waits, 3, 10.0, partition=0)
    dropped = waits.drop(lambda ticket: ticket.partition == 0)
    assert [t.offset for t in dropped] == [1, 3]
    assert [p.request.id for p in waits.due(now=10.0)] == ["r2"]
    assert waits.drop(lambda ticket: True) == []
