/**
 * Borough page behaviour: an ES module, loaded by base.html with
 * <script type="module" src=".../borough/borough.js">, after htmx.min.js.
 *
 * Source: src/borough/frontend/assets/js/borough.js. `npm run build` copies it to
 * src/borough/frontend/static/borough/borough.js; edit the source, not the copy.
 *
 * The Content-Security-Policy allows no inline script or style, so everything a
 * page needs is wired up here from data attributes:
 *
 *   - GOV.UK Frontend and MOJ Frontend components (data-module="...") are
 *     initialised on load and again in content htmx swaps in.
 *   - htmx requests send the CSRF token from <meta name="csrf-token">.
 *   - After a swap, focus moves to the new content if the element that had focus
 *     was replaced, and a short message is put in the #borough-live-region status
 *     region. Control this per element:
 *       data-announce="12 results"   message to announce (on the swapped content,
 *                                     or on the element that made the request);
 *                                     data-announce="" announces nothing
 *       data-focus-on-swap           always move focus to this content when swapped in
 *       data-focus-target            the element inside swapped content to focus
 *   - Elements that are being refreshed get aria-busy="true".
 *   - Table containers ([data-borough-scroll-region]) that overflow become focusable
 *     regions, so they can be scrolled with the keyboard.
 *   - htmx swaps 422 responses (form errors) as well as 2xx ones.
 *   - A <select data-borough-autocomplete> becomes an autocomplete (people by name).
 *   - An <input data-borough-autocomplete data-borough-suggest="URL"> becomes an
 *     autocomplete whose suggestions come from that endpoint as the user types (CIs,
 *     business services: too many for a select); data-borough-suggest-with="ci=box-id"
 *     sends another box's words along. Without JavaScript it stays a text box, matched
 *     by reference or name on the server.
 *   - The organisation switcher (form[data-borough-organisation-switcher]) submits
 *     as soon as an organisation is picked with a mouse or touch. Keyboard users keep
 *     the "Switch" button, so arrowing through the list never changes organisation.
 *   - A composer (form[data-borough-composer], the ticket page's reply-or-note box)
 *     takes files dropped anywhere on it into its file box, and refuses files over
 *     the input's data-max-bytes or not matching its `accept` list before upload,
 *     with a GOV.UK error message on the field (the server checks again).
 */

import { initAll as initGovukFrontend } from "./govuk-frontend.min.js";
import { initAll as initMojFrontend } from "./moj-frontend.min.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);
const DEFAULT_ANNOUNCEMENT = "Content updated";

// --- GOV.UK Frontend and MOJ Frontend ---------------------------------------------

document.body.classList.add("js-enabled", "govuk-frontend-supported");

function reportError(error) {
  // Each component initialises an element once; initialising a region again after
  // a swap reports the ones already done, which is expected.
  if (error && error.name === "InitError") return;
  console.error(error);
}

/** Initialise the GOV.UK and MOJ components in (and below) an element. */
export function initComponents(scope = document) {
  // The design systems search *inside* the scope, so a swapped-in element that is
  // itself a component is initialised from its parent.
  const root = scope instanceof Element && scope.matches("[data-module]") && scope.parentElement
    ? scope.parentElement
    : scope;
  // Each on its own: one that throws (a design system's component already set up in
  // swapped-in content, say) must not leave the others undone.
  for (const init of [
    () => initGovukFrontend({ scope: root, onError: reportError }),
    () => initMojFrontend({ scope: root, onError: reportError }),
    () => initOrganisationSwitchers(root),
    () => initScrollRegions(root),
    () => initComposers(root),
    () => initPeoplePickers(root),
    () => initSuggestBoxes(root),
  ]) {
    try {
      init();
    } catch (error) {
      reportError(error);
    }
  }
}

// --- Choosing people by name ----------------------------------------------------------

// A <select data-borough-autocomplete> (assignees, people) becomes GOV.UK's accessible
// autocomplete: type part of a name, pick from the suggestions. The select stays in
// the form and is what is submitted; without JavaScript it is an ordinary select.
function initPeoplePickers(scope) {
  const enhance = window.accessibleAutocomplete && window.accessibleAutocomplete.enhanceSelectElement;
  if (!enhance) return;
  for (const select of scope.querySelectorAll("select[data-borough-autocomplete]")) {
    if (select.hasAttribute("data-borough-autocomplete-init")) continue;
    select.setAttribute("data-borough-autocomplete-init", "");
    const empty = select.querySelector("option[value='']");
    const chosen = select.selectedOptions[0];
    const boxId = select.id;  // the box takes the select's id; the select gets "-select"
    enhance({
      selectElement: select,
      // The box starts with the person chosen, empty rather than "Anyone" or "Nobody".
      defaultValue: chosen && chosen.value ? chosen.textContent : "",
      showAllValues: true,
      dropdownArrow: () => "",
      // Called with the suggestion picked, or nothing when the box loses focus: then
      // the words in the box decide, and an empty box chooses "Anyone"/"Nobody" again.
      onConfirm: (label) => {
        const box = document.getElementById(boxId);
        const text = label !== undefined ? label : (box ? box.value : "");
        const match = Array.from(select.options).find((o) => o.value && o.textContent === text);
        if (match) select.value = match.value;
        else if (!text.trim() && empty) select.value = "";
      },
      tNoResults: () => "No one by that name",
    });
  }
}

// --- Choosing one record among many, with suggestions from the server ----------------

function escapeHtml(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

// The suggestion endpoint's answer (core.api.suggestions): [{label, hint, first}, ...].
function suggestionSource(box, url) {
  const extra = (box.getAttribute("data-borough-suggest-with") || "").split("=");
  let timer = null;
  let controller = null;
  return (query, populate) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const params = new URLSearchParams({ q: query });
      if (extra.length === 2) {
        const other = document.getElementById(extra[1]);
        if (other && other.value.trim()) params.set(extra[0], other.value.trim());
      }
      if (controller) controller.abort();
      controller = new AbortController();
      fetch(`${url}?${params}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller.signal,
      })
        .then((response) => (response.ok ? response.json() : []))
        .then((found) => populate(Array.isArray(found) ? found : []))
        .catch((error) => {
          if (error.name !== "AbortError") populate([]);
        });
    }, 200);
  };
}

function initSuggestBoxes(scope) {
  const create = window.accessibleAutocomplete;
  if (!create) return;
  for (const input of scope.querySelectorAll("input[data-borough-autocomplete][data-borough-suggest]")) {
    const url = input.getAttribute("data-borough-suggest");
    const wrapper = document.createElement("div");
    wrapper.className = "borough-suggest";
    input.replaceWith(wrapper);
    const describedBy = input.getAttribute("aria-describedby");
    const withOther = input.getAttribute("data-borough-suggest-with");
    create({
      element: wrapper,
      id: input.id,
      name: input.name,
      defaultValue: input.value,
      // The box's own words are sent as typed (a reference or a name works too).
      confirmOnBlur: false,
      minLength: withOther ? 0 : 2,
      showAllValues: Boolean(withOther),
      dropdownArrow: () => "",
      inputClasses: input.classList.contains("govuk-input--error") ? "govuk-input--error" : "",
      source: suggestionSource(input, url),
      templates: {
        inputValue: (found) => (found && typeof found === "object" ? found.label : found || ""),
        suggestion: (found) => {
          if (!found || typeof found !== "object") return escapeHtml(found || "");
          const hint = found.hint ? ` (${escapeHtml(found.hint)})` : "";
          return `${escapeHtml(found.label)}${hint}`;
        },
      },
      tNoResults: () => "Nothing matches: check the spelling, or type its reference",
    });
    const box = wrapper.querySelector("input");
    if (box) {
      if (withOther) box.setAttribute("data-borough-suggest-with", withOther);
      box.setAttribute("spellcheck", "false");
      if (describedBy) {
        const own = box.getAttribute("aria-describedby");
        box.setAttribute("aria-describedby", own ? `${describedBy} ${own}` : describedBy);
      }
    }
  }
}

// --- Scrolling tables --------------------------------------------------------------

// A table container ([data-borough-scroll-region="Caption"]) that is too narrow for
// its table becomes a focusable, labelled region, so keyboard users can scroll it.
function initScrollRegions(scope) {
  for (const region of scope.querySelectorAll("[data-borough-scroll-region]")) {
    if (region.hasAttribute("data-borough-scroll-region-init")) continue;
    region.setAttribute("data-borough-scroll-region-init", "");
    const update = () => {
      if (region.scrollWidth > region.clientWidth) {  // as axe-core counts it: one pixel is enough
        region.setAttribute("tabindex", "0");
        region.setAttribute("role", "region");
        region.setAttribute("aria-label", region.getAttribute("data-borough-scroll-region") || "Table");
      } else {
        region.removeAttribute("tabindex");
        region.removeAttribute("role");
        region.removeAttribute("aria-label");
      }
    };
    update();
    if ("ResizeObserver" in window) new ResizeObserver(update).observe(region);
  }
}

// --- Composer: dropped files, and files refused before upload ----------------------

function fileRefusal(file, input) {
  const maxBytes = Number(input.getAttribute("data-max-bytes") || 0);
  const accept = (input.getAttribute("accept") || "")
    .split(",").map((ext) => ext.trim().toLowerCase()).filter(Boolean);
  const name = file.name;
  const dot = name.lastIndexOf(".");
  const ext = dot >= 0 ? name.slice(dot).toLowerCase() : "";
  if (accept.length && !accept.includes(ext)) {
    return `“${name}” is not a type of file Borough accepts. Upload a PDF, image, text, office document or email.`;
  }
  if (maxBytes && file.size > maxBytes) {
    const size = Math.floor(file.size / 1024).toLocaleString("en-GB");
    return `“${name}” is ${size} KB; files must be at most ${input.getAttribute("data-max-size")}.`;
  }
  return "";
}

/** Show (or clear) the GOV.UK error message of a file box. */
function showFileError(input, messages) {
  const group = input.closest(".govuk-form-group");
  if (!group) return;
  const id = `${input.id}-browser-error`;
  let error = document.getElementById(id);
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
  if (!messages.length) {
    if (error) error.remove();
    if (!group.querySelector(".govuk-error-message")) {
      group.classList.remove("govuk-form-group--error");
      input.classList.remove("govuk-file-upload--error");
    }
    input.setAttribute("aria-describedby", described.join(" "));
    return;
  }
  if (!error) {
    error = element("p", { id, className: "govuk-error-message" });
    input.before(error);
  }
  error.replaceChildren(element("span", { className: "govuk-visually-hidden", textContent: "Error:" }),
    ` ${messages.join(" ")}`);
  group.classList.add("govuk-form-group--error");
  input.classList.add("govuk-file-upload--error");
  input.setAttribute("aria-describedby", [...described, id].join(" "));
}

/** Keep in the file box only the files it may send; say why the others were refused. */
function checkFiles(input, files) {
  const kept = new DataTransfer();
  const refused = [];
  for (const file of files) {
    const why = fileRefusal(file, input);
    if (why) refused.push(why);
    else kept.items.add(file);
  }
  input.files = kept.files;
  showFileError(input, refused);
  if (refused.length) announce(refused.join(" "));
}

// Listened for on the document, so a composer swapped in by htmx needs no setting up.
function composerOf(event) {
  const form = event.target instanceof Element ? event.target.closest("form[data-borough-composer]") : null;
  const input = form ? form.querySelector('input[type="file"]') : null;
  return form && input && typeof DataTransfer === "function" ? { form, input } : null;
}

const carriesFiles = (event) => event.dataTransfer && [...event.dataTransfer.types].includes("Files");

function initComposers(scope) {
  // Say that files may be dropped, where the browser can take them.
  if (typeof DataTransfer !== "function") return;
  for (const hint of scope.querySelectorAll("form[data-borough-composer] [data-borough-drop-hint]")) {
    hint.hidden = false;
  }
}

document.addEventListener("change", (event) => {
  const found = composerOf(event);
  if (found && event.target === found.input) checkFiles(found.input, [...found.input.files]);
});

document.addEventListener("dragover", (event) => {
  const found = composerOf(event);
  if (!found || !carriesFiles(event)) return;
  event.preventDefault();
  found.form.classList.add("borough-composer--dragging");
});

document.addEventListener("dragleave", (event) => {
  const found = composerOf(event);
  // Leaving for a child of the form is not leaving the form.
  if (found && !(event.relatedTarget instanceof Node && found.form.contains(event.relatedTarget))) {
    found.form.classList.remove("borough-composer--dragging");
  }
});

document.addEventListener("drop", (event) => {
  const found = composerOf(event);
  if (!found || !event.dataTransfer || !event.dataTransfer.files.length) return;
  event.preventDefault();
  found.form.classList.remove("borough-composer--dragging");
  // Added to what was already chosen, not in place of it.
  checkFiles(found.input, [...found.input.files, ...event.dataTransfer.files]);
});

// --- Organisation switcher --------------------------------------------------------

function initOrganisationSwitchers(scope) {
  for (const form of scope.querySelectorAll("form[data-borough-organisation-switcher]")) {
    if (form.hasAttribute("data-borough-organisation-switcher-init")) continue;
    form.setAttribute("data-borough-organisation-switcher-init", "");
    const select = form.querySelector("select");
    if (!select) continue;

    // Only a pointer choice submits straight away (WCAG 3.2.2 On Input): with the
    // keyboard, arrowing through a closed <select> fires "change" on every step.
    let pickedWithPointer = false;
    select.addEventListener("pointerdown", () => {
      pickedWithPointer = true;
    });
    select.addEventListener("keydown", () => {
      pickedWithPointer = false;
    });
    select.addEventListener("change", () => {
      if (!pickedWithPointer || !select.value) return;
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();
      } else {
        form.submit();
      }
    });
  }
}

// --- Announcements -----------------------------------------------------------------

/** A new element with the given properties (id, className, textContent…) and attributes. */
function element(tag, properties = {}, attributes = {}) {
  const made = Object.assign(document.createElement(tag), properties);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  return made;
}

/** Say a short message through the page's polite status region. */
export function announce(message) {
  if (!message) return;
  let region = document.getElementById("borough-live-region");
  if (!region) {
    // base.html puts one at the end of <main>; recreate it if a swap removed it.
    region = element("div", { id: "borough-live-region", className: "govuk-visually-hidden" },
      { role: "status", "aria-live": "polite", "aria-atomic": "true" });
    (document.querySelector("main") || document.body).append(region);
  }
  // Clear first so the same message twice is still announced.
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = message;
  }, 100);
}

function announcementFor(content, trigger) {
  const own = content.closest("[data-announce]") || content.querySelector("[data-announce]");
  if (own) return own.getAttribute("data-announce");
  const fromTrigger = trigger && typeof trigger.closest === "function"
    ? trigger.closest("[data-announce]")
    : null;
  if (fromTrigger) return fromTrigger.getAttribute("data-announce");
  return DEFAULT_ANNOUNCEMENT;
}

// --- Focus after swaps ------------------------------------------------------------

function focusWithin(content) {
  const target =
    content.querySelector("[data-focus-target]") ||
    content.querySelector("h1, h2, h3, h4, caption") ||
    content;
  if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) {
    target.setAttribute("tabindex", "-1");
    target.addEventListener("blur", () => target.removeAttribute("tabindex"), { once: true });
  }
  target.focus();
}

function focusIsLost() {
  const active = document.activeElement;
  return !active || active === document.body || !active.isConnected;
}

// htmx fires afterSettle once for each top-level element it swapped in; deal with
// them together, once the swap has finished.
let settled = [];

function afterSettle(content, trigger) {
  settled.push({ content, trigger });
  if (settled.length > 1) return;
  window.setTimeout(() => {
    const batch = settled.filter(({ content: el }) => el.isConnected);
    settled = [];
    if (!batch.length) return;
    const [{ content: first, trigger: firstTrigger }] = batch;
    const wanted = batch.find(({ content: el }) => el.matches("[data-focus-on-swap]"));
    // Components such as the error summary focus themselves when initialised.
    const focusInside = batch.some(({ content: el }) => el.contains(document.activeElement));
    let moved = false;
    if (!focusInside && (wanted || focusIsLost())) {
      focusWithin((wanted || batch[0]).content);
      moved = true;
    }
    const message = announcementFor(first, firstTrigger);
    // Focus landing in the new content already reads it out: then announce only
    // explicit messages. Otherwise say that something changed.
    if (message && (!(moved || focusInside) || message !== DEFAULT_ANNOUNCEMENT)) {
      announce(message);
    }
  }, 0);
}

// --- htmx --------------------------------------------------------------------------

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
}

document.addEventListener("htmx:configRequest", (event) => {
  const token = csrfToken();
  if (token && !SAFE_METHODS.has(String(event.detail.verb).toUpperCase())) {
    event.detail.headers["X-CSRFToken"] = token;
  }
});

document.addEventListener("htmx:beforeRequest", (event) => {
  const target = event.detail.target;
  if (target && target.setAttribute) target.setAttribute("aria-busy", "true");
});

document.addEventListener("htmx:afterRequest", (event) => {
  const target = event.detail.target;
  if (target && target.removeAttribute) target.removeAttribute("aria-busy");
});

// Django form views answer invalid submissions with 422: show those forms too.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr && event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// New content: initialise its components. (htmx also fires this for the whole
// body when the page loads, which is already done below.)
document.addEventListener("htmx:load", (event) => {
  const element = event.detail.elt;
  if (!element || element === document.body) return;
  initComponents(element);
});

document.addEventListener("htmx:afterSettle", (event) => {
  const content = event.target;
  if (!(content instanceof Element) || content === document.body) return;
  const trigger = event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt;
  afterSettle(content, trigger);
});

// The error pages put their explanation in .borough-error-message (a 409 conflict, a
// 400 with what to change); show it as the GOV.UK error summary and move focus to it.
function errorMessageFrom(xhr) {
  const status = xhr ? xhr.status : 0;
  if (status >= 400 && status < 500 && xhr.responseText) {
    const page = new DOMParser().parseFromString(xhr.responseText, "text/html");
    const found = page.querySelector(".borough-error-message");
    if (found && found.textContent.trim()) return found.textContent.trim();
  }
  return "Sorry, there is a problem with the service. Try again later.";
}

function showRequestError(message) {
  const main = document.querySelector("main");
  if (!main) return;
  let summary = document.getElementById("borough-request-error");
  if (!summary) {
    summary = element("div", { id: "borough-request-error", className: "govuk-error-summary" },
      { tabindex: "-1" });
    const alert = element("div", {}, { role: "alert" });
    alert.append(
      element("h2", { className: "govuk-error-summary__title", textContent: "There is a problem" }),
      element("p", { className: "govuk-body govuk-error-summary__body" }));
    summary.append(alert);
    main.prepend(summary);
  }
  summary.querySelector(".govuk-error-summary__body").textContent = message;
  summary.focus();
}

document.addEventListener("htmx:responseError", (event) => {
  showRequestError(errorMessageFrom(event.detail && event.detail.xhr));
});

document.addEventListener("htmx:sendError", () => {
  announce("Borough could not be reached. Check your connection and try again.");
});

document.addEventListener("htmx:timeout", () => {
  announce("Borough took too long to respond. Try again.");
});

initComponents(document);
