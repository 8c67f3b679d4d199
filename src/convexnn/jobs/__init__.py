"""The job layer: one module per kind of job, each reading its inputs through :mod:`convexnn.storage`,
calling the pure functions of the other modules, and writing its outputs atomically. All file I/O
of the pipeline sits here and in :mod:`convexnn.storage`.

Each module imports only what its job needs, because the workflow derives a job's code inputs from
its imports (:mod:`convexnn.dependencies`): an edit reruns exactly the jobs whose results it can
change."""
