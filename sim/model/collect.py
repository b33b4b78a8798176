"""A ``mesa.DataCollector`` view of the recorder, for tools built on Mesa's conventions.

The model records every metric into one preallocated array; this fills a DataCollector
from it on demand (one model reporter per metric: its mean over replicates that month)
instead of collecting in every step.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.recorder import METRICS


def recorder_datacollector(model) -> mesa.DataCollector:
    done = model.month
    by_metric = model.recorder.by_metric[:done]  # (months done, metrics, R)
    means = by_metric.astype(np.float64).mean(axis=2) if done else np.zeros((0, len(METRICS)))

    def reporter(name):
        index = METRICS.index(name)
        return lambda m: float(m.recorder.by_metric[m.month - 1, index].mean())

    dc = mesa.DataCollector(model_reporters={name: reporter(name) for name in METRICS})
    for j, name in enumerate(METRICS):
        dc.model_vars[name] = means[:, j].tolist()
    return dc
