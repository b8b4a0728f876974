"""Review: ``gongkai diff`` between two revisions."""
