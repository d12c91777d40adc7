"""Analytics' domain: the read-model documents, the folds into them and the reports, no I/O."""
