// Copies the front-end files Borough serves into src/borough/frontend/static/borough/.
//
// Run by `npm run build` after Sass has written borough.css. The output is committed,
// so running Borough needs no Node.js. Everything here is deterministic: running it
// twice gives the same files.
//
//   govuk-frontend.min.js   GOV.UK Frontend (ES module)
//   moj-frontend.min.js     MOJ Frontend (ES module, self-contained)
//   htmx.min.js             htmx 2 (classic script)
//   accessible-autocomplete.min.js   GOV.UK's autocomplete (classic script, a global)
//   borough.js              our own module, from src/borough/frontend/assets/js/
//   images/                 every image borough.css refers to, plus the icons

import { createRequire } from "node:module";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { ico, png } from "./icons.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const FRONTEND = join(ROOT, "src/borough/frontend");
const ASSETS = join(FRONTEND, "assets");
const OUT = join(FRONTEND, "static/borough");
const require = createRequire(join(ROOT, "package.json"));

const packageDir = (name) => dirname(require.resolve(`${name}/package.json`));
const GOVUK = join(packageDir("govuk-frontend"), "dist/govuk");
const MOJ = join(packageDir("@ministryofjustice/frontend"), "moj");
const HTMX = join(packageDir("htmx.org"), "dist");

const written = [];
const show = (path) => relative(ROOT, path);

function write(path, data) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  written.push(path);
}

// Source maps are not shipped, so drop the comments pointing at them (Django's
// ManifestStaticFilesStorage would otherwise try to find the .map files).
function copyScript(from, to) {
  const text = readFileSync(from, "utf8").replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
  write(join(OUT, to), text);
}

copyScript(join(GOVUK, "govuk-frontend.min.js"), "govuk-frontend.min.js");
copyScript(join(MOJ, "moj-frontend.min.js"), "moj-frontend.min.js");
copyScript(join(HTMX, "htmx.min.js"), "htmx.min.js");
copyScript(join(packageDir("accessible-autocomplete"), "dist/accessible-autocomplete.min.js"),
  "accessible-autocomplete.min.js");
copyFileSync(join(ASSETS, "js/borough.js"), join(OUT, "borough.js"));
written.push(join(OUT, "borough.js"));

// --- Images ---------------------------------------------------------------------
const IMAGES = join(OUT, "images");
rmSync(IMAGES, { recursive: true, force: true });
mkdirSync(IMAGES, { recursive: true });

// Our own first, so nothing from GOV.UK (crown, crest) can stand in for them.
const imageSources = [join(ASSETS, "images"), join(MOJ, "assets/images"), join(GOVUK, "assets/images")];
const FORBIDDEN = /crown|crest|govuk-|moj-logotype|opengraph/i;

function copyImage(name) {
  if (FORBIDDEN.test(name)) {
    throw new Error(`Refusing to ship ${name}: Borough does not use government marks.`);
  }
  const source = imageSources.map((dir) => join(dir, name)).find((path) => existsSync(path));
  if (!source) throw new Error(`borough.css refers to images/${name}, which no package provides.`);
  copyFileSync(source, join(IMAGES, name));
  written.push(join(IMAGES, name));
}

const css = readFileSync(join(OUT, "borough.css"), "utf8");
const referenced = new Set(
  [...css.matchAll(/url\(\s*["']?images\/([^"')]+)["']?\s*\)/g)].map((match) => match[1]),
);
for (const name of [...referenced, "favicon.svg", "borough-mark.svg"]) {
  if (!existsSync(join(IMAGES, name))) copyImage(name);
}
write(join(IMAGES, "favicon.ico"), ico([16, 32, 48]));
write(join(IMAGES, "apple-touch-icon.png"), png(180, { radius: 0 }));

for (const path of written) console.log(`  ${show(path)}`);
