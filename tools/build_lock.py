"""Run a command while holding an exclusive lock on a file: one build per folder at a time.

    python tools/build_lock.py .build.lock -- snakemake figures

The lock is an fcntl lock (Linux and macOS), which the kernel drops when the process dies, even by
SIGKILL: a killed build never leaves a stale lock behind (Snakemake's own directory lock does, hence
`nolock` in the profiles). If another build holds it, this says which file, which process and since
when, and exits with 75 (EX_TEMPFAIL) without running the command.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    path, command = argv[0], argv[2:]
    with open(path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            print(
                f"Another build is running in this folder: the build lock {os.path.abspath(path)} is held by "
                f"{holder}. Wait for it to finish, or stop it, then run the command again.",
                file=sys.stderr,
            )
            return 75
        lock.seek(0)
        lock.truncate()
        lock.write(f"process {os.getpid()} ({' '.join(command)}), started {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        lock.flush()
        return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
