"""townhall: live public dialogues with questions, votes and deduplication by meaning."""

__version__ = "0.1.0"
