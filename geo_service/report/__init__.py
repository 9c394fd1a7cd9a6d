"""The round table's situation report: what changed since the last meeting, as HTML or PDF."""
