"""Job: the teacher networks and fixed test sets of one batch of repetitions (report 5.1, 5.2)."""

from __future__ import annotations

from convexnn.identity import record_identity
from convexnn.records import TeacherJob
from convexnn.seeding import generator
from convexnn.storage import PathLike, append_to_log, teacher_arrays, write_teacher_batch
from convexnn.teacher import constant_predictor_loss, draw_teacher_of_kind, make_test_set, zero_predictor_loss


def draw_teacher_data(job: TeacherJob) -> dict:
    """The teacher of ``job`` and its test set, from the job's own seed (the same whatever its batch)."""
    rng = generator(job.seed)
    teacher = draw_teacher_of_kind(rng, job.kind, job.teacher_units, job.input_dim, job.radius, job.activation)
    test_inputs, test_targets = make_test_set(rng, teacher, job.test_size, job.input_distribution)
    return teacher_arrays(
        teacher.output_weights,
        teacher.hidden_weights,
        job.activation,
        job.input_distribution,
        test_inputs,
        test_targets,
    )


def make_teacher_data(jobs: list[dict], path: PathLike, log_path: PathLike | None = None) -> None:
    """Draw the teachers of ``jobs`` (:class:`~convexnn.records.TeacherJob` as params, one batch) and
    write them to one archive, each under its id and identity."""
    append_to_log(log_path, f"{len(jobs)} teachers", first=True)
    teachers = []
    for params in jobs:
        job = TeacherJob.from_params(params)
        data = draw_teacher_data(job)
        teachers.append((job.id, record_identity(job), data))
        append_to_log(
            log_path,
            f"{job.id}: {job.kind} teacher of {job.teacher_units} units ({job.activation}), zero predictor "
            f"loss {zero_predictor_loss(data['test_targets']):.3e}, 1/2 Var(y) "
            f"{constant_predictor_loss(data['test_targets']):.3e}",
        )
    write_teacher_batch(path, teachers)
