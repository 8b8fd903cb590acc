"""The key layout of the news table, in one place for its writer (the `news-rss` connector) and its readers (the
news service, the connector's `news` tile). No I/O, no boto3.

    pk = NEWS#<id>   sk = ARTICLE     the article
    pk = NEWS#<id>   sk = TAG#<tag>   one entry per tag (`general`, or a commune's INSEE code), on the `by_tag`
                                      index: gsi1pk = TAG#<tag>, gsi1sk = <published UTC>#<id> (newest first)
    pk = FEED#<connector>  sk = STATE | RUN#...   the feed state (`poche_common.feeds`)
"""

from __future__ import annotations

CONNECTOR = "news-rss"
ARTICLE = "ARTICLE"
BY_TAG_INDEX = "by_tag"
BY_TAG_PK, BY_TAG_SK = "gsi1pk", "gsi1sk"  # the attributes of the `by_tag` index
GENERAL = "general"  # the tag of the département's news, shown with every commune's


def article_pk(article_id: str) -> str:
    return f"NEWS#{article_id}"


def tag_key(tag: str) -> str:
    """The sort key of an article's entry for `tag`, and the `by_tag` partition of that tag's articles."""
    return f"TAG#{tag}"


def by_tag_sk(published: str, article_id: str) -> str:
    """gsi1sk of a tag entry: the publication time (UTC ISO) then the id, so the index sorts newest last."""
    return f"{published}#{article_id}"
