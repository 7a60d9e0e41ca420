"""`python -m groundline`: the same as the `groundline` command."""

from groundline.cli import main

main()
