// A form from a JSON Schema (Draft 2020-12 object, one level of properties): one input per
// property, and the data read back. The server validates everything (patterns, formats, required);
// the page only shows its answer next to each field. Each field's error line has
// data-field="<prefix>.<name>", the `field` the API names in a form_invalid problem.
"use strict";

function schemaInput(name, field) {
  if (field.enum) {
    return el("select", {name}, el("option", {value: ""}), field.enum.map((v) => el("option", {value: v, textContent: v})));
  }
  if (field.type === "boolean") return el("input", {name, type: "checkbox"});
  if (field.type === "array" && field.items && field.items.enum) {
    return el("span", {className: "choices", dataset: {name}}, field.items.enum.map((v) =>
      el("label", {className: "choice"}, el("input", {type: "checkbox", name, value: v}), v)));
  }
  if (field.type === "array") return el("textarea", {name, rows: 3, placeholder: "…"});
  const input = el("input", {name});
  if (field.type === "number" || field.type === "integer") { input.type = "number"; input.step = "any"; }
  if (field.format === "date") input.type = "date";
  if (field.maxLength) input.maxLength = field.maxLength;
  return input;
}

function renderSchemaForm(container, schema, prefix) {
  const required = new Set(schema.required || []);
  container.replaceChildren(...Object.entries(schema.properties || {}).map(([name, field]) => el("div",
    {className: "schema-field"},
    el("label", null, el("span", null, (field.title || name) + (required.has(name) ? " *" : "")), schemaInput(name, field)),
    field.description ? el("small", {textContent: field.description}) : null,
    el("span", {className: "field-error error", dataset: {field: `${prefix}.${name}`}}))));
}

// the data: empty fields are left out (so a missing required field is reported as missing)
function readSchemaForm(container, schema) {
  const data = {};
  for (const [name, field] of Object.entries(schema.properties || {})) {
    const inputs = [...container.querySelectorAll(`[name="${name}"]`)];
    if (field.type === "array" && field.items && field.items.enum) {
      const chosen = inputs.filter((i) => i.checked).map((i) => i.value);
      if (chosen.length) data[name] = chosen;
      continue;
    }
    const input = inputs[0];
    if (!input) continue;
    if (field.type === "boolean") { data[name] = input.checked; continue; }
    const value = input.value.trim();
    if (!value) continue;
    if (field.type === "array") data[name] = value.split("\n").map((s) => s.trim()).filter(Boolean);
    else if (field.type === "number" || field.type === "integer") data[name] = Number(value);
    else data[name] = value;
  }
  return data;
}

// a problem's per-field errors next to their fields; the ones without a place are returned
function showFieldErrors(root, errors) {
  root.querySelectorAll(".field-error").forEach((span) => { span.textContent = ""; });
  const unplaced = [];
  for (const e of errors) {
    const span = root.querySelector(`.field-error[data-field="${CSS.escape(e.field)}"]`)
      || root.querySelector(`.field-error[data-field="${CSS.escape(e.field.split(".").slice(0, 2).join("."))}"]`);
    if (span) span.textContent = e.message; else unplaced.push(e);
  }
  return unplaced;
}
