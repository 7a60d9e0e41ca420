"""Prompt templates, one file per prompt (Jinja2, rendered by groundline.prompts.render)."""
