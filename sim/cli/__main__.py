"""`python -m sim.cli` runs the durand command line."""

from sim.cli.main import main

main()
