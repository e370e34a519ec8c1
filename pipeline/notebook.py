"""Run the exploration notebooks on a pipeline output and export them as static HTML.

The notebooks run with the Jupyter kernel `newscorpus`, the project's environment registered inside the virtual
environment (`make kernel`, part of `make setup`); the exported HTML has its images inline and loads nothing from
the network (no MathJax, RequireJS or Mermaid scripts), so it opens from the file system like the report.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

KERNEL = "newscorpus"
CELL_TIMEOUT = 300  # seconds a cell may run before the execution fails
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colours in IPython tracebacks

# The JupyterLab look of nbconvert's `lab` template without the scripts it would fetch from a CDN.
_OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


class NotebookError(RuntimeError):
    """A notebook could not be run."""


class KernelMissingError(NotebookError):
    """The project's kernel is not registered in this environment."""


def kernel_missing_message(kernel: str = KERNEL) -> str:
    return (f"Jupyter kernel {kernel!r} is not registered in {sys.prefix}: run `make kernel` "
            f"(or `{sys.executable} -m ipykernel install --sys-prefix --name {kernel}`)")


def check_kernel(kernel: str = KERNEL) -> dict[str, Any]:
    """The kernel's spec (argv, display_name, ...); raises KernelMissingError when it is not registered."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        return KernelSpecManager().get_kernel_spec(kernel).to_dict()
    except NoSuchKernel:
        raise KernelMissingError(kernel_missing_message(kernel)) from None


def _kernel_env(out: Path) -> dict[str, str]:
    """The caller's environment, the output folder to read, and this checkout's `pipeline` first on the path."""
    package_root = str(Path(__file__).resolve().parent.parent)
    path = [package_root, *[p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != package_root]]
    return {**os.environ, "PIPELINE_OUT": str(out.resolve()), "PYTHONPATH": os.pathsep.join(path), "MPLBACKEND": "Agg"}


def execute_notebook(notebook: str | Path, out: str | Path, kernel: str = KERNEL,
                     timeout: int = CELL_TIMEOUT) -> Any:
    """Run every cell of `notebook` on the output folder `out`; returns the executed nbformat notebook.

    The kernel starts in the notebook's folder with PIPELINE_OUT=out; the first failing cell raises NotebookError
    with the cell's traceback.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    check_kernel(kernel)
    path = Path(notebook)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, allow_errors=False,
                            resources={"metadata": {"path": str(path.resolve().parent)}})
    try:
        client.execute(env=_kernel_env(Path(out)))
    except CellExecutionError as exc:
        raise NotebookError(f"{path} failed on {out}:\n{ANSI.sub('', str(exc))}") from exc
    return nb


def to_html(nb: Any, title: str) -> str:
    """A standalone HTML page of an (executed) notebook: JupyterLab styles inline, images as data URIs, no scripts."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", template_file="offline.html.j2",
                            extra_loaders=[DictLoader({"offline.html.j2": _OFFLINE_TEMPLATE})])
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return str(body)


def export_notebooks(out: str | Path, dest: str | Path, notebooks: list[Path] | None = None,
                     kernel: str = KERNEL) -> list[Path]:
    """Execute each notebook (default: every notebooks/*.ipynb) on `out`; write dest/<stem>.html; returns the files."""
    paths = sorted(NOTEBOOKS.glob("*.ipynb")) if notebooks is None else [Path(p) for p in notebooks]
    target = Path(dest)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        nb = execute_notebook(path, out, kernel)
        html_file = target / f"{path.stem}.html"
        tmp = html_file.with_name(f".{html_file.name}.tmp")
        tmp.write_text(to_html(nb, path.stem), encoding="utf-8")
        os.replace(tmp, html_file)
        written.append(html_file)
    return written
