"""Connector `news-rss`: local news from RSS 2.0 and Atom feeds, each tagged general or with a commune."""
