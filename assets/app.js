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
  // The server renders each chart's ECharts option into data-chart. ECharts (1 MB) is
  // loaded only on pages that have a chart.
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

  // A series that is the same on every answer (the catalog sample behind the perfect-song
  // chart) is named by data-series-beneath and fetched once per URL, not sent in every
  // fragment. Without it the chart still draws, just without the faint lines.
  var seriesBeneath = {};

  function loadSeriesBeneath(url) {
    if (!url) {
      return Promise.resolve([]);
    }
    if (!seriesBeneath[url]) {
      seriesBeneath[url] = fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (series) {
          return [series];
        });
      seriesBeneath[url].catch(function () {
        delete seriesBeneath[url];
      });
    }
    return seriesBeneath[url].catch(function () {
      return [];
    });
  }

  function drawChart(el) {
    var option;
    try {
      option = JSON.parse(el.getAttribute("data-chart"));
    } catch (e) {
      return;
    }
    loadSeriesBeneath(el.getAttribute("data-series-beneath")).then(function (beneath) {
      // The fragment may have been swapped out while the series loaded.
      if (el.isConnected) {
        option.series = beneath.concat(option.series || []);
        setChartOption(el, option);
      }
    });
  }

  function setChartOption(el, option) {
    option.backgroundColor = "transparent";
    var existing = window.echarts.getInstanceByDom(el);
    var theme = darkScheme && darkScheme.matches ? "dark" : null;
    var chart = existing || window.echarts.init(el, theme, { renderer: "canvas" });
    chart.setOption(option, true);
    el.setAttribute("data-chart-ready", "true");
  }

  function drawCharts(root) {
    var charts = (root || document).querySelectorAll(".chart[data-chart]");
    if (root && root.matches && root.matches(".chart[data-chart]")) {
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
    if (event.detail.target) {
      disposeCharts(event.detail.target);
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    drawCharts(event.detail.elt);
  });

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
        }
      });
    }, 100);
  });

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
    });
  } else {
    drawCharts(document);
  }
})();

// --- range sliders: show the value beside the slider while it moves --------------------
// Each `<input type=range data-output=ID>` writes its value (with the step's decimals
// and its `data-unit`) into the element with that id, usually an <output>.
(function () {
  "use strict";

  function decimals(step) {
    var text = String(step || "1");
    var dot = text.indexOf(".");
    return dot < 0 ? 0 : text.length - dot - 1;
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=range][data-output]")) {
      return;
    }
    var output = document.getElementById(input.getAttribute("data-output"));
    if (!output) {
      return;
    }
    var text = Number(input.value).toFixed(decimals(input.getAttribute("step")));
    var unit = input.getAttribute("data-unit");
    output.textContent = unit ? text + " " + unit : text;
  });
})();
