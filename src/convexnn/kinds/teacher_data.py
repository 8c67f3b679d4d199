"""Kind ``teacher_data``: one repetition's teacher network and fixed test set (report 5.1, 5.2).

Record :class:`convexnn.records.TeacherJob`, job function :func:`convexnn.jobs.teacher_data.make_teacher_data`.
"""

from convexnn.kinds import JobKind
from convexnn.records import TeacherJob

# Drawing a teacher and 10,000 test inputs takes about a second (benchmarks/job_resources.py).
KIND = JobKind(
    name="teacher_data",
    wildcard="teacher",
    record=TeacherJob,
    entry="convexnn.jobs.teacher_data",
    outputs={"data": ".npz"},
    mem_mb=500,
    runtime=lambda job: 5,
)
