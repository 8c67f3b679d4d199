rule code_fingerprint:
    """The sha256 of every source file an entry point (a module of src/convexnn/jobs/) imports,
    directly or not: the one code input of each job that runs it. An edit of a source file changes
    the fingerprints that list it, so exactly the jobs that can change rerun."""
    input:
        lambda wildcards: code_inputs(wildcards.entry),
    output:
        "results/code_fingerprint/{entry}.txt",
    log:
        "logs/code_fingerprint/{entry}.log",
    localrule: True
    run:
        write_code_fingerprint(list(input), output[0], log[0])
