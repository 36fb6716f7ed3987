"""The REST API (/api/v1/): everything a lead does, plus lease and submit for custom front-ends."""
