"""Drawing: graphs, models and the backward pass as Graphviz diagrams.

One concept per file, in reading order:

- :mod:`~autograd_mini.viz.graph` -- ``draw_graph``/``retain_grads``, the entry point;
- :mod:`~autograd_mini.viz.view` -- the graph walk that turns Tensors into nodes and edges;
- :mod:`~autograd_mini.viz.fold` -- repeated blocks folded, the node cap, layers deeper than ``depth``;
- :mod:`~autograd_mini.viz.layers` -- grouping nodes into layer clusters;
- :mod:`~autograd_mini.viz.labels` -- numbers and text in labels;
- :mod:`~autograd_mini.viz.tooltips` -- the hover text: full values, gradient, shape, dtype, rule;
- :mod:`~autograd_mini.viz.legend` -- the key to colours and edge styles;
- :mod:`~autograd_mini.viz.flipbook` -- backward drawn step by step;
- :mod:`~autograd_mini.viz.render` -- the ``Diagram`` object and the renderers (SVG, PNG, PDF);
- :mod:`~autograd_mini.viz.html` -- the interactive HTML view (``viewer.js``, ``viewer.css``).

Nothing here is imported by ``import autograd_mini``: the top-level names load it on first use.
"""
