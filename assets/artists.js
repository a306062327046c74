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

  function options(input) {
    var box = container(input);
    return box ? Array.prototype.slice.call(box.querySelectorAll("li[data-value]")) : [];
  }

  function isFill(input) {
    return input.getAttribute("data-artist-combobox") === "fill";
  }

  // Gives the input and its current list the combobox and listbox roles.
  function upgrade(input) {
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    var box = container(input);
    var list = box ? box.querySelector("ul.artist-suggestions") : null;
    var items = options(input);
    if (list) {
      list.id = input.id + "-listbox";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", "Matching artists");
      input.setAttribute("aria-controls", list.id);
      items.forEach(function (li, i) {
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        // An option must not hold another interactive control: the server's link
        // becomes plain text, and the option itself navigates (see choose()).
        var link = li.querySelector("a");
        if (link) {
          var label = document.createElement("span");
          label.className = link.className;
          while (link.firstChild) {
            label.appendChild(link.firstChild);
          }
          li.setAttribute("data-href", link.getAttribute("href"));
          link.parentNode.replaceChild(label, link);
        }
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
    items.forEach(function (li, i) {
      var on = i === index;
      li.classList.toggle("is-active", on);
      li.setAttribute("aria-selected", on ? "true" : "false");
      if (on) {
        input.setAttribute("aria-activedescendant", li.id);
        if (li.scrollIntoView) {
          li.scrollIntoView({ block: "nearest" });
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

  function choose(input, li) {
    if (isFill(input)) {
      input.value = li.getAttribute("data-value");
      close(input);
      liveRegion().textContent = input.value + " selected.";
      input.focus();
    } else {
      var href = li.getAttribute("data-href");
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
        close(input);
      }
    }
  });

  // A click on a suggestion fills a "fill" field, or opens the artist's page.
  document.addEventListener("click", function (event) {
    var li = event.target.closest ? event.target.closest("li[data-value]") : null;
    if (!li) {
      return;
    }
    var input = inputFor(findBox(li));
    if (input) {
      event.preventDefault();
      choose(input, li);
    }
  });

  function findBox(el) {
    var node = el.parentElement;
    while (node && !(node.id && document.querySelector('[data-suggestions="' + node.id + '"]'))) {
      node = node.parentElement;
    }
    return node;
  }

  // A comparison field's list closes when focus leaves the field and its list.
  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches('[data-artist-combobox="fill"]')) {
      return;
    }
    window.setTimeout(function () {
      var box = container(input);
      if (document.activeElement !== input && !(box && box.contains(document.activeElement))) {
        close(input);
      }
    }, 200);
  });

  function upgradeAll() {
    document.querySelectorAll("[data-artist-combobox]").forEach(upgrade);
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    upgradeAll();
    var input = inputFor(event.detail.target);
    if (input) {
      var status = event.detail.target.querySelector(".suggestion-status");
      var text = status ? status.textContent : "";
      liveRegion().textContent = options(input).length ? text + HINT : text;
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", upgradeAll);
  } else {
    upgradeAll();
  }
})();
