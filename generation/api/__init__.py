"""The REST API of models, training runs and generation jobs: doors onto generation.services."""
