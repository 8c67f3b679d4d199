# The replication as an article (src/convexnn/article.py): one self-contained HTML file that follows the
# report's sections, from the figures and claims of `snakemake figures claims` and of every other target
# built so far (its figures exist when the workflow is parsed, as in `make report`): building the article
# never starts an experiment that was not built. The commit and the files changed since it are params, so
# that a new commit rewrites the article.
from pathlib import Path

from convexnn.jobs.article import article_summary, plan_article, source_state, write_article

ARTICLE = plan_article(lambda experiment: claims_table_of(MAIN, experiment), Path(workflow.basedir).parent)


rule article_html:
    """The article: one HTML file, figures embedded, that works offline (src/convexnn/article.py)."""
    input:
        **ARTICLE.inputs(rules.claims_table.output[0], code_of("convexnn.jobs.article")),
    output:
        report("results/article/article.html", caption="../report/article.rst", category="Article"),
    log:
        "logs/article_html.log",
    benchmark:
        "results/benchmarks/article_html.tsv"
    localrule: True
    params:
        names=ARTICLE.names(),
        config=config,
        settings={spec.name: spec.settings(VIEW) for _, spec in figures_of()},
        source=source_state(workflow.basedir),
    run:
        write_article(
            dict(input.items()), params.names, params.config, params.settings, params.source, output[0], log[0]
        )
