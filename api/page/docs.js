"use strict";
// Swagger UI over this API's own document; every request it makes stays on this origin.
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  // Otherwise it sends the document's address to validator.swagger.io for a badge.
  validatorUrl: null,
  // A ?url= or ?configUrl= in this page's address must not load another document.
  queryConfigEnabled: false,
  // Writes need a bearer token: "Try it out" sends reads only.
  supportedSubmitMethods: ["get", "head"],
});
