"""The REST API under /api/v1: a URL table per feature, schemas in and out, one error shape."""
