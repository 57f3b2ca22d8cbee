// Starts Swagger UI on the API documentation page (core/api_docs.html), in place of
// drf-spectacular's generated script, so that it can take two plugins:
// - a layout without Swagger UI's own <main> and title block: the page's <main> holds
//   everything, and the page's <h1>/<h2> stand above Swagger UI's <h3> groups;
// - a label round each parameter's value control in "Try it out" (enum and boolean
//   parameters are a <select> with no name otherwise), and a name for the icon-only
//   close button.
"use strict";

const mount = document.getElementById("swagger-ui");
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

const BoroughLayoutPlugin = (system) => ({
  components: {
    BoroughLayout: () => {
      const h = system.React.createElement;
      const status = system.specSelectors.loadingStatus();
      if (status === "failed") {
        return h("p", { className: "govuk-body" }, "The API description could not be loaded.");
      }
      if (status !== "success") {
        return h("p", { className: "govuk-body" }, "Loading the API description…");
      }
      const hasAuth = !!system.specSelectors.securityDefinitions();
      const AuthorizeBtnContainer = system.getComponent("AuthorizeBtnContainer", true);
      const Operations = system.getComponent("operations", true);
      const Models = system.getComponent("Models", true);
      const Errors = system.getComponent("errors", true);
      const SvgAssets = system.getComponent("SvgAssets");
      return h("div", { className: "swagger-ui" },
        h(SvgAssets), h(Errors),
        hasAuth ? h("div", { className: "scheme-container" }, h(AuthorizeBtnContainer)) : null,
        h(Operations), h(Models));
    },
  },
});

const NamedControlsPlugin = (system) => {
  const wrap = (Original) => (props) => {
    const h = system.React.createElement;
    return h("label", { className: "borough-api-docs__value" },
      h("span", { className: "govuk-visually-hidden" }, `Value of ${props.description || "parameter"}`),
      h(Original, props));
  };
  // The close button of the Authorize dialog holds only this icon, hidden from screen readers.
  const named = (Original) => (props) => {
    const h = system.React.createElement;
    return h(system.React.Fragment, null,
      h(Original, props), h("span", { className: "govuk-visually-hidden" }, "Close dialog"));
  };
  return { wrapComponents: { JsonSchema_string: wrap, JsonSchema_boolean: wrap, CloseIcon: named } };
};

window.ui = SwaggerUIBundle({
  url: mount.dataset.schemaUrl,
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  plugins: [BoroughLayoutPlugin, NamedControlsPlugin],
  layout: "BoroughLayout",
  // Deep links put an <a> inside each operation's expand button (nested controls).
  deepLinking: false,
  // Highlighted examples are coloured by inline styles, some below 4.5:1 on their
  // dark background; plain examples take api-docs.css's colours.
  syntaxHighlight: { activated: false },
  // From 150 tags and operations shown (Borough has about 190) Swagger UI draws only
  // those near the viewport, so headings come and go as you scroll; groups start
  // closed to stay under that. The schema list (virtual from 100; Borough has about
  // 180) is left out: each operation shows its own schemas.
  docExpansion: "none",
  defaultModelsExpandDepth: -1,
  requestInterceptor: (request) => {
    // The session's CSRF token on writes, as drf-spectacular's own script does.
    if (!["GET", undefined].includes(request.method) && request.credentials === "same-origin") {
      request.headers["X-CSRFToken"] = csrfToken;
    }
    return request;
  },
});
