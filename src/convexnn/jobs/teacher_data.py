"""Job: one repetition's teacher network and its fixed test set (report 5.1, 5.2)."""

from __future__ import annotations

from convexnn.records import TeacherJob
from convexnn.seeding import generator
from convexnn.storage import PathLike, append_to_log, write_teacher_data
from convexnn.teacher import constant_predictor_loss, draw_teacher_of_kind, make_test_set, zero_predictor_loss


def make_teacher_data(job: dict, path: PathLike, log_path: PathLike | None = None) -> None:
    """Draw the teacher of ``job`` (a :class:`~convexnn.records.TeacherJob` as params) and its test set."""
    job = TeacherJob.from_params(job)
    rng = generator(job.seed)
    teacher = draw_teacher_of_kind(rng, job.kind, job.teacher_units, job.input_dim, job.radius, job.activation)
    test_inputs, test_targets = make_test_set(rng, teacher, job.test_size, job.input_distribution)
    write_teacher_data(
        path,
        teacher.output_weights,
        teacher.hidden_weights,
        job.activation,
        job.input_distribution,
        test_inputs,
        test_targets,
    )
    append_to_log(
        log_path,
        f"{job.kind} teacher of {job.teacher_units} units ({job.activation}), zero predictor "
        f"loss {zero_predictor_loss(test_targets):.3e}, 1/2 Var(y) "
        f"{constant_predictor_loss(test_targets):.3e}",
        first=True,
    )
