"""Helpers for the cutover and bootstrap tests: a real moto server, HTTPS probe servers."""
