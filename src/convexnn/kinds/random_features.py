"""Kind ``baseline``: the convex baseline of the Chizat & Bach experiment, m fixed random units and
output weights by least squares (random features, report 2.5).

Record :class:`convexnn.records.BaselineJob`, job function :func:`convexnn.jobs.baseline.fit_baseline`,
solver :func:`convexnn.baseline.random_features_loss`.
"""

from convexnn.kinds import JobKind
from convexnn.records import BaselineJob

# The largest (m = 199, 30,000 samples) takes 1.4 s and 240 MB (benchmarks/job_resources.py); the
# memory is left generous as its least-squares matrix grows with m and the samples.
KIND = JobKind(
    name="baseline",
    wildcard="baseline",
    record=BaselineJob,
    entry="convexnn.jobs.baseline",
    outputs={"table": ".csv"},
    mem_mb=2000,
    seconds=lambda job, teacher: 60.0,
    references={"teacher": "teacher_data"},
)
