"""Analytics' domain: report shapes and the arithmetic behind them, no I/O."""
