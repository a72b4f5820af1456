"""Developer tools (not used by the runner at run time)."""
