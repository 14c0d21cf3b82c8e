"""The AI Project Charter's domain layer: cross-stage consistency, the charter's structured content and its
renderings (Markdown, JSON, HTML, PDF). Pure functions over the stored deliverables; the background run, the
model and the pages live elsewhere and call these."""
