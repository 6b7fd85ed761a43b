// The interactive diagram viewer of autograd_mini.viz.html: pan, zoom, hover details,
// collapsible layer boxes, search, and (for flipbooks) paging. No network, no libraries.
// The page holds the SVG inline (#stage) or, for a flipbook, the frames as JSON (#frames).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const view = $("view"), stage = $("stage"), tip = $("tip");
  const XLINK = "http://www.w3.org/1999/xlink";
  let scale = 1, tx = 0, ty = 0;          // stage transform: translate(tx, ty) scale(scale)
  let nodeBoxes = null;                   // [{g, id, cx, cy}], measured on first need
  let hits = [], hitAt = -1;

  // Zoomed far out, text is under ~4 px: not drawing it keeps panning big graphs smooth.
  const FAR = 0.3;
  function apply() {
    if (snap && !snap.box.hidden) {        // dragging a big graph: only its picture moves
      snap.canvas.style.transform = `translate(${tx}px, ${ty}px)`;
      return;
    }
    stage.style.transform = `translate(${tx}px, ${ty}px) scale(${scale})`;
    stage.classList.toggle("far", scale < FAR);
    if (snap && snap.scale !== scale) { dropSnapshot(); planSnapshot(); }
  }

  // Big graphs (thousands of nodes) repaint slowly; while dragging, a picture of the graph at
  // the current zoom moves instead (over a white box: the SVG underneath stays put until the
  // drag ends), taken when the view has been still for a moment.
  const BIG = 1500, MAX_PIXELS = 24e6;
  let snap = null, snapTimer = 0;
  function planSnapshot() {
    clearTimeout(snapTimer);
    if (stage.querySelectorAll("g.node").length >= BIG) snapTimer = setTimeout(takeSnapshot, 400);
  }
  async function takeSnapshot() {
    const el = svg(); if (!el) return;
    const [w, h] = size(el), at = scale;
    const W = Math.ceil(w * at), H = Math.ceil(h * at);
    if (W * H > MAX_PIXELS) { dropSnapshot(); return; }  // zoomed in: the live SVG pans fast enough
    const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(el)], { type: "image/svg+xml" }));
    try {
      const img = new Image(); img.src = url; await img.decode();
      if (at !== scale) return;             // zoomed meanwhile: a newer snapshot is planned
      const box = document.createElement("div"), canvas = document.createElement("canvas");
      box.id = "snapshot"; box.hidden = true; box.appendChild(canvas);
      canvas.width = W; canvas.height = H;
      canvas.getContext("2d").drawImage(img, 0, 0, W, H);
      dropSnapshot();
      view.appendChild(box);
      snap = { box, canvas, scale: at };
    } finally { URL.revokeObjectURL(url); }
  }
  function dropSnapshot() { if (snap) { snap.box.remove(); snap = null; } }
  function showSnapshot(on) {
    if (!snap) return;
    snap.canvas.style.transform = `translate(${tx}px, ${ty}px)`;
    snap.box.hidden = !on;
    if (!on) apply();                       // the SVG catches up, once
  }
  function svg() { return stage.querySelector("svg"); }
  function size(el) {                     // the SVG's own size in CSS px (unscaled)
    const box = el.viewBox && el.viewBox.baseVal;
    const w = el.width.baseVal.value || (box && box.width) || 100;
    const h = el.height.baseVal.value || (box && box.height) || 100;
    return [w, h];
  }
  // Fit: graphs wider (or taller) than the window are scaled down to fit; small ones stay 1:1.
  let userMoved = false;                  // once the user pans or zooms, resizes keep their view
  function fit() {
    const el = svg(); if (!el) return;
    const [w, h] = size(el);
    const r = view.getBoundingClientRect();
    if (r.width < 40 || r.height < 40) return;  // not laid out yet (an iframe): the observer refits
    scale = Math.min(1, (r.width - 16) / w, (r.height - 16) / h);
    tx = Math.max(8, (r.width - w * scale) / 2); ty = 8;
    apply();
  }
  function zoomAt(factor, px, py) {       // keep the point (px, py) of the view still
    userMoved = true;
    const s = Math.min(8, Math.max(0.02, scale * factor));
    tx = px - (px - tx) * (s / scale); ty = py - (py - ty) * (s / scale); scale = s;
    apply();
  }

  // --- pan with the mouse, zoom with the wheel or the buttons ---------------------------
  let drag = null, moved = false;
  view.addEventListener("mousedown", (e) => {
    // (no "grabbing" cursor: a cursor change restyles every SVG element, 1 s on big graphs)
    drag = { x: e.clientX, y: e.clientY, tx, ty }; moved = false;
    if (snap && snap.scale === scale) showSnapshot(true);
  });
  window.addEventListener("mousemove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) moved = userMoved = true;
    tx = drag.tx + dx; ty = drag.ty + dy; apply();
  });
  window.addEventListener("mouseup", () => {
    if (drag) showSnapshot(false);
    drag = null;
  });
  view.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = view.getBoundingClientRect();
    zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  const centre = () => { const r = view.getBoundingClientRect(); return [r.width / 2, r.height / 2]; };
  $("zoom-in").onclick = () => zoomAt(1.25, ...centre());
  $("zoom-out").onclick = () => zoomAt(0.8, ...centre());
  $("fit").onclick = fit;
  new ResizeObserver(() => { if (!userMoved) fit(); }).observe(view);

  // --- hover: the node's full text (Graphviz writes the tooltip as xlink:title) ----------
  function tipText(g) {
    if (g.dataset.tip === undefined) {
      const a = g.querySelector("a");
      const t = a && (a.getAttributeNS(XLINK, "title") || a.getAttribute("xlink:title") || a.getAttribute("title"));
      g.dataset.tip = t || (g.querySelector("text") || g).textContent;
      // the viewer shows it; the browser's own tooltip would be a second copy
      if (a) { a.removeAttributeNS(XLINK, "title"); a.removeAttribute("title"); }
    }
    return g.dataset.tip;
  }
  stage.addEventListener("mouseover", (e) => {
    const g = e.target.closest("g.node");
    if (!g || drag) { tip.hidden = true; return; }
    tip.textContent = tipText(g);
    tip.hidden = false;
  });
  stage.addEventListener("mousemove", (e) => {
    if (tip.hidden) return;
    const x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 4);
    const y = Math.min(e.clientY + 14, window.innerHeight - tip.offsetHeight - 4);
    tip.style.left = Math.max(0, x) + "px"; tip.style.top = Math.max(0, y) + "px";
  });
  stage.addEventListener("mouseout", (e) => {
    if (!e.relatedTarget || !e.relatedTarget.closest || !e.relatedTarget.closest("g.node")) tip.hidden = true;
  });

  // --- click a layer box: collapse (hide what is inside) or expand it -------------------
  function measure() {
    if (nodeBoxes) return nodeBoxes;
    nodeBoxes = [];
    for (const g of stage.querySelectorAll("g.node")) {
      const b = g.getBBox();
      nodeBoxes.push({ g, id: g.querySelector("title").textContent, cx: b.x + b.width / 2, cy: b.y + b.height / 2 });
    }
    return nodeBoxes;
  }
  function inside(b, x, y) { return x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height; }
  function toggle(cluster) {
    const shape = cluster.querySelector("polygon, path");
    const box = shape.getBBox();
    const collapsing = !cluster.classList.contains("collapsed");
    const hidden = new Set();
    for (const n of measure()) {
      if (inside(box, n.cx, n.cy)) { n.g.classList.toggle("hidden-in-" + cluster.id, collapsing); hidden.add(n.id); }
    }
    for (const c of stage.querySelectorAll("g.cluster")) {
      if (c === cluster) continue;
      const b = c.querySelector("polygon, path").getBBox();
      if (inside(box, b.x + b.width / 2, b.y + b.height / 2)) c.classList.toggle("hidden-in-" + cluster.id, collapsing);
    }
    for (const e of stage.querySelectorAll("g.edge")) {
      const ends = e.querySelector("title").textContent.split("->");
      if (ends.length === 2 && hidden.has(ends[0]) && hidden.has(ends[1])) e.classList.toggle("hidden-in-" + cluster.id, collapsing);
    }
    cluster.classList.toggle("collapsed", collapsing);
    cluster.dataset.hiddenNodes = hidden.size;
    const label = cluster.querySelector("text");
    if (label) {
      if (label.dataset.name === undefined) label.dataset.name = label.textContent;
      label.textContent = collapsing ? `▸ ${label.dataset.name} (${hidden.size} nodes)` : label.dataset.name;
    }
  }
  stage.addEventListener("click", (e) => {
    if (moved) return;                      // the end of a drag, not a click
    const c = e.target.closest("g.cluster");
    if (c) toggle(c);
  });

  // --- search: nodes whose name, label or details contain the text ----------------------
  function search(text) {
    for (const g of hits) g.classList.remove("hit");
    hits = []; hitAt = -1;
    const q = text.trim().toLowerCase();
    if (q) {
      for (const g of stage.querySelectorAll("g.node")) {
        const words = (g.textContent + "\n" + tipText(g)).toLowerCase();
        if (words.includes(q)) { hits.push(g); g.classList.add("hit"); }
      }
    }
    next();
  }
  function next() {
    $("search-count").textContent = hits.length ? "" : ($("search").value.trim() ? "no match" : "");
    if (!hits.length) return;
    hitAt = (hitAt + 1) % hits.length;
    for (const g of hits) g.classList.remove("current");
    const g = hits[hitAt];
    g.classList.add("current");
    $("search-count").textContent = `${hitAt + 1} of ${hits.length}`;
    const b = g.getBoundingClientRect(), r = view.getBoundingClientRect();
    tx += r.left + r.width / 2 - (b.left + b.width / 2); ty += r.top + r.height / 2 - (b.top + b.height / 2);
    apply();
  }
  $("search").addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); if (e.target.value === e.target.dataset.last) next(); else { e.target.dataset.last = e.target.value; search(e.target.value); } }
    e.stopPropagation();                    // typing is not paging
  });

  // --- flipbook: frames paged with buttons and the arrow keys; the view stays put --------
  const framesData = $("frames");
  if (framesData) {
    const frames = JSON.parse(framesData.textContent);
    let k = 0;
    const show = (i) => {
      k = Math.max(0, Math.min(frames.length - 1, i));
      stage.innerHTML = frames[k];
      nodeBoxes = null; hits = []; hitAt = -1; tip.hidden = true;
      dropSnapshot(); planSnapshot();
      $("pos").textContent = `${k + 1} / ${frames.length}`;
    };
    $("prev").onclick = () => show(k - 1);
    $("next").onclick = () => show(k + 1);
    document.addEventListener("keydown", (e) => {
      if (e.key === "ArrowLeft") show(k - 1);
      if (e.key === "ArrowRight") show(k + 1);
      if (e.key === "Home") show(0);
      if (e.key === "End") show(frames.length - 1);
    });
    show(0);
  }
  fit();
  planSnapshot();
  document.body.dataset.readyMs = Math.round(performance.now());  // since navigation began
  document.body.dataset.ready = "1";        // for tests and scripts: the view is set up
})();
