"""Groundline: a self-hosted support chatbot that answers only from your documents."""

__version__ = "0.1.0"
