"""Kind ``train``: one student trained by online SGD on one teacher (report 5.1-5.3, and beyond).

Record :class:`convexnn.records.TrainingJob`, job function :func:`convexnn.jobs.train.run_training`,
engine :func:`convexnn.training.train`; its runtime estimate is here.
"""

from convexnn.kinds import JobKind
from convexnn.records import TeacherJob, TrainingJob, TrainingSettings

# A training job's cost on one core of this project's machine, fitted to jobs run alone by
# benchmarks/job_resources.py (which prints them beside these estimates): the largest Chizat & Bach
# job (d = 100, m = 199, 4e6 steps, 1.7e11 multiply-adds) took 33 s; the costliest job per sample,
# sigmoid in 2-D with k = 50 and batch 10 (5e6 samples), 7 s beyond start-up; an evaluation of
# k = 100 particles on 10,000 samples (5e7 multiply-adds) 8 ms (benchmarks/engine.py).
SECONDS_PER_STEP_MULTIPLY_ADD = 2.0e-10
SECONDS_PER_SAMPLE = 1.5e-6  # drawing the sample, the loss window, the loop: what d and k do not scale
SECONDS_PER_EVALUATION_MULTIPLY_ADD = 2.0e-10
SECONDS_TO_START = 5.0  # interpreter, imports, the compiled kernels from the cache


def estimated_training_seconds(settings: TrainingSettings, teacher: TeacherJob) -> float:
    """A run's wall time on one core beyond its job's start-up (:data:`SECONDS_TO_START`, paid once
    per batch of runs): per sample, a constant and a forward pass
    through the teacher and the student and a backward pass through the student, (M + 2k)(d + 1)
    multiply-adds; per checkpoint, a pass of the student over the test set, n k (d + 1)."""
    width = teacher.input_dim + 1
    samples = settings.n_steps * settings.batch_size
    sgd = samples * (teacher.teacher_units + 2 * settings.n_particles) * width
    evaluations = settings.n_checkpoints * teacher.test_size * settings.n_particles * width
    return (
        samples * SECONDS_PER_SAMPLE
        + sgd * SECONDS_PER_STEP_MULTIPLY_ADD
        + evaluations * SECONDS_PER_EVALUATION_MULTIPLY_ADD
    )


def estimated_training_bytes(settings: TrainingSettings, teacher: TeacherJob) -> float:
    """A run's peak memory beyond the interpreter's: its teacher's test set and the student's
    activations on it (n (d + 1) and about 3 n k floats), and the recorded trajectory (T k (d + 2))."""
    width = teacher.input_dim + 1
    test_set = teacher.test_size * (width + 3 * settings.n_particles)
    trajectory = settings.n_checkpoints * settings.n_particles * (width + 1) if settings.record_trajectory else 0
    return 8.0 * (test_set + trajectory)


# One job trains a batch of runs (convexnn.identity.batch_id): a run takes about 0.2 s, as long as
# Snakemake's own cost per job.
KIND = JobKind(
    name="train",
    wildcard="runs",
    record=TrainingJob,
    entry="convexnn.jobs.train",
    outputs={"curves": ".csv", "particles": ".npz"},
    mem_mb=500,
    seconds=lambda job, teacher: estimated_training_seconds(job.settings, teacher),
    start_seconds=SECONDS_TO_START,
    references={"teacher": "teacher_data"},
    batched=True,
    memory_bytes=lambda job, teacher: estimated_training_bytes(job.settings, teacher),
)
