"""``geo-service bench``: performance figures side by side with baselines on the same input."""
