"""shopify-events-mock: a local, faithful clone of Shopify's Admin REST API Event endpoints."""
