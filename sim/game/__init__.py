"""The strategy game: four playable states in quarterly turns over the Durand model.

Import the submodules for the work (``sim.game.engine.Game``); importing the package is
cheap, so ``durand --help`` stays fast.
"""
