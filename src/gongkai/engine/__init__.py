"""Stage 1, shared by every kind: reading YAML with positions, problems, decimals, \
paths inside the project, the pipeline."""
