"""The web console: pages for citizens and staff, over the services' public APIs."""
