"""Synthetic server metrics with injected incidents: the data of the AIOps example.

One row every ``STEP_MINUTES`` minutes, four correlated metrics of a web server (``METRICS``):

    cpu      CPU utilisation, %
    memory   resident memory, % of the host
    latency  p95 request latency, ms
    errors   share of requests that failed, %

Normal behaviour. Traffic follows a daily cycle (quiet at night, a morning ramp, an evening peak;
weekends 15 % lower; each day's amplitude varies a little). CPU follows traffic; latency follows
CPU non-linearly (queues grow as CPU saturates); errors follow traffic weakly; memory drifts slowly
around its own level with a small daily swing (caches). Every metric carries AR(1) noise, noise
that persists for a few rows as real metrics do, so a single noisy row is not an incident.

Incidents (``KINDS``), each with its ground-truth row interval ``[start, end)``:

    spike        CPU +35..50 points for 10-30 min, latency follows   (a runaway batch job)
    level_shift  latency +60..100 ms, CPU +8 for 2-5 h                (a bad deploy, rolled back)
    memory_leak  memory climbs 25-40 points over 4-8 h, then drops   (a leak; the restart ends it)
    error_burst  errors 4-12 % for 15-45 min, latency +30 ms          (a failing dependency)

Everything comes from ``numpy.random.default_rng(seed)``: one seed, one series, on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STEP_MINUTES = 5
ROWS_PER_HOUR = 60 // STEP_MINUTES
ROWS_PER_DAY = 24 * ROWS_PER_HOUR
METRICS = ("cpu", "memory", "latency", "errors")
KINDS = ("spike", "level_shift", "memory_leak", "error_burst")

# Duration range of each kind, in minutes.
_DURATIONS = {
    "spike": (10, 30),
    "level_shift": (120, 300),
    "memory_leak": (240, 480),
    "error_burst": (15, 45),
}
# Rows kept free before the first incident (a detector needs history) and between two incidents
# (so two incidents never read as one).
_LEAD_ROWS = 8 * ROWS_PER_HOUR
_GAP_ROWS = 3 * ROWS_PER_HOUR


@dataclass(frozen=True)
class Incident:
    kind: str
    start: int  # first row of the incident
    end: int  # first row after it

    def as_dict(self) -> dict:
        return {"kind": self.kind, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Series:
    values: np.ndarray  # shape (rows, 4), float64, columns in METRICS order
    incidents: tuple[Incident, ...]  # sorted by start

    @property
    def labels(self) -> np.ndarray:
        """One bool per row: True inside an incident's ground-truth interval."""
        mask = np.zeros(len(self.values), dtype=bool)
        for incident in self.incidents:
            mask[incident.start : incident.end] = True
        return mask


def _ar1(rng: np.random.Generator, n: int, sigma: float, phi: float = 0.7) -> np.ndarray:
    """Noise with persistence ``phi`` and stationary standard deviation ``sigma``."""
    shocks = rng.normal(0.0, sigma * np.sqrt(1 - phi * phi), n)
    out = np.empty(n)
    level = 0.0
    for i in range(n):
        level = phi * level + shocks[i]
        out[i] = level
    return out


def _traffic(rng: np.random.Generator, n: int) -> np.ndarray:
    """Load in [0, 1]: a daily cycle with a morning ramp and an evening peak, quieter weekends."""
    hours = np.arange(n) / ROWS_PER_HOUR
    hour_of_day = hours % 24
    day = (hours // 24).astype(int)
    cycle = 0.55 + 0.3 * np.sin(2 * np.pi * (hour_of_day - 9) / 24) + 0.12 * np.exp(-((hour_of_day - 20) ** 2) / 4)
    amplitude = rng.uniform(0.9, 1.1, day.max() + 1)[day]
    weekend = np.where(day % 7 >= 5, 0.85, 1.0)
    return np.clip(cycle * amplitude * weekend + _ar1(rng, n, 0.03), 0.05, 1.0)


def _normal(rng: np.random.Generator, n: int) -> np.ndarray:
    load = _traffic(rng, n)
    cpu = 15 + 55 * load + _ar1(rng, n, 2.5)
    hour_of_day = (np.arange(n) / ROWS_PER_HOUR) % 24
    memory = 45 + 3 * np.sin(2 * np.pi * (hour_of_day - 14) / 24) + _ar1(rng, n, 1.5, phi=0.95)
    latency = 80 + 90 * (cpu / 100) ** 3 + _ar1(rng, n, 6.0)
    errors = 0.2 + 0.4 * load + np.abs(_ar1(rng, n, 0.12, phi=0.5))
    return np.column_stack([cpu, memory, latency, errors])


def _place(rng: np.random.Generator, n: int, kinds: list[str]) -> list[Incident]:
    """Non-overlapping intervals at random positions, at least _GAP_ROWS apart."""
    placed: list[Incident] = []
    for kind in kinds:
        low, high = _DURATIONS[kind]
        length = int(rng.integers(low, high + 1)) // STEP_MINUTES
        for _ in range(1000):
            start = int(rng.integers(_LEAD_ROWS, n - length - _GAP_ROWS))
            if all(start + length + _GAP_ROWS <= p.start or p.end + _GAP_ROWS <= start for p in placed):
                placed.append(Incident(kind, start, start + length))
                break
        else:
            raise ValueError(f"{n} rows are too few for {len(kinds)} incidents; generate more days")
    return sorted(placed, key=lambda p: p.start)


def _inject(rng: np.random.Generator, values: np.ndarray, incident: Incident) -> None:
    rows = slice(incident.start, incident.end)
    length = incident.end - incident.start
    cpu, memory, latency, errors = (values[rows, i] for i in range(4))  # views: edits land in values
    if incident.kind == "spike":
        cpu += rng.uniform(35, 50)
        latency += 90 * (np.clip(cpu, 0, 100) / 100) ** 3 * 0.8
    elif incident.kind == "level_shift":
        latency += rng.uniform(60, 100)
        cpu += 8
    elif incident.kind == "memory_leak":
        memory += np.linspace(0, rng.uniform(25, 40), length)
    elif incident.kind == "error_burst":
        errors += rng.uniform(4, 12) + np.abs(rng.normal(0, 1.0, length))
        latency += 30
    else:
        raise ValueError(f"unknown incident kind {incident.kind!r}; expected one of {KINDS}")


def generate(days: float = 7.0, seed: int = 0, incidents_per_kind: int = 2) -> Series:
    """``days`` of metrics with ``incidents_per_kind`` incidents of every kind in ``KINDS``."""
    rng = np.random.default_rng(seed)
    n = int(days * ROWS_PER_DAY)
    values = _normal(rng, n)
    kinds = [kind for kind in KINDS for _ in range(incidents_per_kind)]
    rng.shuffle(kinds)
    incidents = _place(rng, n, kinds)
    for incident in incidents:
        _inject(rng, values, incident)
    values[:, 0] = np.clip(values[:, 0], 0, 100)
    values[:, 1] = np.clip(values[:, 1], 0, 100)
    values[:, 3] = np.clip(values[:, 3], 0, 100)
    return Series(values, tuple(incidents))
