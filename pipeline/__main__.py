"""`python -m pipeline` is the `takedowns` command."""

from pipeline.cli import main

main()
