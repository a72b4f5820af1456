"""BullMQ peer: the Python ``bullmq`` worker running the same no-op echo as the other systems.

``bench/.venv/bin/python bench/bullmq_worker.py REDIS_URL QUEUE [CONCURRENCY]``; prints ``ready``.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from bullmq import Worker


async def echo(job, token):  # type: ignore[no-untyped-def]
    return job.data.get("payload")


async def main() -> None:
    url, queue = sys.argv[1], sys.argv[2]
    concurrency = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    worker = Worker(queue, echo, {"connection": url, "concurrency": concurrency})
    print("ready", flush=True)
    await stop.wait()
    await worker.close()


if __name__ == "__main__":
    asyncio.run(main())
