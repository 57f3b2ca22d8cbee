// Smoke test for the built front end, run at the end of `npm run build`.
//
// Checks the things that are easy to break and hard to notice:
//   - borough.css built, branded (brand colour, no GDS Transport, no crown/crest)
//     and still small;
//   - every url() in borough.css exists under static/borough/ (Django's
//     ManifestStaticFilesStorage fails collectstatic otherwise);
//   - the scripts are there, and the GOV.UK / MOJ bundles are ES modules;
//   - no template has inline <script> or style="" (the CSP blocks both) or |safe.
// Templates outside borough/frontend are checked too, but only warned about.

import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src/borough");
const OUT = join(SRC, "frontend/static/borough");
const BRAND = "#00625e";
const MAX_CSS_BYTES = 250 * 1024;

const failures = [];
const warnings = [];
const check = (ok, message) => ok || failures.push(message);

function read(name) {
  const path = join(OUT, name);
  if (!existsSync(path)) {
    failures.push(`missing ${relative(ROOT, path)}`);
    return "";
  }
  return readFileSync(path, "utf8");
}

// --- CSS -----------------------------------------------------------------------------
const css = read("borough.css");
check(css.includes(".govuk-header"), "borough.css has no .govuk-header rules");
check(css.includes(".moj-header"), "borough.css has no .moj-header rules");
check(css.toLowerCase().includes(BRAND), `borough.css does not use the brand colour ${BRAND}`);
check(!/GDS Transport/i.test(css), 'borough.css mentions "GDS Transport"');
check(!/@font-face/.test(css), "borough.css declares @font-face (should use system fonts)");
check(!/url\([^)]*(crown|crest)/i.test(css), "borough.css refers to a crown or crest image");
check(!css.includes("sourceMappingURL"), "borough.css points at a source map");
check(css.length <= MAX_CSS_BYTES, `borough.css is ${css.length} bytes (limit ${MAX_CSS_BYTES})`);

for (const [, url] of css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
  if (/^(data:|#)/.test(url)) continue;
  check(!/^(\/|[a-z]+:)/i.test(url), `borough.css uses a non-relative url(${url})`);
  check(existsSync(join(OUT, url)), `borough.css refers to ${url}, which is not in static/borough/`);
}

// --- Scripts -------------------------------------------------------------------------
const govuk = read("govuk-frontend.min.js");
const moj = read("moj-frontend.min.js");
const htmx = read("htmx.min.js");
const borough = read("borough.js");
check(/export\s*\{[^}]*\binitAll\b/.test(govuk), "govuk-frontend.min.js does not export initAll");
check(/export\s*\{[^}]*\binitAll\b/.test(moj), "moj-frontend.min.js does not export initAll");
check(!/^\s*import\s/m.test(moj), "moj-frontend.min.js imports other modules");
check(htmx.includes("htmx:configRequest"), "htmx.min.js does not look like htmx");
check(borough.includes('from "./govuk-frontend.min.js"'), "borough.js does not import GOV.UK Frontend");
for (const [name, text] of [["govuk-frontend.min.js", govuk], ["moj-frontend.min.js", moj], ["htmx.min.js", htmx]]) {
  check(!text.includes("sourceMappingURL"), `${name} points at a source map that is not shipped`);
}
for (const image of ["favicon.svg", "favicon.ico", "apple-touch-icon.png", "borough-mark.svg"]) {
  check(existsSync(join(OUT, "images", image)), `missing images/${image}`);
}

// --- Templates -----------------------------------------------------------------------
function* templates(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!["node_modules", "static", "__pycache__"].includes(entry.name)) yield* templates(path);
    } else if (entry.name.endsWith(".html") && path.includes("/templates/")) {
      yield path;
    }
  }
}

const RULES = [
  [/<script\b(?![^>]*\bsrc=)[^>]*>/i, "inline <script> (the CSP allows only script-src 'self' files)"],
  [/\sstyle\s*=/i, "style=\"\" attribute (the CSP's style-src 'self' blocks it)"],
  [/<style\b/i, "inline <style> element"],
  [/\son[a-z]+\s*=\s*["']/i, "inline event handler attribute"],
  [/\|\s*safe\b/, "|safe filter"],
  [/hx-on[:-]/i, "hx-on attribute (needs eval, which the CSP blocks)"],
];

for (const path of templates(SRC)) {
  // Ignore {# #} and {% comment %} blocks.
  const text = readFileSync(path, "utf8")
    .replace(/\{#[\s\S]*?#\}/g, "")
    .replace(/\{%\s*comment\s*%\}[\s\S]*?\{%\s*endcomment\s*%\}/g, "");
  const ours = path.includes("/frontend/templates/");
  for (const [pattern, description] of RULES) {
    if (pattern.test(text)) {
      (ours ? failures : warnings).push(`${relative(ROOT, path)}: ${description}`);
    }
  }
}

// --- Report --------------------------------------------------------------------------
const size = (name) => {
  const path = join(OUT, name);
  if (!existsSync(path)) return `${name}: missing`;
  const bytes = statSync(path).size;
  const gz = gzipSync(readFileSync(path)).length;
  return `${name}: ${(bytes / 1024).toFixed(1)} KiB (${(gz / 1024).toFixed(1)} KiB gzipped)`;
};
for (const name of ["borough.css", "borough.js", "govuk-frontend.min.js", "moj-frontend.min.js", "htmx.min.js"]) {
  console.log(`  ${size(name)}`);
}
for (const warning of warnings) console.warn(`warning: ${warning}`);
if (failures.length) {
  for (const failure of failures) console.error(`FAIL: ${failure}`);
  process.exit(1);
}
console.log("Front-end build checks passed.");
