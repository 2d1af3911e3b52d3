// report.html's only script: plain JavaScript, no libraries, nothing fetched.
// - the replay command's copy button;
// - "jump to first error" links (and #anchors in the address) that scroll
//   to the error, also inside horizontally scrolled views, and flash it;
// - tooltips for every element with a data-tip attribute;
// - the key and process filters;
// - the timeline, drawn from the #timeline-data JSON block.
(function () {
  "use strict";

  // --- copy --------------------------------------------------------------
  var copy = document.getElementById("copy");
  if (copy) {
    copy.addEventListener("click", function () {
      var code = document.getElementById("replay");
      function select() {
        var range = document.createRange();
        range.selectNodeContents(code);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        copy.textContent = "selected: press Ctrl+C";
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(code.textContent).then(function () { copy.textContent = "copied"; }, select);
      } else {
        select();
      }
    });
  }

  // --- jumping to errors ---------------------------------------------------
  function jumpTo(id) {
    var el = document.getElementById(id);
    if (!el) return false;
    if (el.closest(".filtered")) clearFilters();
    el.scrollIntoView({ block: "center", inline: "center" });
    el.classList.add("flash");
    setTimeout(function () { el.classList.remove("flash"); }, 4000);
    document.documentElement.setAttribute("data-jumped", id);
    return true;
  }
  window.anarchoJumpTo = jumpTo;
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a.jump");
    if (!a) return;
    var id = a.getAttribute("href").slice(1);
    if (jumpTo(id)) {
      e.preventDefault();
      if (history.replaceState) history.replaceState(null, "", "#" + id);
    }
  });
  window.addEventListener("load", function () {
    if (location.hash.length > 1) jumpTo(decodeURIComponent(location.hash.slice(1)));
  });

  // --- tooltips ------------------------------------------------------------
  var tip = document.getElementById("tip");
  function showTip(e) {
    var el = e.target.closest && e.target.closest("[data-tip]");
    if (!el) { tip.hidden = true; return; }
    tip.textContent = el.getAttribute("data-tip");
    tip.hidden = false;
    var x = e.clientX + 14, y = e.clientY + 14;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 8) x = Math.max(8, e.clientX - w - 14);
    if (y + h > window.innerHeight - 8) y = Math.max(8, e.clientY - h - 14);
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }
  document.addEventListener("mousemove", showTip);
  document.addEventListener("mouseleave", function () { tip.hidden = true; });

  // --- filters ---------------------------------------------------------------
  var keyFilter = document.getElementById("filter-key");
  var procFilter = document.getElementById("filter-process");
  var filterNote = document.getElementById("filter-note");
  function filters() {
    return { key: keyFilter ? keyFilter.value.trim() : "", proc: procFilter ? procFilter.value.trim() : "" };
  }
  function applyFilters() {
    var f = filters();
    var hidden = 0;
    var els = document.querySelectorAll("main [data-key], main [data-process]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var hide = (f.key !== "" && el.hasAttribute("data-key") && el.getAttribute("data-key") !== f.key) ||
        (f.proc !== "" && el.hasAttribute("data-process") && el.getAttribute("data-process") !== f.proc);
      el.classList.toggle("filtered", hide);
      if (hide) hidden++;
    }
    filterNote.textContent = f.key || f.proc ? "filtered: " + hidden + " items hidden" : "";
    if (timeline) timeline.draw();
  }
  function clearFilters() {
    if (keyFilter) keyFilter.value = "";
    if (procFilter) procFilter.value = "";
    applyFilters();
  }
  [keyFilter, procFilter].forEach(function (el) {
    if (!el) return;
    el.addEventListener("change", applyFilters);
    el.addEventListener("input", function () { if (el.tagName === "INPUT") applyFilters(); });
  });
  var clear = document.getElementById("clear-filters");
  if (clear) clear.addEventListener("click", clearFilters);

  // --- the timeline ------------------------------------------------------------
  var timeline = null;
  var dataEl = document.getElementById("timeline-data");
  if (dataEl) timeline = makeTimeline(JSON.parse(dataEl.textContent));

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function makeTimeline(d) {
    var longest = 0;
    d.procs.forEach(function (p) { longest = Math.max(longest, String(p).length + 1); });
    d.nodes.forEach(function (n) { longest = Math.max(longest, n.length); });
    var LABEL = Math.max(64, 7 * longest + 18), LANE = 24, NODE_LANE = 18, AXIS = 24, MIN_W = 1.5;
    var OUTCOMES = ["ok", "fail", "info", "pending"];
    var box = document.getElementById("tl");
    // Gaps between windows: narrower when there are many, so that the
    // windows keep most of the width.
    var GAP = Math.max(6, Math.min(30, Math.floor(0.2 * (box.clientWidth || 1000) / d.segments.length)));
    var spacer = document.getElementById("tl-spacer");
    var svg = document.getElementById("tl-svg");
    var scaleNote = document.getElementById("tl-scale");
    var S = d.strings;
    // Expand the compact rows (see timeline.rs): absolute times, and server
    // rows as objects pointing at their operation's row.
    (function () {
      var t = 0;
      d.ops.forEach(function (o) {
        t += o[4];
        o[4] = t;
        o[5] = o[5] < 0 ? -1 : t + o[5];
      });
      t = 0;
      d.server = d.server.map(function (g) {
        t += g[1];
        return { node: g[0], from: t, to: t + g[2], op: g[3] >= 0 ? d.ops[g[3]] : null,
          names: S[g[4]], reply: g[5] >= 0 ? S[g[5]] : "", applied: g[6] === 1, conn: g[7] >= 0 ? S[g[7]] : "" };
      });
    })();
    var scale = 1, offsets = [], total = 0, pending = false;

    function span() {
      var s = 0;
      d.segments.forEach(function (g) { s += Math.max(1, g[1] - g[0]); });
      return s;
    }
    function layout() {
      offsets = [];
      var x = LABEL;
      d.segments.forEach(function (g) { offsets.push(x); x += Math.max(1, g[1] - g[0]) * scale + GAP; });
      total = x - GAP + 24;
      spacer.style.width = total + "px";
    }
    function segOf(t) {
      var lo = 0, hi = d.segments.length - 1;
      while (lo < hi) {
        var mid = (lo + hi + 1) >> 1;
        if (d.segments[mid][0] <= t) lo = mid; else hi = mid - 1;
      }
      return lo;
    }
    function X(t) {
      var i = segOf(t), g = d.segments[i];
      var c = Math.min(Math.max(t, g[0]), g[1]);
      return offsets[i] + (c - g[0]) * scale + (t > g[1] ? Math.min(GAP / 2, (t - g[1]) * scale) : 0);
    }
    function T(x) {
      for (var i = d.segments.length - 1; i >= 0; i--) {
        if (x >= offsets[i]) {
          var g = d.segments[i];
          return Math.min(g[1], g[0] + (x - offsets[i]) / scale);
        }
      }
      return d.segments[0][0];
    }
    function fit() {
      var w = Math.max(200, box.clientWidth - LABEL - 24 - GAP * (d.segments.length - 1));
      scale = w / span();
    }
    function zoom(factor, anchorPx) {
      var px = anchorPx === undefined ? box.clientWidth / 2 : anchorPx;
      var t = T(box.scrollLeft + px);
      scale = Math.min(Math.max(scale * factor, 1e-7), 50);
      layout();
      box.scrollLeft = Math.max(0, X(t) - px);
      draw();
    }
    function niceStep(minUs) {
      var p = Math.pow(10, Math.floor(Math.log10(Math.max(minUs, 1))));
      var steps = [1, 2, 5, 10];
      for (var i = 0; i < steps.length; i++) if (steps[i] * p >= minUs) return steps[i] * p;
      return 10 * p;
    }
    function fmt(us, step) {
      if (step >= 1e6) return (us / 1e6) + " s";
      if (step >= 1e3) return (us / 1e3) + " ms";
      return (us / 1e3).toFixed(3) + " ms";
    }

    // Tooltips, composed from the rows.
    var wroteOn = {};
    d.server.forEach(function (g) {
      if (g.op && g.applied) (wroteOn[g.op[0]] = wroteOn[g.op[0]] || []).push(d.nodes[g.node]);
    });
    function ms(us) { return (us / 1000).toFixed(3); }
    function opWords(o) {
      return "p" + o[1] + " " + S[o[2]] + (o[3] >= 0 ? " " + S[o[3]] : "") + (o[9] ? " " + o[9] : "") +
        " → " + (o[6] === 3 ? "never completed" : OUTCOMES[o[6]] + (o[10] ? " " + o[10] : ""));
    }
    function opTip(o) {
      var t = opWords(o) + "\n" + ms(o[4]) + "–" + (o[5] < 0 ? "…" : ms(o[5])) + " ms · event " + o[0];
      if (o[6] !== 0 && wroteOn[o[0]]) t += "\nfake-redis: a write took effect on " + wroteOn[o[0]].join(", ");
      if (o[8] >= 0) t += "\npart of a violation: click to see #" + S[o[8]];
      return t;
    }
    function serverTip(g) {
      var whom = g.op ? "for " + opWords(g.op) : "on " + g.conn + " (set-up, background, or an operation not drawn)";
      return d.nodes[g.node] + " executed " + g.names + (g.reply ? " → " + g.reply : "") + "\n" + whom + "\n" +
        ms(g.from) + "–" + ms(g.to) + " ms" + (g.applied ? "\na write took effect" : "");
    }

    function draw() {
      pending = false;
      var f = filters();
      var key = f.key, proc = f.proc;
      var procs = d.procs.filter(function (p) { return proc === "" || String(p) === proc; });
      var laneOf = {};
      procs.forEach(function (p, i) { laneOf[p] = i; });
      var nodesY = AXIS + procs.length * LANE + 8;
      var height = nodesY + d.nodes.length * NODE_LANE + 6;
      var left = box.scrollLeft, width = box.clientWidth;
      var vl = left - 40, vr = left + width + 40;
      var out = [];
      svg.setAttribute("width", width);
      svg.setAttribute("height", height);
      function vis(x0, x1) { return x1 >= vl && x0 <= vr; }
      // Lanes.
      procs.forEach(function (p, i) {
        out.push('<rect class="lane' + (i % 2 ? " alt" : "") + '" x="0" y="' + (AXIS + i * LANE) + '" width="' + width + '" height="' + LANE + '"/>');
      });
      d.nodes.forEach(function (n, j) {
        out.push('<rect class="lane node" x="0" y="' + (nodesY + j * NODE_LANE) + '" width="' + width + '" height="' + (NODE_LANE - 2) + '"/>');
      });
      // Time axis: ticks per segment, gaps between them.
      var step = niceStep(90 / scale);
      d.segments.forEach(function (g, i) {
        var x0 = offsets[i] - left, x1 = offsets[i] + (g[1] - g[0]) * scale - left;
        if (i > 0) {
          var gx = x0 - GAP;
          if (vis(gx + left, x0 + left)) {
            out.push('<rect class="gap" x="' + (gx + 2) + '" y="2" width="' + Math.max(2, GAP - 4) + '" height="' + (height - 4) +
              '" data-tip="' + esc(fmt(g[0] - d.segments[i - 1][1], 1) + " not shown (no violation or fault event near)") + '"/>');
          }
        }
        if (!vis(x0 + left, x1 + left)) return;
        for (var t = Math.ceil(g[0] / step) * step; t <= g[1]; t += step) {
          var x = X(t) - left;
          if (x < -50 || x > width + 50) continue;
          out.push('<line class="tick" x1="' + x + '" y1="' + (AXIS - 4) + '" x2="' + x + '" y2="' + height + '"/>');
          out.push('<text class="axis-label" x="' + x + '" y="' + (AXIS - 8) + '" text-anchor="middle">' + fmt(t, step) + "</text>");
        }
      });
      // Fault bands and marks across every lane.
      d.faults.forEach(function (b) {
        var x0 = X(b[0]), x1 = Math.max(X(b[1]), x0 + 2);
        if (!vis(x0, x1)) return;
        out.push('<rect class="fault ' + b[2] + '" x="' + (x0 - left) + '" y="' + AXIS + '" width="' + (x1 - x0) + '" height="' + (height - AXIS) + '" data-tip="' + esc(b[3]) + '"/>');
      });
      d.marks.forEach(function (m) {
        var x = X(m[0]);
        if (!vis(x, x)) return;
        // A server fault marks its node's lane (and the axis); a nemesis
        // event crosses every lane.
        var y0 = AXIS, y1 = height;
        if (m[1] >= 0 && m[2] === 0) {
          y0 = nodesY + m[1] * NODE_LANE;
          y1 = y0 + NODE_LANE - 2;
          out.push('<line class="mark" x1="' + (x - left) + '" y1="' + (AXIS - 5) + '" x2="' + (x - left) + '" y2="' + AXIS + '"/>');
        }
        out.push('<line class="mark' + (m[2] ? " nemesis" : "") + '" x1="' + (x - left) + '" y1="' + y0 + '" x2="' + (x - left) + '" y2="' + y1 + '" data-tip="' + esc(m[3]) + '"/>');
        out.push('<rect x="' + (x - left - 3) + '" y="' + y0 + '" width="6" height="' + (y1 - y0) + '" fill="transparent" data-tip="' + esc(m[3]) + '"/>');
      });
      // Operations.
      d.ops.forEach(function (o) {
        if (!(o[1] in laneOf)) return;
        if (key !== "" && (o[3] < 0 || S[o[3]] !== key)) return;
        var x0 = X(o[4]), x1 = o[5] < 0 ? X(d.end) : X(o[5]);
        x1 = Math.max(x1, x0 + MIN_W);
        if (!vis(x0, x1)) return;
        var y = AXIS + laneOf[o[1]] * LANE + 3;
        var cls = "op " + OUTCOMES[o[6]] + (o[8] >= 0 ? " flag" : "");
        var anchor = o[8] >= 0 ? ' data-anchor="' + esc(S[o[8]]) + '"' : "";
        out.push('<rect class="' + cls + '"' + anchor + ' x="' + (x0 - left) + '" y="' + y + '" width="' + (x1 - x0) + '" height="' + (LANE - 11) + '" rx="2" data-tip="' + esc(opTip(o)) + '"/>');
        if (o[7] && o[6] !== 0) {
          out.push('<path class="applied" d="M' + (x1 - left + 1) + " " + y + " l6 0 l-3 6 z" + '" data-tip="' + esc("fake-redis executed this operation's write: it took effect") + '"/>');
        }
      });
      // What the servers ran: ticks under the operation, and the node lanes.
      d.server.forEach(function (g) {
        var o = g.op;
        if (key !== "" && (!o || o[3] < 0 || S[o[3]] !== key)) return;
        if (proc !== "" && (!o || String(o[1]) !== proc)) return;
        var x0 = X(g.from), x1 = Math.max(X(g.to), x0 + 2);
        if (!vis(x0, x1)) return;
        var cls = "srv" + (g.applied ? " wrote" : o ? "" : " bg");
        var tipAttr = ' data-tip="' + esc(serverTip(g)) + '"';
        if (o && o[1] in laneOf) {
          var ty = AXIS + laneOf[o[1]] * LANE + LANE - 7;
          out.push('<rect class="' + cls + '" x="' + (x0 - left) + '" y="' + ty + '" width="' + (x1 - x0) + '" height="4"' + tipAttr + "/>");
        }
        if (g.node >= 0) {
          var ny = nodesY + g.node * NODE_LANE + 3;
          out.push('<rect class="' + cls + '" x="' + (x0 - left) + '" y="' + ny + '" width="' + (x1 - x0) + '" height="' + (NODE_LANE - 8) + '"' + tipAttr + "/>");
        }
      });
      // Lane labels over everything, at the left edge.
      out.push('<rect class="label-bg" x="0" y="0" width="' + (LABEL - 6) + '" height="' + height + '"/>');
      procs.forEach(function (p, i) {
        out.push('<text class="label" x="6" y="' + (AXIS + i * LANE + 15) + '">p' + p + "</text>");
      });
      d.nodes.forEach(function (n, j) {
        out.push('<text class="label" x="6" y="' + (nodesY + j * NODE_LANE + 12) + '">' + esc(n) + "</text>");
      });
      svg.innerHTML = out.join("");
      scaleNote.textContent = Number((1 / scale).toPrecision(3)) + " ms per 1000 px" +
        (d.windowed ? " · " + d.segments.length + " windows" : "");
    }
    function schedule() {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(draw);
    }

    box.addEventListener("scroll", schedule);
    window.addEventListener("resize", schedule);
    box.addEventListener("wheel", function (e) {
      if (!e.ctrlKey) return;
      e.preventDefault();
      var rect = box.getBoundingClientRect();
      zoom(e.deltaY < 0 ? 1.25 : 0.8, e.clientX - rect.left);
    }, { passive: false });
    document.querySelectorAll("[data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () {
        var z = b.getAttribute("data-zoom");
        if (z === "in") zoom(2);
        else if (z === "out") zoom(0.5);
        else { fit(); layout(); box.scrollLeft = 0; draw(); }
      });
    });
    svg.addEventListener("click", function (e) {
      var a = e.target.getAttribute && e.target.getAttribute("data-anchor");
      if (a) jumpTo(a);
    });
    fit();
    layout();
    draw();
    return { draw: draw };
  }
})();
