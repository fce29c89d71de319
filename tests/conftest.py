"""Shared fixtures: the loaded extractor (session scope) and fixture paths."""

from pathlib import Path

import pytest

from models.article import Article, Source

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@pytest.fixture(scope="session")
def extractor():
    from pipeline.extract import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def analyze(extractor):
    """Text (and a publish date) -> records, as the pipeline would make them from an article."""

    def run(
        text: str,
        published: str | None = "2021-06-15",
        title: str | None = None,
        url: str | None = None,
        site: str | None = None,
    ):
        article = Article(
            source=Source(sha256="0" * 64, published=published, title=title, url=url, site=site),
            text=text,
            method="trafilatura",
            encoding="utf-8",
        )
        return extractor.extract(article)

    return run
