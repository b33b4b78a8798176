"""Sweeps: many design points x replicates, streamed to Parquet, with analysis and replay."""
