"""`borough lifecycles [--write DIR]`: every declared lifecycle (core.lifecycle), as its
text equivalent, or written as an SVG diagram and a Markdown page per model for the docs
(docs/lifecycles/)."""

from __future__ import annotations

from pathlib import Path

from borough.core import diagrams
from borough.core.management.base import BoroughCommand
from borough.core.registry import registry


def lifecycles():
    """(model, lifecycle, title) of every registered model whose actions declare one."""
    for model, actions in sorted(registry.record_actions.items(),
                                 key=lambda item: item[0]._meta.label):
        if actions.lifecycle is not None:
            yield model, actions.lifecycle, f"The lifecycle of {model._meta.verbose_name_plural}"


class Command(BoroughCommand):
    help = "Print every declared lifecycle, or write its diagram and table (--write DIR)."

    def add_options(self, parser):
        parser.add_argument("--write", metavar="DIR",
                            help="Write <app>-<model>.svg and .md there (docs/lifecycles).")

    def run(self, *args, write=None, **options):
        for model, lifecycle, title in lifecycles():
            slug = model._meta.label_lower.replace(".", "-")
            if write:
                folder = Path(write)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{slug}.svg").write_text(diagrams.svg(lifecycle, title=title) + "\n")
                (folder / f"{slug}.md").write_text(
                    diagrams.markdown(lifecycle, title=title, image=f"{slug}.svg"))
                self.stdout.write(f"Wrote {folder / slug}.svg and .md")
            else:
                self.stdout.write(diagrams.markdown(lifecycle, title=title, image=f"{slug}.svg"))
