"""What the answers say: aggregation in SQL (aggregate.py), Plotly figures (charts.py)."""
