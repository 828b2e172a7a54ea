/* Type-ahead for words fields: suggestions from the portal's JSON API in an ARIA combobox.

   A field opts in with data-suggest (the API address), data-suggest-lang and
   data-suggest-target (the id of a hidden input). Choosing a suggestion puts its concept id in
   the hidden input and keeps the words as typed; changing the words clears the choice, so the
   form posts either words with the concept they were confirmed to mean, or words alone (and
   the server then offers its suggestion page). Without this script the form works the same way.

   The words people read come from the page (#typeahead-messages), already translated.
   No inline scripts or handlers: the Content-Security-Policy forbids them. */
(function () {
  "use strict";

  var DELAY_MS = 200;
  var LIMIT = 8;

  function messages() {
    var holder = document.getElementById("typeahead-messages");
    var data = holder ? holder.dataset : {};
    return {
      results: data.results || "{n} suggestions.",
      none: data.none || "No suggestions.",
      chosen: data.chosen || "Chosen: {label}.",
      matched: data.matched || "matched “{words}”",
      list: data.list || "Suggestions"
    };
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function Typeahead(input, text) {
    this.input = input;
    this.text = text;
    this.target = document.getElementById(input.dataset.suggestTarget);
    this.url = input.dataset.suggest;
    this.lang = input.dataset.suggestLang || "";
    this.options = [];
    this.active = -1;
    this.sequence = 0;
    this.timer = null;
    this.build();
  }

  Typeahead.prototype.build = function () {
    var input = this.input;
    var base = input.id || "typeahead";
    this.list = document.createElement("ul");
    this.list.id = base + "-listbox";
    this.list.className = "typeahead-list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", this.text.list);
    this.list.hidden = true;
    this.status = document.createElement("span");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");
    this.chosen = document.createElement("p");
    this.chosen.id = base + "-chosen";
    this.chosen.className = "typeahead-chosen";
    this.chosen.setAttribute("aria-live", "polite");

    var wrapper = document.createElement("div");
    wrapper.className = "typeahead";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    wrapper.appendChild(this.list);
    wrapper.parentNode.insertBefore(this.chosen, wrapper.nextSibling);
    wrapper.parentNode.insertBefore(this.status, this.chosen.nextSibling);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    input.setAttribute("autocomplete", "off");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(this.chosen.id);
    input.setAttribute("aria-describedby", described.join(" "));

    input.addEventListener("input", this.onInput.bind(this));
    input.addEventListener("keydown", this.onKeydown.bind(this));
    input.addEventListener("blur", this.onBlur.bind(this));
    this.list.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep the focus in the field
    });
    this.list.addEventListener("click", this.onClick.bind(this));
  };

  Typeahead.prototype.onInput = function () {
    if (this.target) {
      this.target.value = "";
    }
    this.chosen.textContent = "";
    window.clearTimeout(this.timer);
    var words = this.input.value.trim();
    if (words.length < 2) {
      this.close();
      return;
    }
    this.timer = window.setTimeout(this.fetch.bind(this, words), DELAY_MS);
  };

  Typeahead.prototype.fetch = function (words) {
    var sequence = ++this.sequence;
    var self = this;
    var query = "?q=" + encodeURIComponent(words) + "&limit=" + LIMIT;
    if (this.lang) {
      query += "&lang=" + encodeURIComponent(this.lang);
    }
    window
      .fetch(this.url + query, {
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      })
      .then(function (response) {
        return response.ok ? response.json() : { candidates: [] };
      })
      .then(function (body) {
        if (sequence === self.sequence) {
          self.show(body.candidates || []);
        }
      })
      .catch(function () {
        self.close(); // the server's suggestion page still works
      });
  };

  Typeahead.prototype.show = function (candidates) {
    var self = this;
    this.list.textContent = "";
    this.options = candidates.map(function (candidate, index) {
      var option = document.createElement("li");
      option.id = self.list.id + "-" + index;
      option.className = "typeahead-option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.id = String(candidate.id);
      option.dataset.label = candidate.preferred_label;
      option.appendChild(document.createTextNode(candidate.preferred_label));
      if (candidate.label && candidate.label !== candidate.preferred_label) {
        var matched = document.createElement("span");
        matched.className = "typeahead-matched";
        matched.setAttribute("lang", candidate.lang || "");
        matched.textContent = fill(self.text.matched, { words: candidate.label });
        option.appendChild(matched);
      }
      self.list.appendChild(option);
      return option;
    });
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    if (this.options.length) {
      this.open();
      this.status.textContent = fill(this.text.results, { n: this.options.length });
    } else {
      this.close();
      this.status.textContent = this.text.none;
    }
  };

  Typeahead.prototype.open = function () {
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  Typeahead.prototype.close = function () {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
    this.options.forEach(function (option) {
      option.setAttribute("aria-selected", "false");
    });
  };

  Typeahead.prototype.isOpen = function () {
    return !this.list.hidden;
  };

  Typeahead.prototype.highlight = function (index) {
    var count = this.options.length;
    if (!count) {
      return;
    }
    this.active = (index + count) % count;
    var self = this;
    this.options.forEach(function (option, position) {
      option.setAttribute("aria-selected", position === self.active ? "true" : "false");
    });
    var current = this.options[this.active];
    this.input.setAttribute("aria-activedescendant", current.id);
    if (current.scrollIntoView) {
      current.scrollIntoView({ block: "nearest" });
    }
  };

  Typeahead.prototype.choose = function (option) {
    if (this.target) {
      this.target.value = option.dataset.id;
    }
    this.chosen.textContent = fill(this.text.chosen, { label: option.dataset.label });
    this.close();
  };

  Typeahead.prototype.onKeydown = function (event) {
    switch (event.key) {
      case "ArrowDown":
        if (!this.options.length) {
          return;
        }
        event.preventDefault();
        this.open();
        this.highlight(this.active + 1);
        break;
      case "ArrowUp":
        if (!this.options.length) {
          return;
        }
        event.preventDefault();
        this.open();
        this.highlight(this.active < 0 ? -1 : this.active - 1);
        break;
      case "Enter":
        if (this.isOpen() && this.active >= 0) {
          event.preventDefault(); // choose, do not send the form yet
          this.choose(this.options[this.active]);
        }
        break;
      case "Escape":
        if (this.isOpen()) {
          event.preventDefault();
          this.close();
        }
        break;
      case "Tab":
        this.close();
        break;
      default:
        break;
    }
  };

  Typeahead.prototype.onClick = function (event) {
    var option = event.target.closest ? event.target.closest("[role=option]") : null;
    if (option) {
      this.choose(option);
      this.input.focus();
    }
  };

  Typeahead.prototype.onBlur = function () {
    var self = this;
    window.setTimeout(function () {
      self.close();
    }, 150);
  };

  function start() {
    var text = messages();
    var fields = document.querySelectorAll("input[data-suggest]");
    Array.prototype.forEach.call(fields, function (input) {
      new Typeahead(input, text);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
