"""Code shared by the news domain's functions (the news service and the `news-rss` connector, which keeps the
home screen's `news` tile): the public view of an article and the read of a tag's newest articles.
Shipped as the `news` layer (`layers/news/python`)."""
