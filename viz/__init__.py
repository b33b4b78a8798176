"""The Durand viewer: a pygame-ce window that animates runs and forks what-if branches.

``viz`` reads results through ``sim.run.timeline`` and sends commands through it; it never
reaches into the model, and ``sim`` never imports ``viz``. Importing this package is cheap:
pygame is imported by the modules that draw.
"""
