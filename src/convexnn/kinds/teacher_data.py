"""Kind ``teacher_data``: one repetition's teacher network and fixed test set (report 5.1, 5.2).

Record :class:`convexnn.records.TeacherJob`, job function :func:`convexnn.jobs.teacher_data.make_teacher_data`.
"""

from convexnn.kinds import JobKind
from convexnn.records import TeacherJob

# Drawing a teacher and 10,000 test inputs takes well under a second (benchmarks/job_resources.py);
# one job draws a batch of teachers (convexnn.identity.batch_id). Its memory: the test set, and the
# teacher's activations on it.
KIND = JobKind(
    name="teacher_data",
    wildcard="teachers",
    record=TeacherJob,
    entry="convexnn.jobs.teacher_data",
    outputs={"data": ".npz"},
    mem_mb=500,
    seconds=lambda job: 1.0,
    start_seconds=5.0,
    batched=True,
    memory_bytes=lambda job: 8.0 * job.test_size * (job.input_dim + 2 + 2 * job.teacher_units),
)
