"""Durand: an agent-based model of counterterrorism cooperation around the Durand Line.

Importing the package is cheap on purpose: the CLI's ``--help`` must answer without
loading numpy, mesa or the model. Import ``sim.model.model`` or ``sim.run.runner`` for the work.
"""

__version__ = "0.1.0"

ACTORS = ("US", "PAK", "AFG", "CHN", "TTP", "ISKP", "BLA")
STATES = ("US", "PAK", "AFG", "CHN")
GROUPS = ("TTP", "ISKP", "BLA")
