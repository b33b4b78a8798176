"""The model: state arrays over replicates, mechanisms, kernels, random streams, agents."""
