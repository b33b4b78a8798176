"""Inputs: scenario files, the parameter registry, YAML reading and the project's errors."""
