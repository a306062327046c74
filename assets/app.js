// Spotify Insights Hub: the app's only script of its own (the CSP forbids inline ones).
// Everything here is an enhancement: every page works without it.
(function () {
  "use strict";

  // Styles for "scripts work" (charts shown) versus the no-JS view (tables only).
  document.documentElement.classList.add("js");

  function meta(name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute("content") : "";
  }

  // --- htmx set-up ---------------------------------------------------------------------
  if (window.htmx) {
    // Validation errors (422), "did you mean" answers (404), refused CSRF (403) and
    // throttled logins (429) carry a fragment meant for the page: swap them in.
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "(403|404|422|429)", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false },
    ];
  }

  // Every htmx request carries the CSRF token as a header; plain forms carry the field.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = meta("csrf-token");
    if (token) {
      event.detail.headers["X-CSRF-Token"] = token;
    }
  });

  // A request that failed outright (server down, 500) gets a visible message instead
  // of a silent no-op.
  document.addEventListener("htmx:responseError", function (event) {
    showToast("The server could not answer (" + event.detail.xhr.status + "). Please try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    showToast("The server cannot be reached. Check that it is running.");
  });

  // A background request marked data-clears-own-notice (the perfect-song page's save of
  // its settings) takes back a notice it raised (the server down, a 500) once one of its
  // later requests works: the notice no longer describes anything. Notices raised by
  // anything else stay. The notice area remembers which element raised what it shows.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var notices = document.getElementById("notices");
    if (!notices || !xhr || xhr.getResponseHeader("HX-Retarget") !== "#notices") {
      return;
    }
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    notices.setAttribute("data-raised-by", (source && source.id) || "");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var source = event.detail.elt;
    var xhr = event.detail.xhr;
    if (!source || !source.id || !source.hasAttribute || !source.hasAttribute("data-clears-own-notice")) {
      return;
    }
    var notices = document.getElementById("notices");
    if (notices && xhr && xhr.status >= 200 && xhr.status < 300 &&
        notices.getAttribute("data-raised-by") === source.id) {
      notices.textContent = "";
      notices.removeAttribute("data-raised-by");
    }
  });

  // A field marked data-enter-clicks="ID" presses that button on Enter, instead of its
  // form's first button (the perfect-song profile name, whose field belongs to the
  // settings form but whose button is "Save profile"). The button is pressed as a
  // pointer presses it: focus goes to it, then back to the field. htmx sends a form to
  // the address of the button that sent it last until focus leaves that button; one
  // that never had focus kept it, and the next slider move was sent as a profile save.
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || !field || !field.getAttribute) {
      return;
    }
    var id = field.getAttribute("data-enter-clicks");
    var button = id && document.getElementById(id);
    if (button) {
      event.preventDefault();
      button.focus();
      button.click();
      field.focus();
    }
  });

  function showToast(text) {
    var toast = document.getElementById("toast");
    if (!toast) {
      toast = document.createElement("div");
      toast.id = "toast";
      toast.className = "toast";
      toast.setAttribute("role", "alert");
      document.body.appendChild(toast);
    }
    toast.textContent = text;
    toast.classList.add("visible");
    window.setTimeout(function () {
      toast.classList.remove("visible");
    }, 5000);
  }

  // --- charts ---------------------------------------------------------------------------
  // The server renders each chart's ECharts option into data-chart (or, for a live
  // answer, names where to fetch it: data-chart-src below). ECharts (1 MB) is loaded only
  // on pages that have a chart.
  var echartsLoading = null;

  function loadEcharts() {
    if (window.echarts) {
      return Promise.resolve(window.echarts);
    }
    if (!echartsLoading) {
      echartsLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = meta("echarts-src");
        script.onload = function () {
          resolve(window.echarts);
        };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return echartsLoading;
  }

  var darkScheme = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  // Whether the page is being printed (see "paper" below): charts are then drawn light.
  var onPaper = false;
  // What a chart is drawn for on paper: about the width of an A4 or Letter sheet's text
  // less a card's padding (app.css scales the drawing to the exact width), and the
  // print palette's text colour (app.css, "paper").
  var PAPER_WIDTH = 680;
  var PAPER_TEXT = "#000000";
  // Asked for by people whom movement on screen distracts or makes unwell: charts then
  // appear drawn, without bars growing and lines sweeping in (WCAG 2.3.3).
  var reducedMotion = window.matchMedia
    ? window.matchMedia("(prefers-reduced-motion: reduce)")
    : null;

  // A series that is the same on every answer (the catalog sample behind the perfect-song
  // chart) is named by data-series-beneath and fetched once per URL, not sent in every
  // fragment. Without it the chart still draws, just without the faint lines.
  var seriesBeneath = {};
  // The same, once loaded, by URL: printing redraws charts at once (see "paper" below),
  // with no time to wait for a promise.
  var seriesBeneathLoaded = {};

  // The body of a same-origin GET, as text; a failure for any answer but 2xx.
  function fetchText(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.text();
    });
  }

  function loadSeriesBeneath(url) {
    if (!url) {
      return Promise.resolve([]);
    }
    if (!seriesBeneath[url]) {
      seriesBeneath[url] = fetchText(url).then(function (text) {
        seriesBeneathLoaded[url] = [JSON.parse(text)];
        return seriesBeneathLoaded[url];
      });
      seriesBeneath[url].catch(function () {
        delete seriesBeneath[url];
      });
    }
    return seriesBeneath[url].catch(function () {
      return [];
    });
  }

  // A live answer's charts name, in data-chart-src, a URL that gives every chart's option
  // by element id: they are drawn only once the answers pause, so the options are
  // fetched then instead of coming with every answer. Only the latest URL is kept (the
  // charts of one answer share it).
  var fetchedOptions = { url: null, options: null, text: null };

  function loadOptions(url) {
    if (fetchedOptions.url !== url) {
      fetchedOptions.url = url;
      fetchedOptions.text = null;
      fetchedOptions.options = fetchText(url);
      fetchedOptions.options.then(function (text) {
        if (fetchedOptions.url === url) {
          fetchedOptions.text = text;
        }
      }, function () {});
      fetchedOptions.options.catch(function () {
        if (fetchedOptions.url === url) {
          fetchedOptions.url = null;
        }
      });
    }
    return fetchedOptions.options;
  }

  function optionOf(el) {
    var src = el.getAttribute("data-chart-src");
    if (src) {
      // Parsed per chart: drawing adds to the option, and a chart may be drawn again.
      return loadOptions(src).then(function (text) {
        return JSON.parse(text)[el.id] || null;
      });
    }
    try {
      return Promise.resolve(JSON.parse(el.getAttribute("data-chart")));
    } catch (e) {
      return Promise.resolve(null);
    }
  }

  // A chart's option and the series beneath it, when both are already loaded; null when
  // either is still on its way (or failed).
  function optionNow(el) {
    var src = el.getAttribute("data-chart-src");
    var option = null;
    try {
      if (!src) {
        option = JSON.parse(el.getAttribute("data-chart"));
      } else if (fetchedOptions.url === src && fetchedOptions.text) {
        option = JSON.parse(fetchedOptions.text)[el.id] || null;
      }
    } catch (e) {
      return null;
    }
    var beneathUrl = el.getAttribute("data-series-beneath");
    var beneath = beneathUrl ? seriesBeneathLoaded[beneathUrl] : [];
    if (!option || !beneath) {
      return null;
    }
    option.series = beneath.concat(option.series || []);
    return option;
  }

  function drawChart(el) {
    Promise.all([optionOf(el), loadSeriesBeneath(el.getAttribute("data-series-beneath"))]).then(
      function (loaded) {
        var option = loaded[0];
        // The fragment may have been swapped out while the option or series loaded.
        if (option && el.isConnected) {
          option.series = loaded[1].concat(option.series || []);
          setChartOption(el, option);
        }
      },
      function () {
        // Without its option the chart stays empty; the table beside it has the numbers.
      }
    );
  }

  // A radar's axis names on a narrow chart (its tooltip keeps the full ones).
  var SHORT_FEATURE_NAMES = {
    Danceability: "Dance",
    Acousticness: "Acoustic",
    Instrumentalness: "Instrum.",
    Speechiness: "Speech",
    Liveness: "Live"
  };

  // The widths at which setChartOption lays a radar or parallel axes out differently.
  function widthClass(width) {
    return width < 480 ? "narrow" : width < 800 ? "medium" : "wide";
  }

  // Parallel axes closer than this many pixels cut their slanted names to the space
  // between them ("Acousticn…", "Tempo (B…" with nine axes on a wide page): they are
  // laid out as on a narrow chart.
  var CROWDED_AXIS_SPACING = 80;

  // The layout a chart of `option` gets at `width`: its width class, and whether its
  // parallel axes are crowded. Kept on the element, to lay out again when it changes.
  function layoutClass(width, option) {
    var axes = option && option.parallelAxis ? [].concat(option.parallelAxis).length : 0;
    var crowded = axes > 0 && width / axes < CROWDED_AXIS_SPACING;
    return widthClass(width) + (crowded ? " crowded" : "");
  }

  // On a narrow chart the parallel axes stand close together: their names stand more
  // upright, so each is read whole instead of cut to three letters, and an axis keeps
  // its numbers only when its range differs from the axis before it and that one shows
  // none (five 0-to-1 scales side by side, or tempo beside loudness, ran into each
  // other; the table under the chart has every value). The margins the slanted names
  // needed go to the axes.
  function narrowParallel(option) {
    [].concat(option.parallel).forEach(function (parallel) {
      parallel.left = 14;
      parallel.right = 40;
      parallel.top = 100;
    });
    var previousRange = null;
    var previousNumbered = false;
    (option.parallelAxis || []).forEach(function (axis) {
      var range = axis.min + ":" + axis.max;
      var numbered = range !== previousRange && !previousNumbered;
      axis.nameRotate = 65;
      // ECharts cuts a name to the space between two axes; upright, it has the
      // chart's top margin instead.
      axis.nameTruncate = { maxWidth: 90 };
      // Small numbers close to their axis: "250" fits before the next one.
      axis.axisLabel = Object.assign({}, axis.axisLabel || {}, { fontSize: 10, margin: 4 });
      if (!numbered) {
        axis.axisLabel.formatter = function () {
          return "";
        };
      }
      previousRange = range;
      previousNumbered = numbered;
    });
  }

  // On a narrow chart a legend on top wraps, about three names a row: the plot starts
  // below its last row. Seven lines by decade wrapped to three rows over the top of
  // the plot's scale.
  function narrowLegendRoom(option) {
    var names = (option.series || []).length;
    var needed = 32 + Math.ceil(names / 3) * 24;
    [].concat(option.grid).forEach(function (grid) {
      if (typeof grid.top === "number" && grid.top < needed) {
        grid.top = needed;
      }
    });
  }

  // A legend names its series in a row; a name from the dataset may be a run of 300
  // letters, whose one entry filled the row and hid the others' colours. Each name is
  // cut, with an ellipsis, and shown whole on hover (the table beside the chart has it
  // too).
  var LEGEND_NAME_CHARS = { narrow: 18, medium: 28, wide: 40 };
  function legendNamesFit(option, size) {
    var most = LEGEND_NAME_CHARS[size] || LEGEND_NAME_CHARS.wide;
    [].concat(option.legend || []).forEach(function (legend) {
      // The server's own formatter stays; ours is made again for the new size.
      if (legend.formatter && !legend.formatter.fitsNames) {
        return;
      }
      legend.formatter = function (name) {
        var chars = Array.from(String(name));
        return chars.length > most ? chars.slice(0, most - 1).join("") + "…" : name;
      };
      legend.formatter.fitsNames = true;
      legend.tooltip = Object.assign({ show: true }, legend.tooltip || {});
    });
  }

  // `drawn`, when given, is the size in CSS pixels to draw at (see "paper").
  function setChartOption(el, option, drawn) {
    option.backgroundColor = "transparent";
    // A tooltip stays inside its chart: at 360 px one opened by a point on the left
    // half ran up to 98 px off the screen, taking its heading and series names along.
    // In the dark scheme it takes the page's own surface and text: ECharts' dark theme
    // left it a white box over the dark chart.
    var darkTooltip = darkScheme && darkScheme.matches && !onPaper;
    var page = window.getComputedStyle(document.documentElement);
    if (option.tooltip) {
      [].concat(option.tooltip).forEach(function (tooltip) {
        tooltip.confine = true;
        if (darkTooltip) {
          tooltip.backgroundColor = page.getPropertyValue("--surface").trim() || "#1b1e21";
          tooltip.borderColor = page.getPropertyValue("--field-border").trim() || "#737b87";
          tooltip.textStyle = Object.assign({}, tooltip.textStyle || {}, {
            color: page.getPropertyValue("--text").trim() || "#e9ecef",
          });
        }
      });
    }
    if ((reducedMotion && reducedMotion.matches) || onPaper) {
      option.animation = false;
    }
    // Radar names in the page's own text colour (the themes draw them faint), so they
    // read in light and dark alike.
    // On a narrow chart the radar shrinks and its names get smaller, so that the names
    // at its sides stay inside the canvas.
    // (On paper the print palette's text: the page's colour is still the screen's when
    // printing starts.)
    var text = onPaper ? PAPER_TEXT : window.getComputedStyle(el).color;
    var width = drawn ? drawn.width : el.clientWidth;
    var size = widthClass(width);
    var layout = layoutClass(width, option);
    var radars = option.radar ? [].concat(option.radar) : [];
    // In the dark scheme the theme's grey bands (#474a4c, #3f444a) left a blue series
    // at 1.7:1, under the 3:1 graphics need (WCAG 1.4.11): the rings are drawn as thin
    // lines on the card instead, which every series colour reads against.
    var darkRadar = darkScheme && darkScheme.matches && !onPaper;
    radars.forEach(function (radar) {
      radar.axisName = Object.assign({}, radar.axisName || {}, { color: text });
      if (darkRadar) {
        radar.splitArea = { show: false };
        radar.splitLine = { lineStyle: { color: "rgba(255, 255, 255, 0.18)" } };
        radar.axisLine = { lineStyle: { color: "rgba(255, 255, 255, 0.18)" } };
      }
      if (size === "narrow") {
        // Short names, so the radar itself can be larger: with the full ones at its
        // sides ("Instrumentalness"), four artists' shapes shared about 110 px.
        radar.radius = "62%";
        radar.nameGap = 6;
        radar.axisName.fontSize = 11;
        radar.axisName.formatter = function (name) {
          return SHORT_FEATURE_NAMES[name] || name;
        };
      } else if (size === "medium") {
        radar.radius = "60%";
        radar.axisName.fontSize = 13;
      }
    });
    if ((size === "narrow" || layout !== size) && option.parallel) {
      narrowParallel(option);
    }
    if (size === "narrow" && option.legend && option.grid) {
      narrowLegendRoom(option);
    }
    legendNamesFit(option, size);
    // Kept on the element, not in an attribute: the markup stays the server's.
    el.chartWidthClass = layout;
    var existing = window.echarts.getInstanceByDom(el);
    var theme = darkScheme && darkScheme.matches && !onPaper ? "dark" : null;
    // On paper at three canvas pixels per CSS pixel: at the screen's one, a printer's
    // dots made the lines and names blurred.
    var chart =
      existing ||
      window.echarts.init(el, theme, {
        renderer: "canvas",
        devicePixelRatio: onPaper ? 3 : undefined,
        width: drawn ? drawn.width : undefined,
        height: drawn ? drawn.height : undefined,
      });
    chart.setOption(option, true);
    el.setAttribute("data-chart-ready", "true");
  }

  function drawCharts(root) {
    var selector = ".chart[data-chart], .chart[data-chart-src]";
    var charts = (root || document).querySelectorAll(selector);
    if (root && root.matches && root.matches(selector)) {
      charts = [root].concat(Array.prototype.slice.call(charts));
    }
    if (!charts.length) {
      return;
    }
    loadEcharts().then(
      function () {
        Array.prototype.forEach.call(charts, drawChart);
      },
      function () {
        // Without ECharts the table beside each chart still shows every number.
      }
    );
  }

  // Whether an htmx event belongs to a request of a live form (`data-live`).
  function fromLiveForm(event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    return !!(source && source.hasAttribute && source.hasAttribute("data-live"));
  }

  function disposeCharts(root) {
    if (!window.echarts || !root.querySelectorAll) {
      return;
    }
    var charts = root.querySelectorAll(".chart");
    Array.prototype.forEach.call(charts, function (el) {
      var chart = window.echarts.getInstanceByDom(el);
      if (chart) {
        chart.dispose();
      }
    });
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    // An error the server rendered as a notice for the page's notice area (any 4xx or
    // 5xx it retargets there) is shown, never swapped into the panel that asked.
    var xhr = event.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Retarget") === "#notices") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      return;
    }
    var target = event.detail.target;
    if (target) {
      disposeCharts(target);
    }
    // A form marked data-oob-messages gets back, out of band, only the message slots
    // that have a message: empty all of its slots first, so a fixed value's message
    // goes away.
    var source = (event.detail.requestConfig && event.detail.requestConfig.elt) || event.target;
    if (event.detail.shouldSwap && source && source.hasAttribute && source.hasAttribute("data-oob-messages")) {
      source.querySelectorAll(".field-error[id]").forEach(function (slot) {
        if (slot.firstChild) {
          slot.textContent = "";
        }
      });
      // The summary of problems the page was loaded with is not part of an answer:
      // left, it went on saying a range ran backwards after the range was fixed. The
      // answer's own problems come beside their fields.
      source.querySelectorAll(".form-error").forEach(function (summary) {
        summary.remove();
      });
    }
  });
  // The controls of a form whose messages come out of band are marked as the messages
  // say: `aria-invalid` and the field's red edge followed only the page as it was
  // loaded, so a new problem went unmarked and a fixed one stayed marked.
  function markInvalid(form) {
    var fields = new Set();
    form.querySelectorAll(".field-error[id]").forEach(function (slot) {
      var bad = slot.textContent.trim() !== "";
      form.querySelectorAll('[aria-describedby~="' + slot.id + '"]').forEach(function (control) {
        if (control.tagName === "FIELDSET") {
          return;
        }
        if (bad) {
          control.setAttribute("aria-invalid", "true");
        } else {
          control.removeAttribute("aria-invalid");
        }
      });
      var field = slot.closest(".field");
      if (field) {
        fields.add(field);
      }
    });
    fields.forEach(function (field) {
      var slots = field.querySelectorAll(".field-error[id]");
      field.classList.toggle("has-error", Array.prototype.some.call(slots, function (slot) {
        return slot.textContent.trim() !== "";
      }));
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (source && source.hasAttribute && source.hasAttribute("data-oob-messages")) {
      markInvalid(source);
      // The title says "Error: " while a problem is shown, as a page loaded with one
      // does (`render_refused`), and stops saying it once none is.
      // A problem with no slot in the form (a seed's) shows only in the answer, which
      // then asks for the settings to be fixed (`.ps-invalid`).
      var answer = event.detail.target;
      var refused = Boolean(answer && answer.querySelector && answer.querySelector(".ps-invalid")) ||
        Array.prototype.some.call(source.querySelectorAll(".field-error[id]"),
          function (slot) { return slot.textContent.trim() !== ""; });
      var title = document.title.replace(/^Error: /, "");
      document.title = refused ? "Error: " + title : title;
    }
  });

  // A swap that took the focused control away (a page link of a list, when the new
  // page has no such link) leaves focus on <body>, and the next Tab would start from
  // the top of the page: it goes to the swapped region's heading instead, marked
  // data-refocus (tabindex=-1). A control with an id in the new content gets focus
  // back from htmx itself, before this runs.
  // A form sent with Enter in one of its fields is different: htmx gives focus back to
  // that field, usually the last, while the first problem (or the form's message) is
  // marked data-refocus elsewhere, so the keyboard goes there all the same. Not for a
  // live form, which answers as the user types.
  function sentForm(event) {
    var config = event && event.detail && event.detail.requestConfig;
    var trigger = config && config.triggeringEvent;
    var form = config && config.elt;
    return !!trigger && trigger.type === "submit" &&
      !(form && form.hasAttribute && form.hasAttribute("data-live"));
  }

  function refocus(root, event) {
    var active = document.activeElement;
    // A boosted link swaps the whole body: that is a new page, whose focus starts at
    // the top as a page load's does, unless the link names where its change shows
    // (`data-focus-after`: adding or removing a seed keeps the same page, and a screen
    // reader heard nothing of a swap that left focus on <body>).
    if (root === document.body) {
      var link = event && event.detail && event.detail.requestConfig &&
        event.detail.requestConfig.elt;
      var then = link && link.getAttribute && link.getAttribute("data-focus-after");
      var target = then && document.getElementById(then);
      if (target) {
        target.focus();
      }
      return;
    }
    if (!root || !root.querySelector) {
      return;
    }
    if (active && active !== document.body && !sentForm(event)) {
      return;
    }
    var heading = root.matches("[data-refocus]") ? root : root.querySelector("[data-refocus]");
    if (heading) {
      heading.focus({ preventScroll: true });
    }
  }

  // A live answer's charts (see "live answers" below) are drawn once the answers pause
  // for LIVE_CHARTS_MS: drawing them took about 9 ms of the page's time per answer, and
  // during a drag answers come every 10 to 20 ms, so each drawing delayed the next
  // answer. The tables beside the charts show the same numbers at once.
  var LIVE_CHARTS_MS = 120;
  var liveCharts = null;

  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail.elt;
    refocus(root, event);
    watchScrollables(root);
    window.clearTimeout(liveCharts);
    if (fromLiveForm(event)) {
      liveCharts = window.setTimeout(function () {
        drawCharts(root);
      }, LIVE_CHARTS_MS);
      return;
    }
    drawCharts(root);
  });

  // --- tables wider than their box ------------------------------------------------------
  // A .table-scroll whose table does not fit gets a line above it saying that it scrolls
  // (its edge shadows, pure CSS, say so too). A ResizeObserver on each box and its table
  // tells when to look: its callback runs right after the browser's own layout, so the
  // sizes read there cost nothing, and it also covers window resizes and a box scrolled
  // into view. Reading them in the settle handler of every swap forced the browser to lay
  // the new answer out there and then: 10.6 of the 23.5 ms of script per live answer in
  // headless Chromium (its CPU profiler, 90 answers).
  var scrollables = window.ResizeObserver
    ? new ResizeObserver(function (entries) {
        var boxes = [];
        entries.forEach(function (entry) {
          var box = entry.target.closest(".table-scroll");
          if (box && box.isConnected && boxes.indexOf(box) < 0) {
            boxes.push(box);
          }
        });
        // Every size is read before anything is written.
        var overflowing = boxes.map(function (box) {
          return box.scrollWidth > box.clientWidth + 1;
        });
        boxes.forEach(function (box, i) {
          markScrollable(box, overflowing[i]);
        });
      })
    : null;
  // Observed boxes and tables; the ones a swap removed are let go at the next swap.
  var watched = [];

  // The page makes every box a named region the keyboard can scroll, which it must be
  // without scripts; a box whose table fits was a Tab stop announced as "(scrolls
  // sideways)" that did not scroll (2 to 5 of them on a page at 1280 px). Applied at
  // each measurement, and again after every swap: a live answer is morphed into the
  // page, which copies the server's attributes back onto the same box without
  // resizing it.
  function regionIfScrolling(box) {
    var overflowing = box.overflowing;
    if (typeof overflowing !== "boolean") {
      return;
    }
    if (!box.hasAttribute("data-region-label")) {
      box.setAttribute("data-region-label", box.getAttribute("aria-label") || "");
    }
    if (overflowing) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", box.getAttribute("data-region-label"));
    } else if (document.activeElement !== box) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }

  function markScrollable(box, overflowing) {
    if (box.overflowing === overflowing) {
      return;
    }
    box.overflowing = overflowing;
    regionIfScrolling(box);
    var hint = box.previousElementSibling;
    if (!hint || !hint.classList.contains("scroll-hint")) {
      if (!overflowing) {
        return;
      }
      hint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.setAttribute("aria-hidden", "true");
      hint.textContent = "Scroll sideways for more columns \u2192";
      box.parentNode.insertBefore(hint, box);
    }
    hint.classList.toggle("visible", overflowing);
  }

  function watchScrollables(root) {
    var boxes = Array.prototype.slice.call((root || document).querySelectorAll(".table-scroll"));
    if (root && root.matches && root.matches(".table-scroll")) {
      boxes.push(root);
    }
    boxes.forEach(regionIfScrolling);
    if (!scrollables) {
      // No ResizeObserver (browsers before 2020): measure once.
      boxes.forEach(function (box) {
        markScrollable(box, box.scrollWidth > box.clientWidth + 1);
      });
      return;
    }
    watched = watched.filter(function (el) {
      if (el.isConnected) {
        return true;
      }
      scrollables.unobserve(el);
      return false;
    });
    boxes.forEach(function (box) {
      [box, box.firstElementChild].forEach(function (el) {
        if (el && watched.indexOf(el) < 0) {
          scrollables.observe(el);
          watched.push(el);
        }
      });
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      if (!window.echarts) {
        return;
      }
      document.querySelectorAll(".chart").forEach(function (el) {
        var chart = window.echarts.getInstanceByDom(el);
        if (chart) {
          chart.resize();
          // A radar's size and parallel axes' names depend on the width (see
          // setChartOption): lay them out again when it crossed one of those widths,
          // not on every resize (a phone's address bar showing or hiding is one).
          var drawn = chart.getOption();
          var laidOut = drawn.radar || (drawn.parallel && drawn.parallel.length);
          if (laidOut && el.chartWidthClass !== layoutClass(el.clientWidth, drawn)) {
            drawChart(el);
          }
        }
      });
    }, 100);
  });

  // --- paper ---
  // Paper is white: a chart drawn in the dark theme printed its names and numbers pale
  // grey on it, and one drawn for the screen blurred. As printing starts (beforeprint,
  // or the print media query for a preview) each chart is drawn again at once: in the
  // light theme, finer (see setChartOption) and without animation, which would be caught
  // in its first frame. Afterwards, again as on screen. ECharts paints synchronously on
  // setOption, so the sheet gets the new drawing; app.css scales it to the printed width.
  function drawForPaper(paper) {
    if (paper === onPaper) {
      return;
    }
    onPaper = paper;
    if (!window.echarts) {
      return;
    }
    document.querySelectorAll(".chart").forEach(function (el) {
      var chart = window.echarts.getInstanceByDom(el);
      var option = chart && optionNow(el);
      if (option) {
        // On paper at a sheet's width and the height it had: once the print styles
        // apply, its box takes its height from the drawing (app.css), so an empty box
        // would be drawn 0 px high; and a chart drawn across a wide screen, scaled down
        // to the sheet, had small names.
        var drawn = paper ? { width: PAPER_WIDTH, height: chart.getHeight() } : null;
        chart.dispose();
        setChartOption(el, option, drawn);
      }
    });
  }
  window.addEventListener("beforeprint", function () {
    drawForPaper(true);
  });
  window.addEventListener("afterprint", function () {
    drawForPaper(false);
  });
  var printMedia = window.matchMedia ? window.matchMedia("print") : null;
  if (printMedia && printMedia.addEventListener) {
    printMedia.addEventListener("change", function () {
      drawForPaper(printMedia.matches);
    });
  }

  if (darkScheme && darkScheme.addEventListener) {
    // Redraw with the other theme when the system switches between light and dark.
    darkScheme.addEventListener("change", function () {
      disposeCharts(document);
      drawCharts(document);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      drawCharts(document);
      watchScrollables(document);
    });
  } else {
    drawCharts(document);
    watchScrollables(document);
  }
})();

// --- sliders ---------------------------------------------------------------------------
// The server renders each slider as `<input type=number data-slider>`, so that without
// JavaScript its value is always readable and editable. Here it becomes a range slider
// whose value is written, with the step's decimals and its `data-unit`, into the
// element named by `data-output` (an <output> beside it) while it moves.
//
// A feature's "(off)" mark (`[data-off-until]`, naming its weight field) follows that
// weight: it shows while the weight is 0.
(function () {
  "use strict";

  function decimals(step) {
    var text = String(step || "1");
    var dot = text.indexOf(".");
    return dot < 0 ? 0 : text.length - dot - 1;
  }

  function showValue(input) {
    var output = document.getElementById(input.getAttribute("data-output"));
    if (!output) {
      return;
    }
    var text = Number(input.value).toFixed(decimals(input.getAttribute("step")));
    var unit = input.getAttribute("data-unit");
    output.textContent = unit ? text + " " + unit : text;
    // The slider says the value as shown, unit included ("121 BPM", not "121"); the
    // output beside it is hidden from screen readers, which read each step twice.
    if (input.type === "range") {
      input.setAttribute("aria-valuetext", output.textContent);
    }
  }

  function upgradeSliders(root) {
    var inputs = (root || document).querySelectorAll("input[data-slider]");
    Array.prototype.forEach.call(inputs, function (input) {
      if (input.type !== "range") {
        input.type = "range";
        showValue(input);
      }
    });
  }

  function followWeight(input) {
    var marks = document.querySelectorAll('[data-off-until="' + input.name + '"]');
    Array.prototype.forEach.call(marks, function (mark) {
      mark.hidden = Number(input.value) > 0;
    });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches) {
      return;
    }
    if (input.matches("input[data-output]")) {
      showValue(input);
    }
    // Only weights have "(off)" marks; a target slider skips the document-wide look-up.
    if (input.name && input.name.indexOf("w_") === 0) {
      followWeight(input);
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    upgradeSliders(event.detail.elt);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      upgradeSliders(document);
    });
  } else {
    upgradeSliders(document);
  }
})();

// --- the perfect-song answer stays in sight ---------------------------------------------
// While the settings form is on screen but the answer is not (a phone, where the results
// come after the sliders, or a long Advanced section), a bar pinned to the top of the
// window shows the current answer. It is part of each live answer, so it changes as the
// sliders move.
(function () {
  "use strict";

  if (!window.IntersectionObserver) {
    return;
  }
  var formVisible = false;
  var answerVisible = true;
  var answerObserver = null;
  // The bar's height, whatever its title's length, is how far keyboard focus and links
  // scroll what they reach below the top: the style sheet's fixed 4.5rem left a slider
  // under a bar whose title took two or three lines on a phone (WCAG 2.4.11).
  var barSize = window.ResizeObserver ? new ResizeObserver(padBelowBar) : null;

  function padBelowBar() {
    var shown = document.querySelector("#ps-results .ps-live.is-shown");
    var root = document.documentElement;
    if (shown) {
      root.style.scrollPaddingTop = Math.ceil(shown.getBoundingClientRect().height + 8) + "px";
    } else {
      root.style.removeProperty("scroll-padding-top");
    }
  }

  function apply() {
    var bar = document.querySelector("#ps-results .ps-live");
    if (bar) {
      bar.classList.toggle("is-shown", formVisible && !answerVisible);
      if (barSize) {
        barSize.disconnect();
        barSize.observe(bar);
      }
    }
    padBelowBar();
  }

  function watchAnswer() {
    var results = document.getElementById("ps-results");
    if (!results) {
      return;
    }
    if (answerObserver) {
      answerObserver.disconnect();
    }
    var card = results.querySelector(".card");
    apply();
    if (!card) {
      return;
    }
    answerObserver = new IntersectionObserver(function (entries) {
      answerVisible = entries[entries.length - 1].isIntersecting;
      apply();
    });
    answerObserver.observe(card);
  }

  function start() {
    var form = document.getElementById("ps-form");
    if (!form) {
      return;
    }
    // The form counts once it reaches above the bottom third of the window: a form
    // whose top just peeks in at the bottom (a phone, at the top of the page) holds no
    // slider in sight, and the bar would only hide the site's header and menu.
    new IntersectionObserver(
      function (entries) {
        formVisible = entries[entries.length - 1].isIntersecting;
        apply();
      },
      { rootMargin: "0px 0px -33% 0px" }
    ).observe(form);
    watchAnswer();
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "ps-results") {
      watchAnswer();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// --- two-handle ranges -------------------------------------------------------------------
// A range is rendered as `<fieldset data-range data-min data-max data-step>` holding two
// labelled number fields ("From", "to"), which is all there is without JavaScript. Here
// two range handles are laid over one track above them; moving a handle writes its
// number field (a handle at its end leaves the field empty: no limit) and sends that
// field's `input` event, so the live answer follows. Typing in a field moves its handle.
(function () {
  "use strict";

  function rangeValueText(range, value) {
    if (range === "duration") {
      var seconds = Math.round(value);
      var rest = seconds % 60;
      return Math.floor(seconds / 60) + " min " + rest + " s";
    }
    if (range === "tempo") {
      return value + " BPM";
    }
    if (range === "loudness") {
      return value + " dB";
    }
    if (range === "time_signature") {
      return value + " beats per bar";
    }
    return String(value);
  }

  // Whether a pointer is dragging a range handle (not the keyboard): one pair of
  // listeners for the page's life, not one per upgrade (every boosted page brings new
  // ranges, and each pair had kept the page before it alive).
  var rangeDragging = false;
  ["pointerup", "pointercancel"].forEach(function (type) {
    window.addEventListener(type, function () {
      rangeDragging = false;
    });
  });

  function upgradeRanges(root) {
    var sets = (root || document).querySelectorAll("fieldset[data-range]");
    Array.prototype.forEach.call(sets, function (set) {
      if (set.querySelector(".ps-dual")) {
        return;
      }
      var fields = set.querySelectorAll("input[type=number]");
      if (fields.length !== 2) {
        return;
      }
      var min = Number(set.getAttribute("data-min"));
      var max = Number(set.getAttribute("data-max"));
      var step = set.getAttribute("data-step") || "any";
      var legend = set.querySelector("legend");
      var name = legend ? legend.textContent.trim() : "";
      var dual = document.createElement("div");
      dual.className = "ps-dual";
      var handles = [0, 1].map(function (i) {
        var handle = document.createElement("input");
        handle.type = "range";
        handle.min = String(min);
        handle.max = String(max);
        handle.step = step;
        handle.setAttribute("aria-label", (i === 0 ? "Lowest " : "Highest ") + name);
        dual.appendChild(handle);
        return handle;
      });
      function fromFields() {
        var lo = fields[0].value === "" ? min : Number(fields[0].value);
        var hi = fields[1].value === "" ? max : Number(fields[1].value);
        handles[0].value = String(isNaN(lo) ? min : lo);
        handles[1].value = String(isNaN(hi) ? max : hi);
        // What a screen reader says of each handle: the value in the range's own
        // terms (a duration in minutes, a tempo in BPM), or that its end is open; it
        // read bare numbers, and "250" for a range with no upper limit. The field's
        // value: one typed beyond the handles' span (an hour's duration) is that.
        handles.forEach(function (handle, i) {
          handle.setAttribute("aria-valuetext", fields[i].value === ""
            ? (i === 0 ? "no lower limit" : "no upper limit")
            : rangeValueText(set.getAttribute("data-range"), Number(fields[i].value)));
        });
        var span = max - min || 1;
        dual.style.setProperty("--lo", ((Number(handles[0].value) - min) / span) * 100 + "%");
        dual.style.setProperty("--hi", ((Number(handles[1].value) - min) / span) * 100 + "%");
      }
      // The handle the pointer moves when it is not the one it holds (see below), for
      // the rest of the drag.
      var driven = null;
      dual.addEventListener("pointerdown", function () {
        rangeDragging = true;
        driven = null;
      }, true);
      function fieldValue(i) {
        return fields[i].value === "" ? (i === 0 ? min : max) : Number(fields[i].value);
      }
      function toField(i) {
        var value = Number(handles[i].value);
        var atEnd = i === 0 ? value <= min : value >= max;
        fields[i].value = atEnd ? "" : handles[i].value;
      }
      handles.forEach(function (handle, i) {
        handle.addEventListener("input", function (event) {
          event.stopPropagation();
          var pointer = Number(handle.value);
          var lo = Number(handles[0].value);
          var hi = Number(handles[1].value);
          // The handles do not cross. Where they meet, the highest lies on top and
          // takes the pointer: dragged down it stayed put, and a lowest handle pushed
          // to the top end could never be brought back. So a pointer that pushes one
          // handle past the other moves the other one from then on, to the drag's end
          // (brought back, it had moved the one it held: a limit nobody set), and
          // the one it holds stays.
          if (rangeDragging && driven === null && lo > hi) {
            driven = 1 - i;
          }
          var target = rangeDragging && driven !== null ? driven : i;
          if (target !== i) {
            handle.value = String(fieldValue(i));
            var held = Number(handle.value);
            // Up to the handle held, not past it.
            handles[target].value = String(target === 0 ? Math.min(pointer, held) : Math.max(pointer, held));
          } else if (lo > hi) {
            handle.value = String(i === 0 ? hi : lo);
          }
          toField(target);
          fromFields();
          fields[target].dispatchEvent(new Event("input", { bubbles: true }));
        });
      });
      fields[0].addEventListener("input", fromFields);
      fields[1].addEventListener("input", fromFields);
      set.insertBefore(dual, set.querySelector(".ps-range-fields"));
      fromFields();
    });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    upgradeRanges(event.detail.elt);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      upgradeRanges(document);
    });
  } else {
    upgradeRanges(document);
  }
})();

// --- a live answer written over the last one -------------------------------------------
// Consecutive answers of a drag have the same elements in the same places; mostly their
// text differs. htmx's swap parses the answer, lets go of the ~340 elements on screen and
// puts ~340 new ones in, which the browser must style and lay out from scratch (in
// headless Chromium at 1280 px, 6 to 8 ms of style and layout per answer, and each
// answer costs the page 30 ms of its main thread in all). This swap walks the old and
// the new answer side by side instead: an element with the same tag in the same place
// is kept, and only its attributes and text that differ are written; anything else is
// replaced, added or removed, so the result is always exactly the new answer. Then only
// the text that changed is laid out again (3 ms). htmx still runs everything around the
// swap (its events, and its processing of the elements kept, whose boosted links are
// set up again when their address changed). Only the settings form's answers come here
// (`hx-ext` is on that form), and only over content with no form field (a kept one would
// keep its typed value) and no element with a trigger of its own (a timer, or a listener
// on another element), which htmx's own swap lets go of.
(function () {
  "use strict";

  function sameKind(a, b) {
    return a.nodeType === b.nodeType && (a.nodeType !== 1 || a.tagName === b.tagName);
  }

  function syncAttributes(old, fresh) {
    var i;
    // A "Why this match" the reader opened stays open while it explains the same track
    // (`data-track`), so its gaps can be watched as a slider moves; every answer had
    // closed it.
    if (old.tagName === "DETAILS" && old.open && !fresh.hasAttribute("open") &&
        old.hasAttribute("data-track") &&
        old.getAttribute("data-track") === fresh.getAttribute("data-track")) {
      fresh.setAttribute("open", "");
    }
    for (i = old.attributes.length - 1; i >= 0; i--) {
      if (!fresh.hasAttribute(old.attributes[i].name)) {
        old.removeAttribute(old.attributes[i].name);
      }
    }
    for (i = 0; i < fresh.attributes.length; i++) {
      var a = fresh.attributes[i];
      if (old.getAttribute(a.name) !== a.value) {
        old.setAttribute(a.name, a.value);
      }
    }
  }

  // Makes `old`'s children those of `fresh` (which it empties).
  function morphChildren(old, fresh) {
    var was = old.firstChild;
    var now = fresh.firstChild;
    while (now) {
      var nextNow = now.nextSibling;
      if (!was) {
        old.appendChild(now);
      } else {
        var nextWas = was.nextSibling;
        if (!sameKind(was, now)) {
          old.replaceChild(now, was);
        } else if (was.nodeType === 1) {
          syncAttributes(was, now);
          morphChildren(was, now);
        } else if (was.nodeValue !== now.nodeValue) {
          was.nodeValue = now.nodeValue;
        }
        was = nextWas;
      }
      now = nextNow;
    }
    while (was) {
      var after = was.nextSibling;
      old.removeChild(was);
      was = after;
    }
  }

  if (window.htmx) {
    window.htmx.defineExtension("live-morph", {
      handleSwap: function (style, target, fragment) {
        if (style !== "innerHTML" ||
            target.querySelector("input, select, textarea, [hx-trigger], [data-hx-trigger]")) {
          return false;
        }
        morphChildren(target, fragment);
        return Array.prototype.slice.call(target.children);
      },
    });
  }
})();

// --- live answers while a control moves ---------------------------------------------------
// A form marked `data-live` (the perfect-song settings) asks for its answer on every
// change, throttled by the round trip rather than by a fixed delay: the first change sends
// at once (`live-input`, the form's hx-trigger); changes while that request is out are
// folded into one trailing request sent as soon as the answer arrives, with the values of
// that moment. So a drag shows a fresh answer every round trip and ends on the last
// position; `hx-sync="this:replace"` still makes the newest request win if another one
// (a submit) overlaps.
(function () {
  "use strict";

  // A request out longer than this no longer holds back the next one.
  var STUCK_MS = 2000;

  function liveForm(element) {
    // A field of the form that is not a setting (the profile name) asks for no answer.
    if (element && element.hasAttribute && element.hasAttribute("data-not-live")) {
      return null;
    }
    var form = element && (element.form || (element.closest && element.closest("form")));
    return form && form.hasAttribute("data-live") ? form : null;
  }

  // While answers follow each other (a drag), <html> carries DRAGGING, and on a narrow
  // screen CSS leaves the answer's sections that are far from the view unrendered
  // (content-visibility; see app.css). Once the answers pause, the page is whole again,
  // so what is read or checked at rest (a reader, axe) sees every section laid out.
  var DRAGGING = "ps-live-dragging";
  var DRAG_END_MS = 150;
  var dragEnd = null;
  // The answer is said once the sliders have rested this long, and not while a slider
  // is held: a pause of DRAG_END_MS came between most arrow presses and in a slow
  // drag, and a screen reader read four answers out of six presses.
  var ANNOUNCE_PAUSE_MS = 1000;
  var announceLater = null;
  var sliderHeld = false;
  var lastAnswered = null;

  function announceOnceResting(state) {
    lastAnswered = state;
    window.clearTimeout(announceLater);
    announceLater = window.setTimeout(function () {
      if (!state.busy && !sliderHeld) {
        announce(state.answered);
      }
    }, ANNOUNCE_PAUSE_MS);
  }

  document.addEventListener("pointerdown", function (event) {
    if (event.target && event.target.matches && event.target.matches("#ps-form input[type=range]")) {
      sliderHeld = true;
      window.clearTimeout(announceLater);
    }
  }, true);
  function sliderLetGo() {
    if (sliderHeld) {
      sliderHeld = false;
      if (lastAnswered) {
        announceOnceResting(lastAnswered);
      }
    }
  }
  document.addEventListener("pointerup", sliderLetGo, true);
  // A touch that turns into a scroll ends in pointercancel, not pointerup.
  document.addEventListener("pointercancel", sliderLetGo, true);

  function send(form) {
    var state = form.liveState;
    state.busy = true;
    state.pending = false;
    state.since = Date.now();
    window.clearTimeout(dragEnd);
    window.clearTimeout(announceLater);
    document.documentElement.classList.add(DRAGGING);
    htmx.trigger(form, "live-input");
  }

  // A number typed into a field (a range's ends, a year) is asked about once the typing
  // pauses, or at once on Enter or leaving the field: sent at each key, "128" typed
  // after a minimum of 120 was first the maximum 1, and the answer gave way to "the
  // range runs backwards" until the next key.
  var TYPING_MS = 600;

  function typed(element) {
    return element.tagName === "INPUT" && /^(number|text|search)$/.test(element.type);
  }

  function liveState(form) {
    return form.liveState || (form.liveState = { busy: false, pending: false, since: 0 });
  }

  function ask(form) {
    var state = liveState(form);
    window.clearTimeout(state.typing);
    state.typing = null;
    if (state.busy && Date.now() - state.since < STUCK_MS) {
      state.pending = true;
      return;
    }
    send(form);
  }

  document.addEventListener("input", function (event) {
    var form = liveForm(event.target);
    if (!form) {
      return;
    }
    // Only keys: a range's handle writes its field and sends that field's `input`
    // (not trusted, being the script's), which follows the handle at once.
    if (event.isTrusted && typed(event.target)) {
      var state = liveState(form);
      window.clearTimeout(state.typing);
      state.typing = window.setTimeout(function () {
        ask(form);
      }, TYPING_MS);
      return;
    }
    ask(form);
  });

  document.addEventListener("change", function (event) {
    var form = liveForm(event.target);
    if (form && event.isTrusted && typed(event.target) && form.liveState && form.liveState.typing) {
      ask(form);
    }
  });

  // The address bar follows the answer on screen, at most every ADDRESS_MS: Chromium
  // ignores history updates beyond 200 in 10 seconds, and a drag answered every 10 to
  // 20 ms reached that within seconds, leaving a stale address behind. The last answer
  // of a drag is always the one the address ends on.
  var ADDRESS_MS = 300;
  var addressTimer = null;
  var addressNext = null;

  var addressForm = null;

  function followAddress(url, form) {
    addressNext = url;
    addressForm = form;
    if (addressTimer) {
      return;
    }
    addressTimer = setTimeout(writeAddress, ADDRESS_MS);
  }

  function writeAddress() {
    if (addressTimer) {
      clearTimeout(addressTimer);
    }
    addressTimer = null;
    // A form no longer on the page (another page came in its place) names nothing on
    // screen.
    var current = addressForm && addressForm.isConnected;
    if (current && addressNext && addressNext !== location.pathname + location.search) {
      // The same state htmx writes, so its back and forward handling stays as it is.
      history.replaceState({ htmx: true }, "", addressNext);
    }
    addressNext = null;
  }

  // An update still waiting belongs to the page it was made on. Before htmx moves on
  // to another address (a seed's "More like this", a chip's ×, a boosted link) it is
  // written at once, so that Back returns to what was on screen; once the history has
  // moved (Back, Forward) it is dropped. It had been written over the next page's
  // address: the screen showed a seed that the address, and so a reload, did not have.
  document.addEventListener("htmx:beforeHistorySave", writeAddress);
  window.addEventListener("pagehide", writeAddress);
  window.addEventListener("popstate", function () {
    addressNext = null;
    writeAddress();
  }, true);

  // Adding or removing a seed keeps the settings on screen. The seed panel's links and
  // hidden fields were written with the page, so after live changes (a filter, the
  // metric, a weight) they would have brought back the settings of the page's load.
  // Each address they lead to is rebuilt from the answer on screen: its settings
  // without the slider targets (the seeds set those) and seeds, then the link's seeds.
  // The live answers' address is kept on the seed form (`data-settings`): a new page
  // brings a new form without it, whose links are then up to date as written.
  // The seed search keeps the targets too (`keepTargets`): a search adds no seed.
  function seededAddress(seedForm, seedsFrom, keepTargets) {
    var settings = seedForm.getAttribute("data-settings");
    if (!settings) {
      return null;
    }
    var targets = keepTargets ? [] : (seedForm.getAttribute("data-targets") || "").split(" ");
    // The weights the page set itself (the defaults, or the seeds' nine) stay behind
    // when the seeds change, as the server's own links leave them: a live answer's
    // address names every weight, and carrying them made a seed added after a slider
    // moved match on five features where its "More like this" matched on nine.
    var pageWeights = new URLSearchParams(keepTargets ? "" : seedForm.getAttribute("data-page-weights") || "");
    var current = new URL(settings, location.href).searchParams;
    // A genre seed keeps the answer to its genre, so the address names it as a genre
    // filter too; that filter goes with the seed, as in the server's own chip links.
    // Carried over, removing the "rock" seed left the answer "among tracks in rock".
    var seedGenres = current.getAll("seed_genre").map(function (g) {
      return g.toLowerCase();
    });
    var out = new URLSearchParams();
    current.forEach(function (value, key) {
      var automatic = pageWeights.has(key) && parseFloat(pageWeights.get(key)) === parseFloat(value);
      var seedsGenre = key === "genre" && seedGenres.indexOf(value.toLowerCase()) >= 0;
      if (targets.indexOf(key) < 0 && key.indexOf("seed_") !== 0 && !automatic && !seedsGenre) {
        out.append(key, value);
      }
    });
    seedsFrom.forEach(function (value, key) {
      if (/^seed_(track|artist|genre)$/.test(key) && value !== "") {
        out.append(key, value);
      }
    });
    return seedForm.getAttribute("action") + "?" + out.toString();
  }

  // A chip's "remove" and a suggestion's "add" are boosted links.
  document.addEventListener("htmx:configRequest", function (event) {
    var link = event.detail.elt;
    var panel = link && link.closest && link.closest("#ps-seeds");
    var seedForm = panel && panel.querySelector(".ps-seed-form");
    if (!seedForm || link.tagName !== "A") {
      return;
    }
    var target = new URL(event.detail.path, location.href);
    event.detail.path = seededAddress(seedForm, target.searchParams, false) || event.detail.path;
  });

  // The same links' own addresses follow the settings on screen as well, just before
  // anything can read them (hovered, focused, pressed, or their menu opened): opened in
  // a new tab, copied or previewed, they had kept the settings the page was drawn with,
  // while a plain click (above) sent the ones on screen.
  function freshenSeedLink(event) {
    var link = event.target && event.target.closest && event.target.closest("#ps-seeds a[hx-boost]");
    var seedForm = link && link.closest("#ps-seeds").querySelector(".ps-seed-form");
    if (!seedForm) {
      return;
    }
    var seeds = new URL(link.getAttribute("href"), location.href).searchParams;
    var address = seededAddress(seedForm, seeds, false);
    if (address) {
      link.setAttribute("href", address);
    }
  }
  ["pointerover", "focusin", "mousedown", "contextmenu"].forEach(function (type) {
    document.addEventListener(type, freshenSeedLink, true);
  });

  // The header's "Log in" and "Sign up" come back to the page on screen. The server
  // wrote the address the page loaded at into them, and what htmx did since (a
  // comparison built, a search typed, another page of tracks) changed the address but
  // not them: logging in brought back an empty comparison. Refreshed as the seed links
  // are, just before anything can read them.
  function freshenAccountLink(event) {
    var link = event.target && event.target.closest &&
      event.target.closest("#nav-account a[href^='/login'], #nav-account a[href^='/signup']");
    if (!link || /^\/(login|signup)(\/|$)/.test(location.pathname)) {
      return;
    }
    var here = location.pathname + location.search;
    var address = new URL(link.getAttribute("href"), location.href);
    if (here === "/") {
      address.searchParams.delete("next");
    } else {
      address.searchParams.set("next", here);
    }
    link.setAttribute("href", address.pathname + address.search);
  }
  ["pointerover", "focusin", "mousedown", "contextmenu"].forEach(function (type) {
    document.addEventListener(type, freshenAccountLink, true);
  });

  // "Search" and "Add genre" submit the seed form itself: its hidden settings are
  // replaced by the ones on screen.
  document.addEventListener("submit", function (event) {
    var seedForm = event.target;
    if (!seedForm.classList || !seedForm.classList.contains("ps-seed-form")) {
      return;
    }
    // The page loads whole; the keyboard goes to the seeds when it is there, as after
    // a boosted "Add …" or "×" (`data-focus-after`), not to <body> at the top.
    try {
      window.sessionStorage.setItem(FOCUS_AFTER_LOAD, SEEDS_TITLE);
    } catch (e) {
      // Storage refused (a private window's quota): focus starts at the top.
    }
    // The seeds so far are hidden fields; a genre being added is the select's own.
    var hidden = seedForm.querySelectorAll("input[type=hidden]");
    var seeds = new URLSearchParams();
    Array.prototype.forEach.call(hidden, function (el) {
      seeds.append(el.name, el.value);
    });
    var seeded = seededAddress(seedForm, seeds, seedForm.hasAttribute("data-keeps-targets"));
    if (!seeded) {
      return;
    }
    var address = new URL(seeded, location.href);
    Array.prototype.forEach.call(hidden, function (el) {
      el.remove();
    });
    address.searchParams.forEach(function (value, key) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = key;
      field.value = value;
      seedForm.appendChild(field);
    });
  });

  var FOCUS_AFTER_LOAD = "focus-after-load";
  var SEEDS_TITLE = "ps-seeds-title";

  function focusAfterLoad() {
    var id = null;
    try {
      id = window.sessionStorage.getItem(FOCUS_AFTER_LOAD);
      window.sessionStorage.removeItem(FOCUS_AFTER_LOAD);
    } catch (e) {
      return;
    }
    var target = id && document.getElementById(id);
    if (target) {
      target.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusAfterLoad);
  } else {
    focusAfterLoad();
  }

  // A notice said once (a taste profile just loaded, which loads the whole page): the
  // keyboard and a screen reader start at it, and the address loses the words that
  // asked for it, so a reload or a bookmark does not say it again.
  function sayOnce() {
    var notice = document.querySelector("[data-said-once]");
    if (!notice) {
      return;
    }
    notice.setAttribute("tabindex", "-1");
    notice.focus();
    var address = new URL(location.href);
    address.searchParams.delete("profile_done");
    address.searchParams.delete("profile_id");
    history.replaceState(history.state, "", address.pathname + address.search + address.hash);
  }

  // The plain /perfect-song shows the latest settings, which move: a history entry left
  // at that address showed whatever was latest when Back came to it (after loading a
  // taste profile, the profile, not what had been on screen). Its address is made to
  // name the settings shown, as a live answer's does (the same fields htmx sends).
  function nameShownSettings() {
    var form = document.getElementById("ps-form");
    if (!form || location.search || location.pathname !== form.getAttribute("action")) {
      return;
    }
    var values = new URLSearchParams(new FormData(form));
    values.delete("csrf_token");
    values.delete("name");
    history.replaceState(history.state, "", location.pathname + "?" + values.toString() + location.hash);
  }

  function atLoad() {
    sayOnce();
    nameShownSettings();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", atLoad);
  } else {
    atLoad();
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    var xhr = event.detail.xhr;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-live") || !xhr || !xhr.responseURL) {
      return;
    }
    // The server names the settings' short, canonical address (X-Page-Url); the
    // request's own address, with every empty field, is the fallback.
    var answered = new URL(xhr.getResponseHeader("X-Page-Url") || xhr.responseURL, location.href);
    // An answer that came back after its page was left (a link followed meanwhile)
    // is not this page's.
    if (answered.origin === location.origin && form.isConnected) {
      followAddress(answered.pathname + answered.search, form);
      Array.prototype.forEach.call(document.querySelectorAll(".ps-seed-form"), function (seedForm) {
        seedForm.setAttribute("data-settings", answered.pathname + answered.search);
      });
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    var state = form && form.liveState;
    if (!state || !form.hasAttribute("data-live")) {
      return;
    }
    state.busy = false;
    if (state.pending) {
      // After htmx has finished with this request (it clears its own record of it
      // once this event returns).
      setTimeout(function () {
        if (!state.busy && state.pending) {
          send(form);
        }
      }, 0);
      return;
    }
    // A 422 is swapped (its messages go beside the fields), so htmx counts it a success.
    state.answered = !!event.detail.xhr && event.detail.xhr.status === 200;
    window.clearTimeout(dragEnd);
    dragEnd = window.setTimeout(function () {
      if (!state.busy) {
        document.documentElement.classList.remove(DRAGGING);
      }
    }, DRAG_END_MS);
    announceOnceResting(state);
  });

  // The answer in one line for a screen reader, once the answers pause: the results
  // region was a live region, and each slider step rewrote dozens of its texts, every
  // one read out. A refused setting is said by its first message.
  function announce(answered) {
    var status = document.getElementById("ps-answer-status");
    var results = document.getElementById("ps-results");
    if (!status || !results) {
      return;
    }
    var text = "";
    if (!answered) {
      var problem = Array.prototype.find.call(
        document.querySelectorAll("#ps-form .field-error"),
        function (slot) { return slot.textContent.trim() !== ""; }
      );
      text = problem ? "Not searched: " + problem.textContent.trim() : "";
    } else {
      // A found track has its heading; an empty answer's bar holds only its heading's
      // words, and its reason is the notice below them.
      var found = document.getElementById("ps-answer-title");
      var title = results.querySelector(".ps-live-title");
      var artists = results.querySelector(".ps-live-artists");
      var score = results.querySelector(".ps-live-score");
      var heading = results.querySelector("h2");
      var why = results.querySelector(".ps-empty .notice");
      if (found && title) {
        text = "Your perfect song: " + title.textContent +
          (artists ? ", by " + artists.textContent : "") +
          (score ? ", similarity " + score.textContent.replace(" / ", " of ") : "");
      } else if (heading) {
        text = heading.textContent + (why ? ": " + why.textContent.trim() : "");
      }
    }
    if (text && status.textContent !== text) {
      status.textContent = text;
    }
  }

  // --- settings kept when the page goes away ------------------------------------------
  // The page saves its settings as the account's latest (`data-save-current`, an
  // hx-post) 1.5 s after the last change. Leaving sooner (a link, a seed's "More like
  // this", closing the tab) dropped that save, and the next visit came back to older
  // settings. So a change not yet saved is sent as the page is hidden, with
  // `sendBeacon`, which outlives the page: the form's fields as a urlencoded body,
  // its CSRF token among them (a beacon cannot carry the header).
  var unsaved = null;
  var changes = 0;
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form");
    var saver = form && form.id && document.querySelector("[data-save-current]");
    if (saver && saver.getAttribute("hx-include") === "#" + form.id) {
      changes += 1;
      unsaved = { form: form, url: saver.getAttribute("hx-post"), change: changes };
    }
  });
  // A save covers the changes made before it was sent, not those made while it was out.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt.hasAttribute("data-save-current")) {
      event.detail.elt.savedUpTo = changes;
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (unsaved && elt.hasAttribute("data-save-current") && event.detail.successful &&
        unsaved.change <= (elt.savedUpTo || 0)) {
      unsaved = null;
    }
  });
  // A form that keeps settings of its own as the latest (a profile's Load, "Reset to
  // defaults": `data-sets-current`) makes the change not yet saved moot: the beacon
  // below, sent as the page went away, had saved the old sliders over what it kept.
  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-sets-current")) {
      unsaved = null;
    }
  }, true);
  window.addEventListener("pagehide", function () {
    if (!unsaved || !navigator.sendBeacon || !unsaved.form.isConnected) {
      return;
    }
    var body = new URLSearchParams(new FormData(unsaved.form));
    navigator.sendBeacon(unsaved.url, body);
    unsaved = null;
  });
  // Logging out ends the session that save needs, and the beacon above left only once
  // the log-out had been answered: it was turned away, and the change was lost. So the
  // log-out waits for the save (at most two seconds) before it is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!unsaved || !window.fetch || !form || form.getAttribute("action") !== "/logout" ||
        !unsaved.form.isConnected) {
      return;
    }
    event.preventDefault();
    var body = new URLSearchParams(new FormData(unsaved.form));
    var url = unsaved.url;
    unsaved = null;
    var sent = false;
    function logOut() {
      if (!sent) {
        sent = true;
        form.submit(); // submits without this event, as the browser would have
      }
    }
    setTimeout(logOut, 2000);
    fetch(url, { method: "POST", body: body, credentials: "same-origin", redirect: "manual" })
      .then(logOut, logOut);
  }, true);

  // Seeds are added and removed by links and the seed form ("Add …", a chip's ×, "More
  // like this", "Songs like this artist"), which change no field: the settings they
  // open were never saved, and the next visit came back without the seed added, or
  // with the one removed. Following one marks the page it opens to be saved as soon
  // as it is there (`ps-save`, a trigger of the `data-save-current` element), whether
  // htmx swaps it in or the browser loads it. A click with a modifier opens another
  // tab or window, which this one does not speak for.
  // The mark is the time it was made: one whose page never came (a navigation stopped)
  // is stale after ARRIVAL_MS, and does not save some later page of this tab.
  var SAVE_ON_ARRIVAL = "save-settings-on-arrival";
  var ARRIVAL_MS = 15000;
  function markForSaving() {
    try {
      window.sessionStorage.setItem(SAVE_ON_ARRIVAL, String(Date.now()));
    } catch (e) {
      // Storage refused: the settings are saved at the next change instead.
    }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey ||
        event.altKey || link.target === "_blank") {
      return;
    }
    var to = new URL(link.href, location.href);
    // A link within this page (`#main`, "taste profiles", a problem's link) opens no
    // settings: the address it resolves to is this one.
    var samePage = to.pathname === location.pathname && to.search === location.search;
    if (to.origin === location.origin && to.pathname === "/perfect-song" && to.search &&
        !samePage) {
      markForSaving();
    }
  }, true);
  document.addEventListener("submit", function (event) {
    if (event.target.classList && event.target.classList.contains("ps-seed-form")) {
      markForSaving();
    }
  }, true);
  // `loaded` is what htmx has just set up: the saver must be among it, since htmx also
  // reports a link it sets up on the page being left, whose saver is about to go.
  function saveOnArrival(loaded) {
    var saver = loaded && loaded.matches && (loaded.matches("[data-save-current]")
      ? loaded
      : loaded.querySelector("[data-save-current]"));
    if (!saver) {
      return;
    }
    var marked;
    try {
      marked = Number(window.sessionStorage.getItem(SAVE_ON_ARRIVAL));
      window.sessionStorage.removeItem(SAVE_ON_ARRIVAL);
    } catch (e) {
      return;
    }
    if (marked && Date.now() - marked < ARRIVAL_MS) {
      window.htmx.trigger(saver, "ps-save");
    }
  }
  // Runs once htmx has set up what is new (its trigger among it), on the page as
  // loaded and on what a boosted link swaps in.
  if (window.htmx) {
    window.htmx.onLoad(saveOnArrival);
  }

  // --- chart tooltips close with Escape -------------------------------------------------
  // A tooltip opened by the pointer covers part of the chart; Escape hides it without
  // moving the pointer (WCAG 1.4.13), until the pointer moves again.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !window.echarts) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll(".chart"), function (el) {
      var chart = window.echarts.getInstanceByDom(el);
      if (chart) {
        chart.dispatchAction({ type: "hideTip" });
      }
    });
  });

  // --- what a swap says --------------------------------------------------------------
  // A status line that arrives inside swapped content ("6 of 6 genres matching “r”",
  // "Saved “Sunday”.", the seed search's count) brings its own live region, and screen
  // readers often say nothing of a region that arrives already holding its text: a
  // region has to be on the page before its text changes. So its text is said by one
  // region that stays on the page, and the arriving one is made quiet (it is not said
  // twice where it would have been). Whole pages (hx-boost) and the perfect song's live
  // answers, which say themselves once the answers pause (`announce`), are left alone.
  var SWAP_LIVE_ID = "swap-live";

  function swapRegion() {
    var region = document.getElementById(SWAP_LIVE_ID);
    if (!region) {
      region = document.createElement("div");
      region.id = SWAP_LIVE_ID;
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    return region;
  }

  var swapSaid = null;

  document.addEventListener("htmx:afterSettle", function (event) {
    // The content that arrived.
    var root = event.target;
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var live = !!(source && source.hasAttribute && source.hasAttribute("data-live"));
    if (!root || !root.querySelectorAll || root === document.body || live ||
        (root.closest && root.closest("#ps-results"))) {
      return;
    }
    var lines = [];
    var arrived = Array.prototype.slice.call(root.querySelectorAll("[role=status]"));
    if (root.matches && root.matches("[role=status]")) {
      arrived.unshift(root);
    }
    arrived.forEach(function (node) {
      if (node.id === SWAP_LIVE_ID || node.getAttribute("aria-live") === "off") {
        return;
      }
      node.setAttribute("aria-live", "off");
      var text = node.textContent.replace(/\s+/g, " ").trim();
      if (text) {
        lines.push(text);
      }
    });
    if (!lines.length) {
      return;
    }
    // Emptied first, and written a moment later: the same words twice in a row (the
    // same count after another search) are said again.
    var region = swapRegion();
    region.textContent = "";
    window.clearTimeout(swapSaid);
    swapSaid = window.setTimeout(function () {
      region.textContent = lines.join(" ");
    }, 60);
  });
})();
