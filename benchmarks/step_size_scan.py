"""Which mean-field step size eta to use? A scan over step sizes, teachers and k.

Trains students with the settings of one experiment of config.yaml (default `overparam`: d = 50,
M = 10, ReLU and sigmoid) for a few step sizes, teachers and k, and prints the final test loss of
each run, 'D' marking a diverged run, and per step size the number of diverged runs. Examples:

    .venv/bin/python benchmarks/step_size_scan.py
    .venv/bin/python benchmarks/step_size_scan.py --experiment r0_sweep --init-radius 10 \
        --step-sizes 0.02 0.1 --n-particles 20 --teachers 10

Seeds come from convexnn.seeding with the experiment name 'step_size_scan', so nothing here
shares a random stream with the pipeline.
"""

import argparse
from pathlib import Path

import yaml

from convexnn.initialisation import initial_particles
from convexnn.seeding import generator, seed_entropy
from convexnn.teacher import draw_teacher, make_test_set, zero_predictor_loss
from convexnn.training import train

ROOT = Path(__file__).resolve().parents[1]

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--step-sizes", type=float, nargs="+", default=[0.05, 0.1, 0.2, 0.5])
parser.add_argument("--n-particles", type=int, nargs="+", default=[2, 5, 10, 20, 40, 100])
parser.add_argument("--teachers", type=int, default=3)
parser.add_argument("--n-steps", type=int, default=None, help="default: the experiment's n_steps")
parser.add_argument("--experiment", default="overparam", help="a section of config.yaml")
parser.add_argument("--init-radius", type=float, default=None, help="r0 of the ReLU runs (default: the experiment's)")
arguments = parser.parse_args()
settings = yaml.safe_load((ROOT / "config.yaml").read_text())[arguments.experiment]
n_steps = arguments.n_steps or settings["n_steps"]
activations = settings.get("activations", [settings.get("activation")])
init_radius = arguments.init_radius or settings.get("init_radius")

print(
    f"{arguments.experiment}: d={settings['input_dim']} M={settings['teacher_units']} n_steps={n_steps} "
    f"batch={settings['batch_size']} r0={init_radius}"
)
for activation in activations:
    for step_size in arguments.step_sizes:
        n_diverged, n_runs = 0, 0
        for teacher_index in range(arguments.teachers):
            rng = generator(seed_entropy(0, "step_size_scan", f"activation={activation}", teacher_index))
            teacher = draw_teacher(
                rng, settings["teacher_units"], settings["input_dim"], settings["teacher_radius"], activation
            )
            test_inputs, test_targets = make_test_set(
                rng, teacher, settings["test_size"], settings["input_distribution"]
            )
            cells = []
            for n_particles in arguments.n_particles:
                run_rng = generator(
                    seed_entropy(0, "step_size_scan", f"activation={activation},k={n_particles}", teacher_index)
                )
                output_weights, hidden_weights = initial_particles(
                    run_rng,
                    n_particles,
                    settings["input_dim"],
                    activation,
                    init_radius,
                    settings.get("sigmoid_hidden_scale"),
                )
                run = train(
                    output_weights,
                    hidden_weights,
                    teacher,
                    settings["input_distribution"],
                    step_size,
                    settings["batch_size"],
                    n_steps,
                    run_rng,
                    test_inputs,
                    test_targets,
                    30,
                    settings["train_window"],
                )
                n_diverged += run.diverged
                n_runs += 1
                cells.append(f"k={n_particles}:{'D' if run.diverged else f'{run.test_loss[-1]:.1e}'}")
            print(
                f"{activation:8s} eta={step_size:<5g} teacher {teacher_index} "
                f"(zero loss {zero_predictor_loss(test_targets):.1e}): " + " ".join(cells),
                flush=True,
            )
        print(f"{activation:8s} eta={step_size:<5g} diverged {n_diverged} of {n_runs} runs", flush=True)
