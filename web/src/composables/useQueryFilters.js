// A list whose filters live in the address, so a reload, the back button and a shared link show the
// same list (docs/console.md#lists-with-their-filters-in-the-address). The rules of reading and
// writing the query are in queryFilters.js; this puts them on a page:
//
//   const { filters, draft, apply, set, reset } = useQueryFilters(SPEC, { load, live: ['state'] })
//
// - `filters`: what the address says, parsed (read-only). Every change of it — ours, Back, a link —
//   calls `load(filters)`; once at the start too (right after the page's setup).
// - `draft`: the form's copy (v-model on it). A field the address changes is copied into it; what
//   someone typed and has not searched for yet stays. `live` fields apply as soon as they change
//   (selects); the others wait for `apply()` (a search button).
// - `apply(change)`: the draft (with `change`) into the address; `set(change)`: the filters in the
//   address with `change` (the draft's unsearched text left out). Both go back to the first page
//   unless the change names the page, and replace the address instead of piling up history.
//   Asking for what the address already says loads again (a search button refreshes).
// - `reset()`: every filter back to its default.
import { reactive, shallowRef, watch } from 'vue'
import { useRouter } from 'vue-router'
import { copy, defaults, parseQuery, sameValue, toQuery } from './queryFilters.js'

export function useQueryFilters(spec, { load = () => {}, live = [], pageKey = 'page', router = useRouter() } = {}) {
  const route = router.currentRoute
  const name = route.value.name            // the page's own route: leaving it is not a change of filters
  const filters = shallowRef(parseQuery(spec, route.value.query))
  const draft = reactive(copy(filters.value))
  const canonical = (values) => JSON.stringify(toQuery(spec, values))

  watch(() => route.value.query, () => {
    if (route.value.name !== name) return
    const next = parseQuery(spec, route.value.query)
    if (canonical(next) === canonical(filters.value)) return
    const before = filters.value
    filters.value = next
    for (const key of Object.keys(spec)) {
      if (!sameValue(next[key], before[key])) draft[key] = Array.isArray(next[key]) ? [...next[key]] : next[key]
    }
    load(next)
  })

  function go(values, change) {
    const next = { ...values, ...change }
    if (pageKey in spec && !(pageKey in change)) next[pageKey] = spec[pageKey].default
    const query = toQuery(spec, next)
    if (JSON.stringify(query) === canonical(filters.value)) {
      Object.assign(draft, copy(filters.value))
      load(filters.value)
      return Promise.resolve()
    }
    return router.replace({ query })
  }
  const apply = (change = {}) => go(copy(draft), change)
  const set = (change = {}) => go(copy(filters.value), change)
  function reset() {
    Object.assign(draft, defaults(spec))
    return apply()
  }

  if (live.length) {
    watch(() => live.map((key) => draft[key]), () => {
      if (live.some((key) => !sameValue(draft[key], filters.value[key]))) apply()
    })
  }
  queueMicrotask(() => load(filters.value))     // after the page's setup has named what load() reads
  return { filters, draft, apply, set, reset }
}
