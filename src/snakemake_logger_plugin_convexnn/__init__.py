"""A quiet Snakemake logger for this pipeline: progress instead of job blocks, errors in full.

Used by the default profile (`logger: [convexnn]`). Snakemake's own output prints about 16 lines per
job; a build of hundreds of short jobs buries the progress and the errors. This handler prints:

- the plan as one line per rule ("to run: train 180, aggregate 4, ...");
- progress: on a terminal one line that updates in place, elsewhere (CI, a log file) a line at every
  10% of the jobs;
- every warning and error in full, with the log of a failed job (the profile's `show-failed-logs`);
- everything else that is not per-job noise, as Snakemake would.

A dry run (`-n`) prints exactly what Snakemake prints, job blocks included: it is read to see the plan.
"""

from __future__ import annotations

import re
import sys
from logging import LogRecord

from snakemake_interface_logger_plugins.base import LogHandlerBase
from snakemake_interface_logger_plugins.common import LogEvent

# Per-job or per-scheduling-round messages that only repeat what the progress line says.
NOISE = re.compile(
    r"^(Select jobs to execute\.\.\.|Execute \d+ jobs\.\.\.|Building DAG of jobs\.\.\.|Using shell: .*|"
    r"Provided cores: \d+|Rules claiming more threads will be scaled down\.|"
    r"Assuming unrestricted shared filesystem usage\.)$"
)
STEP_PERCENT = 10


class LogHandler(LogHandlerBase):
    def __post_init__(self) -> None:
        self.stream = sys.stderr
        self.rules: dict[int, str] = {}  # job id -> rule name
        self.last_rule = ""
        self.printed_percent = -1
        self.progress_open = False  # a progress line without its newline yet (terminal)

    @property
    def writes_to_stream(self) -> bool:
        return True

    @property
    def writes_to_file(self) -> bool:
        return False

    @property
    def has_filter(self) -> bool:
        return False

    @property
    def has_formatter(self) -> bool:
        return False

    @property
    def needs_rulegraph(self) -> bool:
        return False

    def _write(self, text: str) -> None:
        if self.progress_open:
            self.stream.write("\n")
            self.progress_open = False
        self.stream.write(text + "\n")
        self.stream.flush()

    def _progress(self, done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        line = f"[{done}/{total}] {percent}% of the jobs done (last: {self.last_rule})"
        if self.stream.isatty():
            bar = "#" * (percent // 5) + "-" * (20 - percent // 5)
            self.stream.write(f"\r{bar} {line}" + (" " * 10))
            self.progress_open = done < total
            if done == total:
                self.stream.write("\n")
            self.stream.flush()
        elif percent // STEP_PERCENT > self.printed_percent // STEP_PERCENT or done == total:
            self._write(line)
        self.printed_percent = percent

    def emit(self, record: LogRecord) -> None:
        # logging.Handler.handle holds the handler's lock around emit: records come one at a time.
        event = getattr(record, "event", None)
        try:
            if self.common_settings.dryrun:
                self._write(self.format(record))
            elif event == LogEvent.JOB_INFO:
                self.rules[getattr(record, "jobid", -1)] = getattr(record, "rule_name", "") or ""
            elif event == LogEvent.JOB_FINISHED:
                self.last_rule = self.rules.get(getattr(record, "job_id", -1), self.last_rule)
            elif event in (LogEvent.JOB_STARTED, LogEvent.WORKFLOW_STARTED):
                pass
            elif event == LogEvent.PROGRESS:
                self._progress(record.done, record.total)
            elif event == LogEvent.RUN_INFO and isinstance(getattr(record, "stats", None), dict):
                stats = {rule: count for rule, count in record.stats.items() if rule != "total"}
                self._write(
                    f"{sum(stats.values())} jobs to run: "
                    + ", ".join(f"{rule} {count}" for rule, count in stats.items())
                )
            else:
                lines = self.format(record).split("\n")
                if event in (None, LogEvent.RESOURCES_INFO, LogEvent.RUN_INFO):
                    lines = [line for line in lines if not NOISE.match(line.strip())]
                if any(line.strip() for line in lines):
                    self._write("\n".join(lines))
        except Exception:
            self.handleError(record)
