"""HTTP plumbing: errors as problem+json, auth, headers, limits, cursors, pages, OpenAPI."""
