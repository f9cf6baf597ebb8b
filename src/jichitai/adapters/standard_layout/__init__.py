"""The standard intermediate layout (中間標準レイアウト) on disk: layout files and CSV export."""
