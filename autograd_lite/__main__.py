"""``python -m autograd_lite``: print the op table as Markdown (the README's)."""

from .ops import markdown_table

print(markdown_table())
