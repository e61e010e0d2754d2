"""Local stand-ins for the outside systems: the backend ops API and GitHub's REST API."""
