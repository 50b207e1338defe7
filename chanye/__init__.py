"""Chanye (产业): the platform that runs a district's modern industrial system."""
