"""Analysis over run results: compare, explain, calibration, evidence, the library."""
