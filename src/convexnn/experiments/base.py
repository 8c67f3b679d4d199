"""What an experiment declares, in one place: :class:`Experiment`, its :class:`Figure` and :class:`Table` views.

An experiment is one module of :mod:`convexnn.experiments` that owns, for one section of config.yaml:

- its **grid**: ``build(config, builder)`` adds its jobs to the plan (teachers, training runs, and
  any other job kind of :mod:`convexnn.kinds`) and decides which runs record what (trajectories,
  whole curves) from the experiment's own needs, never from a figure's choice;
- its **claims**: ``claims(finals, trajectories, context)`` returns the claims it decides, with the
  evaluation points taken from the report's words (``claims_context(config)`` is the part of the
  config they read, and nothing else, so that an unrelated edit reruns no claims job);
- its **figures** and derived **tables**: which planned files they read (``inputs(view)``), the few
  settings they show (``settings(view)``) and the drawing or computation from loaded data, no I/O;
- its **summary value** (what the aggregation summarises over repetitions) and its **cross-key
  checks** (what the schema cannot say), and the **target** that builds it (``figures`` for the
  report's section 5, or a target of its own beyond it). ``in_report``: its claims enter the paper's
  claims table, the robustness seeds and the atlas.

:class:`View` is what ``inputs`` and ``settings`` see of the plan: the runs and aggregate tables of
one scenario and its config.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd


class View(Protocol):
    """The part of the plan a figure or table selects from: one scenario (:class:`convexnn.plan.ScenarioView`)."""

    def section(self, experiment: str) -> dict: ...

    def runs(self, experiment: str, **where) -> list: ...

    def aggregate(self, experiment: str, table: str) -> str: ...

    def jobs(self, experiment: str, kind: str, **where) -> list: ...


class FigureData(Protocol):
    """The loaded inputs of a figure or table (:class:`convexnn.jobs.figures.LoadedInputs`)."""

    def table(self, name: str, columns: Sequence[str], allow_empty: bool = False) -> pd.DataFrame: ...

    def tables(self, name: str, columns: Sequence[str]) -> list[pd.DataFrame]: ...

    def particles(self, name: str) -> list[dict]: ...

    def particles_by(self, name: str, keys: Sequence) -> Mapping: ...

    def curves(self, name: str) -> list[pd.DataFrame]: ...


def _no_settings(view: View) -> dict:
    return {}


@dataclass(frozen=True)
class Figure:
    """One figure, written as ``figures/<name>.png`` (in the HTML report, with the caption
    ``workflow/report/<name>.rst``) and ``.pdf``; ``name`` is also the rule that draws it."""

    name: str
    category: str  # its section of the HTML report
    inputs: Callable[[View], dict[str, list[str]]]  # the files it reads, by name
    draw: Callable[[FigureData, dict], Any]  # (loaded inputs, settings) -> a matplotlib figure
    settings: Callable[[View], dict] = _no_settings  # shown values; a change redraws the figure


@dataclass(frozen=True)
class Table:
    """A table derived from an experiment's results, written to ``path`` by the rule ``name``."""

    name: str
    path: str
    inputs: Callable[[View], dict[str, list[str]]]
    compute: Callable[[FigureData, dict], pd.DataFrame]
    settings: Callable[[View], dict] = _no_settings


def _no_claims(finals: pd.DataFrame, trajectories: Sequence, context: Mapping) -> list:
    return []


def _no_context(config: dict) -> dict:
    return {}


def _no_problems(config: dict) -> list[str]:
    return []


@dataclass(frozen=True)
class Experiment:
    """One experiment: see the module docstring."""

    name: str  # its config section, the second level of its result paths and its seed streams
    title: str  # what it is, in a few words
    target: str  # the target rule that builds its figures and tables
    in_report: bool  # its claims enter `snakemake claims`, `robustness` and `atlas`
    build: Callable[[dict, Any], None]
    claim_names: tuple[str, ...] = ()
    claims: Callable[[pd.DataFrame, Sequence, Mapping], list] = _no_claims
    claims_context: Callable[[dict], dict] = _no_context
    figures: tuple[Figure, ...] = ()
    tables: tuple[Table, ...] = ()
    summary_value: str = "excess_loss"
    cross_key_problems: Callable[[dict], list[str]] = _no_problems
