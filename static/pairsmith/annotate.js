// Keyboard-first answering and active-time measurement for the annotate page.
// Time counts only while the tab is visible and the person was active in the last IDLE_MS.
(function () {
  "use strict";
  const IDLE_MS = 30000;
  const TICK_MS = 250;
  let activeMs = 0;
  let lastActivity = Date.now();
  let lastTick = Date.now();
  let currentLease = null;

  function leaseId() {
    const bench = document.getElementById("workbench");
    return bench ? bench.dataset.assignment : null;
  }

  function tick() {
    const now = Date.now();
    const lease = leaseId();
    if (lease !== currentLease) {
      currentLease = lease;
      activeMs = 0;
    } else if (document.visibilityState === "visible" && now - lastActivity < IDLE_MS) {
      activeMs += now - lastTick;
    }
    lastTick = now;
  }

  function markActive() {
    lastActivity = Date.now();
  }

  function fillSeconds(form) {
    tick();
    const field = form.querySelector("input[name=active_seconds]");
    if (field) field.value = (activeMs / 1000).toFixed(2);
  }

  function buttonForKey(form, key) {
    for (const button of form.querySelectorAll("button[data-key]")) {
      if (button.dataset.key.split(" ").includes(key)) return button;
    }
    return null;
  }

  function typing(target) {
    return target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT" || target.isContentEditable);
  }

  function onKey(event) {
    markActive();
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const form = document.getElementById("answer-form");
    if (event.key === "u") {
      const undo = document.querySelector("#undo-form button");
      if (undo) { event.preventDefault(); undo.click(); }
      return;
    }
    if (!form) return;
    if (event.key === "r") {
      event.preventDefault();
      form.querySelector("textarea[name=rationale]").focus();
      return;
    }
    const button = buttonForKey(form, event.key);
    if (button && !button.disabled) {
      event.preventDefault();
      // A click, not requestSubmit(button): htmx learns the submitter (and so the choice) from
      // the click, and a page without htmx posts the same button natively.
      button.click();
    }
  }

  document.addEventListener("keydown", onKey);
  for (const name of ["mousemove", "mousedown", "scroll", "touchstart", "wheel"]) {
    document.addEventListener(name, markActive, { passive: true });
  }
  document.addEventListener("visibilitychange", function () { tick(); markActive(); });
  // Clicks and plain (no-htmx) submits carry the time as well.
  document.addEventListener("submit", function (event) {
    if (event.target.id === "answer-form") fillSeconds(event.target);
  }, true);
  document.addEventListener("htmx:configRequest", function (event) {
    const form = event.detail.elt;
    if (form && form.id === "answer-form") {
      fillSeconds(form);
      event.detail.parameters.active_seconds = (activeMs / 1000).toFixed(2);
    }
  });
  setInterval(tick, TICK_MS);
})();
