"""Each weekly view's own tables, tiles and pickers, beside its page (pages/<name>.py): what only that page lays out."""
