// A list's filters as they stand in the address (?state=open&kind=timer&page=2): read from the
// query with typed defaults, written back with only what differs from them. Pure (no Vue), so
// web/tests/queryFilters.test.mjs checks the rules; useQueryFilters.js puts them to work on a page.
//
// A spec names each filter and its default; the default's type is the filter's type:
//   { state: { default: 'open', oneOf: ['', 'open', 'resolved'], always: true },   // a string
//     process: { default: '', max: 128 },                                        // trimmed, cut to 128
//     due: { default: '', pattern: /^\d{4}-\d{2}-\d{2}$/ },
//     page: { default: 1, min: 1 },                                               // a whole number
//     unit: { default: null, type: 'number' },                                    // a number or none
//     open: { default: false },                                                   // a boolean
//     status: { default: [], of: 'string', oneOf: ['fixing', 'fixed'] } }         // repeated: ?status=a&status=b
// What the address says that does not fit (a word not in oneOf, "2x" for a number) is the default.

export function typeOf(field) {
  if (field.type) return field.type
  if (Array.isArray(field.default)) return 'array'
  if (typeof field.default === 'boolean') return 'boolean'
  if (typeof field.default === 'number') return 'number'
  return 'string'
}

const first = (value) => (Array.isArray(value) ? value[0] : value)

function parseString(raw, field) {
  if (typeof raw !== 'string') return undefined
  const text = field.max ? raw.slice(0, field.max) : raw
  if (field.oneOf && !field.oneOf.includes(text)) return undefined
  if (field.pattern && !field.pattern.test(text)) return undefined
  return text
}

function parseNumber(raw, field) {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined
  const n = Number(raw)
  if (!Number.isInteger(n)) return undefined
  if ((field.min !== undefined && n < field.min) || (field.max !== undefined && n > field.max)) return undefined
  if (field.oneOf && !field.oneOf.includes(n)) return undefined
  return n
}

function parseBoolean(raw) {
  if (raw === 'true' || raw === '1') return true
  if (raw === 'false' || raw === '0') return false
  return undefined
}

const ONE = { string: parseString, number: parseNumber, boolean: parseBoolean }

/** One filter's value from the query's raw value (a string, an array of them, or nothing). */
export function parseValue(raw, field) {
  const type = typeOf(field)
  if (type === 'array') {
    if (raw === undefined || raw === null) return [...field.default]
    const parse = ONE[field.of || 'string']
    return (Array.isArray(raw) ? raw : [raw]).map((v) => parse(v, { ...field, max: undefined })).filter((v) => v !== undefined)
  }
  const value = ONE[type](first(raw), field)
  return value === undefined ? field.default : value
}

/** Every filter of the spec from a route's query. */
export function parseQuery(spec, query) {
  return Object.fromEntries(Object.entries(spec).map(([key, field]) => [key, parseValue(query?.[key], field)]))
}

// a cleared select gives undefined (Element Plus): for a text filter that is the empty text ("any")
function clean(value, field) {
  if (typeOf(field) !== 'string') return value
  return value === undefined || value === null ? '' : String(value).trim()
}

export const sameValue = (a, b) => JSON.stringify(a) === JSON.stringify(b)

/** The query for these values: what differs from its default (and what is `always` written), as text. */
export function toQuery(spec, values) {
  const query = {}
  for (const [key, field] of Object.entries(spec)) {
    const value = clean(values[key], field)
    if (value === undefined || value === null) continue
    if (sameValue(value, field.default) && !field.always) continue
    if (Array.isArray(value)) {
      if (value.length) query[key] = value.map(String)
    } else {
      query[key] = String(value)
    }
  }
  return query
}

/** Copies of the values (arrays too), so a form can edit them without touching the originals. */
export const copy = (values) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]))

/** The spec's defaults. */
export const defaults = (spec) => Object.fromEntries(Object.entries(spec).map(([k, f]) => [k, Array.isArray(f.default) ? [...f.default] : f.default]))
