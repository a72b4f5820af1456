"""Jobs: pipeline runs with an identity of their own, kept in Kafka (``docs/jobs.md``).

- :mod:`.records` — the ``JobRecord`` of schemas/job.avsc and its framed encoding;
- :mod:`.view` — every runner's tail of the job state topic (per-id latest state, cancellations);
- :mod:`.state_writer` — the producer of job state records;
- :mod:`.control` — what a running job or call sees: cancellation, checkpoints, attempt;
- :mod:`.claims` — what a runner does with a job request, given the job's state;
- :mod:`.lane` — the job lane: its own consumer and workers, heartbeats, takeover, cancel.
"""
