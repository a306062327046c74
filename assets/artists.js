// Artist pages: the suggestion lists as ARIA comboboxes (WAI-ARIA 1.2 pattern).
// Loaded only on /artists pages. The server renders plain lists of links, so everything
// works without this file; here the lists get listbox roles, arrow-key navigation,
// Enter to pick, Escape to close, and a live region that announces how many matched.
//
// Inputs opt in with data-artist-combobox="navigate" (Enter opens the artist's page) or
// "fill" (Enter puts the name into the field, for the comparison form), and name the
// element htmx fills with data-suggestions="ID".
(function () {
  "use strict";

  var HINT = " Use the up and down arrow keys to choose and Enter to select.";

  function liveRegion() {
    var region = document.getElementById("artist-live");
    if (!region) {
      region = document.createElement("div");
      region.id = "artist-live";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    return region;
  }

  function container(input) {
    return document.getElementById(input.getAttribute("data-suggestions"));
  }

  function inputFor(box) {
    return box && box.id ? document.querySelector('[data-suggestions="' + box.id + '"]') : null;
  }

  // The options are the links themselves (role=option on each <a>), so a suggestion
  // stays a real link: it keeps its padding and hover style, and opens in a new tab
  // with a middle click or Ctrl/Cmd-click like any other link.
  function options(input) {
    var box = container(input);
    return box ? Array.prototype.slice.call(box.querySelectorAll("li[data-value] > a")) : [];
  }

  function valueOf(option) {
    var li = option.closest ? option.closest("li[data-value]") : option.parentNode;
    return li ? li.getAttribute("data-value") : option.textContent;
  }

  function isFill(input) {
    return input.getAttribute("data-artist-combobox") === "fill";
  }

  // Gives the input and its current list the combobox and listbox roles.
  function upgrade(input) {
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    // The matches leave the Tab order below: the field's visible hint says how to
    // reach them (only a screen reader heard it, and only after typing).
    var hint = input.id && document.getElementById(input.id + "-hint");
    if (hint && !hint.querySelector(".keys-hint")) {
      var keys = document.createElement("span");
      keys.className = "keys-hint";
      keys.textContent = " The down and up arrow keys go through the matches; Enter opens one.";
      hint.appendChild(keys);
    }
    var box = container(input);
    var list = box ? box.querySelector("ul.artist-suggestions") : null;
    var items = options(input);
    if (list) {
      list.id = input.id + "-listbox";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", "Matching artists");
      // A list that scrolls (a comparison field's ten matches) was a Tab stop of its
      // own in Chromium and Firefox: Tab from the field went into it, where no key did
      // anything, and the list stayed open over the next field.
      list.setAttribute("tabindex", "-1");
      input.setAttribute("aria-controls", list.id);
      items.forEach(function (link, i) {
        // The list item is only a wrapper; the link is the option. Focus stays in the
        // field (aria-activedescendant), so the options leave the Tab order.
        link.parentNode.setAttribute("role", "presentation");
        link.id = list.id + "-" + i;
        link.setAttribute("role", "option");
        link.setAttribute("aria-selected", "false");
        link.setAttribute("tabindex", "-1");
      });
    }
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
    input.removeAttribute("aria-activedescendant");
  }

  function activeIndex(input) {
    var id = input.getAttribute("aria-activedescendant");
    return options(input).findIndex(function (li) {
      return li.id === id;
    });
  }

  function setActive(input, index) {
    var items = options(input);
    items.forEach(function (option, i) {
      var on = i === index;
      option.classList.toggle("is-active", on);
      option.setAttribute("aria-selected", on ? "true" : "false");
      if (on) {
        input.setAttribute("aria-activedescendant", option.id);
        if (option.scrollIntoView) {
          option.scrollIntoView({ block: "nearest" });
        }
      }
    });
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close(input) {
    var box = container(input);
    if (box && isFill(input)) {
      box.innerHTML = "";
    }
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function choose(input, option) {
    if (isFill(input)) {
      input.value = valueOf(option);
      close(input);
      liveRegion().textContent = input.value + " selected.";
      input.focus();
    } else {
      var href = option.getAttribute("href");
      if (href) {
        window.location.href = href;
      }
    }
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-artist-combobox]")) {
      return;
    }
    var items = options(input);
    var current = activeIndex(input);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!items.length) {
        return;
      }
      event.preventDefault();
      input.setAttribute("aria-expanded", "true");
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = current < 0 ? (step > 0 ? 0 : items.length - 1) : (current + step + items.length) % items.length;
      setActive(input, next);
    } else if (event.key === "Enter" && current >= 0) {
      event.preventDefault();
      choose(input, items[current]);
    } else if (event.key === "Escape") {
      if (current >= 0 || isFill(input)) {
        event.preventDefault();
        setActive(input, -1);
        // The search page's list is the page's results and stays shown: only a
        // comparison field's drop-down closes (it had said "collapsed" over a list
        // still on screen).
        if (isFill(input)) {
          close(input);
        }
      }
    }
  });

  // A plain click on a suggestion of a comparison field fills the field. Everywhere
  // else (the search page, or a click with a modifier key) the link does what links
  // do: open the artist's page, or open it in a new tab or window.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("li[data-value] > a") : null;
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    var input = inputFor(findBox(link));
    if (input && isFill(input)) {
      event.preventDefault();
      choose(input, link);
    }
  });

  function findBox(el) {
    var node = el.parentElement;
    while (node && !(node.id && document.querySelector('[data-suggestions="' + node.id + '"]'))) {
      node = node.parentElement;
    }
    return node;
  }

  // Typing makes what is typed the thing Enter acts on: the option highlighted
  // before stayed chosen until the new matches came (200 ms and the request later),
  // so a quick Enter opened an artist the text no longer named.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.matches && input.matches("[data-artist-combobox]") && activeIndex(input) >= 0) {
      setActive(input, -1);
    }
  });

  // A comparison field's list closes when focus leaves the field and its list, from
  // either of them (focus in the list, by a click on its scroll bar, left it open).
  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches('[data-artist-combobox="fill"]')) {
      input = inputFor(findBox(event.target));
      if (!input || !isFill(input)) {
        return;
      }
    }
    window.setTimeout(function () {
      var box = container(input);
      if (document.activeElement !== input && !(box && box.contains(document.activeElement))) {
        close(input);
      }
    }, 200);
  });

  // --- the comparison form keeps keyboard focus across its swaps ----------------------
  // "Add artist" and "Remove" replace the whole comparison; without this, focus fell
  // back to the top of the page. After "Add artist" the new, empty field has focus;
  // after "Remove" the field that took the removed one's place (or the last one);
  // after anything else, the control that had it.
  var pendingFocus = null;

  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form || form.id !== "compare-form") {
      return;
    }
    var trigger = event.detail.triggeringEvent;
    var submitter = trigger && trigger.submitter;
    if (submitter && submitter.name === "add") {
      pendingFocus = { add: true };
    } else if (submitter && submitter.name === "remove") {
      pendingFocus = { remove: Number(submitter.value) || 1 };
    } else if (trigger && trigger.type === "submit") {
      // Sent with Enter in a field, or with Compare: focus goes to the result's
      // heading (app.js), which a screen reader then reads. Taking it back to the
      // field, as for a live change, left the result unsaid.
      pendingFocus = null;
    } else {
      var active = document.activeElement;
      pendingFocus = active && active.id ? { id: active.id } : null;
    }
  });

  function restoreFocus() {
    var focus = pendingFocus;
    pendingFocus = null;
    var fields = document.querySelectorAll("#compare-form .compare-field input");
    var el = null;
    if (focus.add) {
      for (var i = fields.length - 1; i >= 0 && !el; i--) {
        if (!fields[i].value) {
          el = fields[i];
        }
      }
    } else if (focus.remove) {
      el = fields[Math.min(focus.remove, fields.length) - 1] || null;
    } else if (focus.id) {
      el = document.getElementById(focus.id);
    }
    if (el && el.focus) {
      el.focus();
    }
  }

  // Whether the field already holds one of its suggestions, as typed (capitals aside):
  // the name is complete, and a list left open covered the next field, so that a click
  // meant for it picked another artist ("Queen" became "Queens of the Stone Age").
  function holdsAnOption(input) {
    var typed = input.value.trim().toLowerCase();
    return !!typed && options(input).some(function (option) {
      return valueOf(option).toLowerCase() === typed;
    });
  }

  function upgradeAll() {
    document.querySelectorAll("[data-artist-combobox]").forEach(upgrade);
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    upgradeAll();
    var config = event.detail.requestConfig;
    // "Show 10 more" takes the keyboard to the first name it added, as its plain link
    // does (#artist-first-added): htmx had kept focus on the link, now below those
    // names, where Tab left the list. The names are the search field's options (out of
    // the Tab order, reached with the arrow keys), so the field takes focus with that
    // name highlighted, and the arrows go on from there.
    if (config && config.elt && config.elt.id === "artist-show-more") {
      var field = inputFor(event.detail.target);
      var added = document.querySelector("#artist-first-added a");
      if (field && added) {
        field.focus({ preventScroll: true });
        setActive(field, options(field).indexOf(added));
      }
    }
    if (pendingFocus && config && config.elt && config.elt.id === "compare-form") {
      restoreFocus();
    }
    var input = inputFor(event.detail.target);
    // A comparison field's list that arrives once the field has lost focus (typing,
    // then Tab within the wait), or that only repeats what the field holds, is not shown.
    if (input && isFill(input) && (document.activeElement !== input || holdsAnOption(input))) {
      close(input);
      return;
    }
    if (input) {
      var status = event.detail.target.querySelector(".suggestion-status");
      var text = status ? status.textContent : "";
      liveRegion().textContent = options(input).length ? text + HINT : text;
    }
  });

  // The live region is put on the page as it loads, empty: made with its first message
  // ("12 artists match"), that message was likely never said (a region has to be on
  // the page before its text changes, as app.js's swap region notes).
  function start() {
    liveRegion();
    upgradeAll();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
