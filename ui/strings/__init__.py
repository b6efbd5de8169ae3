"""The UI strings of the weekly operating views, one table per page; ``ui.i18n`` merges them into its one table."""
