"""The kernel: crypto and keys, stored files, forms, throttling and errors for every app.

It imports no app of the project (the layer contract in pyproject.toml)."""
