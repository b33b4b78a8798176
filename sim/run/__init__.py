"""Running scenarios: the runner, timelines, recorded outputs, events and summaries."""
