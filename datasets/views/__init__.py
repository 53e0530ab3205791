"""Pages and file views of the catalogue: thin doors to datasets.selectors and services."""
