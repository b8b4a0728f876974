"""gongkai (公开): performance-evaluation and final-accounts disclosure reports from YAML + Markdown."""

__version__ = "0.1.0"
