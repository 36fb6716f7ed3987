"""Selection runs: a strategy picks pairs and writes them to the queue (selection/strategies has
the pure maths); active learning (`uncertain`) asks in batches."""
