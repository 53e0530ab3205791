"""The catalogue's REST API: thin doors onto datasets.selectors and datasets.services."""
