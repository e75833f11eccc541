// The rules of a list's filters in the address (web/src/composables/queryFilters.js) and the
// composable that puts them on a page (useQueryFilters.js), driven by a router in memory.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { effectScope, nextTick } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { parseQuery, toQuery } from '../src/composables/queryFilters.js'
import { useQueryFilters } from '../src/composables/useQueryFilters.js'

const SPEC = {
  state: { default: 'open', oneOf: ['', 'open', 'resolved'], always: true },
  kind: { default: '', oneOf: ['external_task', 'timer'] },
  process: { default: '', max: 8 },
  due: { default: '', pattern: /^\d{4}-\d{2}-\d{2}$/ },
  unit: { default: null, type: 'number' },
  mine: { default: false },
  status: { default: [], oneOf: ['fixing', 'fixed'] },
  ids: { default: [], of: 'number' },
  page: { default: 1, min: 1 },
}

test('what the address says is parsed by type, and what does not fit is the default', () => {
  assert.deepEqual(parseQuery(SPEC, {}), {
    state: 'open', kind: '', process: '', due: '', unit: null, mine: false, status: [], ids: [], page: 1 })
  assert.deepEqual(parseQuery(SPEC, {
    state: '', kind: 'timer', process: 'fee_payment_check', due: '2026-12-01', unit: '7', mine: 'true',
    status: ['fixing', 'bogus', 'fixed'], ids: ['3', 'x', '5'], page: '3' }), {
    state: '', kind: 'timer', process: 'fee_paym', due: '2026-12-01', unit: 7, mine: true,
    status: ['fixing', 'fixed'], ids: [3, 5], page: 3 })
  const bad = parseQuery(SPEC, { state: 'bogus', kind: 'script', due: '1.12.2026', unit: '1.5', mine: 'yes', page: '0' })
  assert.deepEqual(bad, { ...parseQuery(SPEC, {}) })
  assert.equal(parseQuery(SPEC, { page: '2x' }).page, 1)
  assert.equal(parseQuery(SPEC, { page: ['4', '5'] }).page, 4)          // a repeated single value: the first
  assert.deepEqual(parseQuery(SPEC, { status: 'fixed' }).status, ['fixed'])
  assert.equal(parseQuery(SPEC, { mine: '0' }).mine, false)
})

test('the address gets what differs from the defaults, trimmed, and what is always written', () => {
  assert.deepEqual(toQuery(SPEC, parseQuery(SPEC, {})), { state: 'open' })
  assert.deepEqual(toQuery(SPEC, { ...parseQuery(SPEC, {}), state: '', process: '  fee  ', unit: 7, mine: true,
    status: ['fixed'], ids: [3, 5], page: 2 }), {
    state: '', process: 'fee', unit: '7', mine: 'true', status: ['fixed'], ids: ['3', '5'], page: '2' })
  // a cleared select (undefined) is "any": written as state= where the default is a state
  assert.deepEqual(toQuery(SPEC, { ...parseQuery(SPEC, {}), state: undefined, kind: undefined }), { state: '' })
  const round = { state: 'resolved', kind: 'timer', process: 'x', due: '2026-12-01', unit: 9, mine: true,
    status: ['fixing'], ids: [1], page: 4 }
  assert.deepEqual(parseQuery(SPEC, toQuery(SPEC, round)), round)
})

async function page(spec, query, options = {}) {
  const Page = { render: () => null }
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', name: 'home', component: Page },
    { path: '/list', name: 'list', component: Page }, { path: '/other', name: 'other', component: Page }] })
  await router.push('/')                                               // where Back goes from the list
  await router.push({ path: '/list', query })
  const loads = []
  const scope = effectScope()
  const got = scope.run(() => useQueryFilters(spec, { router, load: (f) => loads.push({ ...f }), ...options }))
  return { router, loads, scope, ...got }
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 20))      // watchers, then the router
const LIST = { kind: SPEC.kind, process: SPEC.process, page: SPEC.page }

test('it loads at once with what the address says', async () => {
  const p = await page(LIST, { kind: 'timer', page: '2' })
  await settle()
  assert.deepEqual(p.loads, [{ kind: 'timer', process: '', page: 2 }])
  assert.deepEqual({ ...p.draft }, { kind: 'timer', process: '', page: 2 })
})

test('a live filter goes into the address at once, back to the first page, without piling history', async () => {
  const p = await page(LIST, { page: '3' }, { live: ['kind'] })
  p.draft.kind = 'external_task'
  await settle()
  assert.deepEqual(p.router.currentRoute.value.query, { kind: 'external_task' })
  assert.deepEqual(p.loads.at(-1), { kind: 'external_task', process: '', page: 1 })
  p.draft.process = 'fee'                                              // not live: waits for apply()
  await settle()
  assert.equal(p.router.currentRoute.value.query.process, undefined)
  assert.equal(p.loads.length, 2)
  await p.apply()
  await settle()
  assert.deepEqual(p.router.currentRoute.value.query, { kind: 'external_task', process: 'fee' })
  assert.equal(p.loads.length, 3)
  p.router.back()                                                      // replaced, not pushed: Back leaves the list
  await new Promise((resolve) => setTimeout(resolve, 10))
  assert.equal(p.router.currentRoute.value.path, '/')
})

test('turning the page keeps the filters; searching again for the same loads again', async () => {
  const p = await page(LIST, { kind: 'timer' })
  await p.set({ page: 2 })
  await settle()
  assert.deepEqual(p.router.currentRoute.value.query, { kind: 'timer', page: '2' })
  await p.set({ page: 2 })
  assert.equal(p.loads.length, 3)
  assert.deepEqual(p.loads.at(-1), { kind: 'timer', process: '', page: 2 })
})

test('set() leaves out the draft text nobody searched for, and keeps it in the form', async () => {
  const p = await page(LIST, {})
  p.draft.process = 'typed'
  await p.set({ kind: 'timer' })
  await settle()
  assert.deepEqual(p.router.currentRoute.value.query, { kind: 'timer' })
  assert.equal(p.draft.process, 'typed')
})

test('Back, a link or a reload changes the filters and the form the same way', async () => {
  const p = await page(LIST, {})
  await p.router.push({ path: '/list', query: { kind: 'timer', process: 'abc', page: '2' } })
  await settle()
  assert.deepEqual({ ...p.draft }, { kind: 'timer', process: 'abc', page: 2 })
  assert.deepEqual(p.filters.value, { kind: 'timer', process: 'abc', page: 2 })
  p.router.back()
  await new Promise((resolve) => setTimeout(resolve, 10))
  await settle()
  assert.deepEqual(p.filters.value, { kind: '', process: '', page: 1 })
  assert.equal(p.loads.length, 3)
})

test('reset() clears the form and the address; leaving the page is no change of filters', async () => {
  const p = await page(LIST, { kind: 'timer', process: 'abc' })
  p.draft.process = 'more'
  await p.reset()
  await settle()
  assert.deepEqual(p.router.currentRoute.value.query, {})
  assert.deepEqual({ ...p.draft }, { kind: '', process: '', page: 1 })
  const loads = p.loads.length
  await p.router.push({ path: '/other', query: { kind: 'external_task' } })
  await settle()
  assert.equal(p.loads.length, loads)
  assert.equal(p.filters.value.kind, '')
  p.scope.stop()
})

