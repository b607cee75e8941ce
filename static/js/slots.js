/* Inkubator: progressive enhancement of the booking pages. No libraries, no network but our API.
 *
 * 1. On the "choose a day" step, choosing a day fetches that day's free slots from
 *    /api/v1/slots and shows them as links right below, without a page load; focus moves to
 *    their heading. If the API cannot be reached or answers oddly, the link is simply followed,
 *    so the page without JavaScript (the "choose a time" step) takes over.
 * 2. Buttons marked data-print become visible and print the page.
 */
(function () {
  "use strict";

  var TIMEOUT_MS = 8000;

  function enablePrintButtons() {
    var buttons = document.querySelectorAll("[data-print]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  function timeFormatter(lang) {
    try {
      var format = new Intl.DateTimeFormat(lang || "pl", {
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZone: "Europe/Warsaw"
      });
      return function (iso) {
        return format.format(new Date(iso));
      };
    } catch (error) {
      return function (iso) {
        var match = /T(\d\d:\d\d)/.exec(iso);
        return match ? match[1] : iso;
      };
    }
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function parseExperts(raw) {
    try {
      return JSON.parse(raw || "{}") || {};
    } catch (error) {
      return {};
    }
  }

  function slotsFrom(data) {
    if (Array.isArray(data)) {
      return data;
    }
    if (data && Array.isArray(data.slots)) {
      return data.slots;
    }
    return null;
  }

  function fetchJSON(url) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller
      ? window.setTimeout(function () {
          controller.abort();
        }, TIMEOUT_MS)
      : null;
    return window
      .fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .finally(function () {
        if (timer) {
          window.clearTimeout(timer);
        }
      });
  }

  /* The page's heading says the same step as the indicator: "Choose a time" with the times. */
  function advanceHeading(picker) {
    var heading = document.querySelector("main h1");
    var text = picker.dataset.textNextHeading;
    if (heading && text) {
      heading.textContent = text;
    }
  }

  /* Move "current step" in the step indicator from the day step to the time step. */
  function advanceSteps(picker) {
    advanceHeading(picker);
    var nav = document.querySelector(".steps");
    if (!nav) {
      return;
    }
    var date = nav.querySelector('[data-step="date"]');
    var time = nav.querySelector('[data-step="time"]');
    if (!date || !time) {
      return;
    }
    date.removeAttribute("aria-current");
    date.className = "done";
    time.setAttribute("aria-current", "step");
    time.className = "current";
    var count = nav.querySelector(".step-count strong");
    if (count && picker.dataset.textNextStep) {
      count.textContent = picker.dataset.textNextStep;
    }
  }

  function setupPicker(picker) {
    var panel = picker.querySelector("[data-slot-panel]");
    if (!panel || !window.fetch || !window.URL) {
      return;
    }
    var config = picker.dataset;
    var experts = parseExperts(config.experts);
    var formatTime = timeFormatter(config.lang);
    var pending = null;

    function slotLink(slot, dayLabel) {
      var target = new URL(config.confirmUrl, window.location.href);
      target.searchParams.set("expert", String(slot.expert_id));
      target.searchParams.set("start", slot.start);
      var span = formatTime(slot.start) + "\u2013" + formatTime(slot.end);
      var name = experts[String(slot.expert_id)] || "";
      var link = element("a", "slot");
      link.href = target.pathname + target.search;
      // The accessible name is the visible text with the day before it and the office after it
      // for screen readers only, so it contains what is seen (WCAG 2.5.3 label in name).
      if (dayLabel) {
        link.appendChild(element("span", "visually-hidden", dayLabel + ", "));
      }
      link.appendChild(element("span", "slot-time", span));
      if (name) {
        link.appendChild(document.createTextNode(" "));
        link.appendChild(element("span", "slot-expert", name));
      }
      if (config.branchName) {
        link.appendChild(element("span", "visually-hidden", ", " + config.branchName));
      }
      return link;
    }

    function render(dayLabel, slots) {
      var heading = element(
        "h2",
        "",
        (config.textHeading || "{day}").replace("{day}", dayLabel)
      );
      heading.id = "slot-panel-heading";
      heading.tabIndex = -1;
      var children = [heading];
      if (slots.length) {
        children.push(element("p", "hint", config.textHint || ""));
        var list = element("ul", "slots");
        slots.forEach(function (slot) {
          var item = element("li");
          item.appendChild(slotLink(slot, dayLabel));
          list.appendChild(item);
        });
        children.push(list);
      } else {
        children.push(element("p", "notice", config.textNone || ""));
      }
      panel.replaceChildren.apply(panel, children);
      panel.setAttribute("aria-labelledby", heading.id);
      panel.hidden = false;
      advanceSteps(picker);
      heading.focus();
    }

    function showDay(link) {
      var day = link.getAttribute("data-day");
      var dayLabel = link.getAttribute("data-day-label") || day;
      var url = new URL(config.api, window.location.href);
      url.searchParams.set("domain", config.domain);
      url.searchParams.set("branch", config.branch);
      if (config.expert) {
        url.searchParams.set("expert", config.expert);
      }
      url.searchParams.set("from", day);
      url.searchParams.set("to", day);

      var days = picker.querySelectorAll("a[data-day]");
      Array.prototype.forEach.call(days, function (other) {
        other.removeAttribute("aria-current");
      });
      link.setAttribute("aria-current", "date");
      var status = element("p", "", config.textLoading || "");
      status.setAttribute("role", "status");
      panel.replaceChildren(status);
      panel.hidden = false;

      var request = (pending = fetchJSON(url.toString()));
      request
        .then(function (data) {
          if (request !== pending) {
            return;
          }
          var slots = slotsFrom(data);
          if (slots === null) {
            throw new Error("unexpected answer");
          }
          slots = slots.filter(function (slot) {
            return (
              String(slot.branch_id) === String(config.branch) &&
              (!config.expert || String(slot.expert_id) === String(config.expert))
            );
          });
          slots.sort(function (a, b) {
            return new Date(a.start) - new Date(b.start);
          });
          render(dayLabel, slots);
        })
        .catch(function () {
          if (request === pending) {
            window.location.assign(link.href); // the page without JavaScript takes over
          }
        });
    }

    picker.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-day]") : null;
      if (!link || event.defaultPrevented || event.button !== 0) {
        return;
      }
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
        return; // opening in a new tab or window: leave it to the browser
      }
      event.preventDefault();
      showDay(link);
    });
  }

  function init() {
    enablePrintButtons();
    Array.prototype.forEach.call(document.querySelectorAll("[data-slot-picker]"), setupPicker);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
