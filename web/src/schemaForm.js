// What the form renderer needs from a JSON Schema, kept apart from the component so it can be
// read (and tested) alone: which widget a property gets, which properties are required for the
// data as it stands (if/then/else and allOf), and the validation errors as one Chinese or English
// sentence per field. Validation uses @cfworker/json-schema, which interprets the schema instead
// of compiling it to code, so it runs under a Content-Security-Policy that forbids eval (Ajv would
// not); the server validates again with the same schema.
import { Validator } from '@cfworker/json-schema'

const DRAFT = '2020-12'

/** The options of a property with a closed set of values: oneOf/anyOf of {const, title}, or enum. */
export function optionsOf(property) {
  const choices = property.oneOf || property.anyOf
  if (Array.isArray(choices) && choices.every((c) => c && 'const' in c)) {
    return choices.map((c) => ({ value: c.const, label: c.title ?? String(c.const) }))
  }
  if (Array.isArray(property.enum)) return property.enum.map((v) => ({ value: v, label: String(v) }))
  return null
}

/** Which widget renders a property (the component maps each name to an Element Plus control). */
export function widgetOf(property) {
  const type = Array.isArray(property.type) ? property.type.find((t) => t !== 'null') : property.type
  if (type === 'boolean') return 'yesno'
  if (type === 'array') {
    const items = property.items || {}
    return optionsOf(items) ? 'checkboxes' : 'lines'
  }
  if (type === 'integer' || type === 'number') return 'number'
  if (type === 'object') return 'object'
  if (optionsOf(property)) return (optionsOf(property).length <= 4 ? 'radios' : 'select')
  if (property.format === 'date') return 'date'
  if (property.format === 'date-time') return 'datetime'
  if ((property.maxLength ?? 0) > 200) return 'textarea'
  return 'text'
}

/** Data without empty answers: an untouched field is absent (so `required` speaks, not `type`). */
export function compact(data) {
  const out = {}
  for (const [key, value] of Object.entries(data || {})) {
    if (value === '' || value === null || value === undefined) continue
    if (Array.isArray(value) && value.length === 0) continue
    out[key] = value && typeof value === 'object' && !Array.isArray(value) ? compact(value) : value
  }
  return out
}

function matches(schema, data) {
  return new Validator(schema, DRAFT, true).validate(data).valid
}

/** The names required for these data: `required`, plus what each if/then/else (also inside
 * allOf) adds for the data as they stand, so the asterisks follow the clerk's choices. */
export function requiredFor(schema, data) {
  const required = new Set(schema.required || [])
  const conditionals = [schema, ...(schema.allOf || [])].filter((s) => s && s.if)
  for (const part of conditionals) {
    const branch = matches({ ...part.if }, data) ? part.then : part.else
    for (const name of branch?.required || []) required.add(name)
    for (const [name, sub] of Object.entries(branch?.properties || {})) {
      if ((sub.minLength ?? 0) > 0 || (sub.minItems ?? 0) > 0) required.add(name)
    }
  }
  return required
}

/** The rule that failed at a property, from the base schema or the branch that applied. */
function ruleAt(schema, data, name, keyword) {
  const seen = [schema.properties?.[name]]
  for (const part of [schema, ...(schema.allOf || [])].filter((s) => s && s.if)) {
    const branch = matches({ ...part.if }, data) ? part.then : part.else
    seen.unshift(branch?.properties?.[name])
  }
  for (const property of seen) if (property && keyword in property) return property[keyword]
  return undefined
}

const REQUIRED_NAME = /"([^"]+)"/

/** Validates; returns {field: message} (empty when valid). `t` is vue-i18n's translate. */
export function validate(schema, data, t) {
  const clean = compact(data)
  const result = new Validator(schema, DRAFT, false).validate(clean)
  const errors = {}
  const label = (name) => schema.properties?.[name]?.title || name
  for (const error of result.errors) {
    let name = error.instanceLocation.replace(/^#\/?/, '').split('/')[0]
    let keyword = error.keyword
    if (keyword === 'required') {
      name = (REQUIRED_NAME.exec(error.error) || [])[1] || name
    }
    if (!name || errors[name]) continue
    if (!schema.properties?.[name] && keyword !== 'required') continue   // wrappers (if, then, allOf, properties)
    if (['properties', 'if', 'then', 'else', 'allOf', 'items'].includes(keyword) && clean[name] !== undefined) {
      continue                                                            // a deeper error says more
    }
    errors[name] = message(keyword, ruleAt(schema, clean, name, keyword), label(name), t)
  }
  // what a wrapper alone reported (e.g. a `then` minLength on an absent field) is a missing answer
  for (const name of requiredFor(schema, clean)) {
    if (clean[name] === undefined && !errors[name]) errors[name] = message('required', null, label(name), t)
  }
  return errors
}

function message(keyword, limit, label, t) {
  switch (keyword) {
    case 'required': return t('form.required', { label })
    case 'minLength': return limit > 1 ? t('form.minLength', { label, n: limit }) : t('form.required', { label })
    case 'maxLength': return t('form.maxLength', { label, n: limit })
    case 'minimum': return t('form.minimum', { label, n: limit })
    case 'exclusiveMinimum': return t('form.exclusiveMinimum', { label, n: limit })
    case 'maximum': return t('form.maximum', { label, n: limit })
    case 'exclusiveMaximum': return t('form.exclusiveMaximum', { label, n: limit })
    case 'minItems': return limit > 1 ? t('form.minItems', { label, n: limit }) : t('form.required', { label })
    case 'maxItems': return t('form.maxItems', { label, n: limit })
    case 'uniqueItems': return t('form.uniqueItems', { label })
    case 'pattern': return t('form.pattern', { label })
    case 'format': return t('form.format', { label })
    case 'enum': case 'const': case 'oneOf': case 'anyOf': return t('form.choice', { label })
    case 'type': return t('form.type', { label })
    default: return t('form.invalid', { label })
  }
}
