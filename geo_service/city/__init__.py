"""A city's set-up: what its database holds and still lacks (``geo-service city check``)."""
