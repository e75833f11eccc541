// The form renderer's rules, on the real deployed forms (forms/*.schema.json): run by
// `node --test web/tests` (tests/unit/test_web_rules.py runs it with the Python suite).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { compact, optionsOf, requiredFor, validate, widgetOf } from '../src/schemaForm.js'

const form = (name) => JSON.parse(readFileSync(new URL(`../../forms/${name}.schema.json`, import.meta.url)))
const t = (key, params) => `${key}:${params.label}${params.n === undefined ? '' : `:${params.n}`}`

test('an unanswered yes/no question is required, never defaulted', () => {
  const accept = form('accept')
  assert.equal(widgetOf(accept.properties.accept), 'yesno')
  assert.deepEqual(validate(accept, {}, t), { accept: 'form.required:予以受理' })
})

test('if/then: refusing makes the reason required, in the asterisks and in the messages', () => {
  const accept = form('accept')
  assert.deepEqual([...requiredFor(accept, { accept: false })].sort(), ['accept', 'reason'])
  assert.deepEqual([...requiredFor(accept, { accept: true })], ['accept'])
  assert.deepEqual(validate(accept, { accept: false, reason: '' }, t), { reason: 'form.required:不予受理理由' })
  assert.deepEqual(validate(accept, { accept: false, reason: '材料不全' }, t), {})
})

test('limits are named with their numbers', () => {
  const accept = form('accept')
  assert.deepEqual(validate(accept, { accept: true, opinion: 'x'.repeat(2001) }, t), { opinion: 'form.maxLength:受理意见:2000' })
})

test('choices carry their Chinese titles; four or fewer are radios, a list of choices is checkboxes', () => {
  const decide = form('decide')
  assert.deepEqual(optionsOf(decide.properties.decision), [
    { value: 'granted', label: '准予许可' }, { value: 'refused', label: '不予许可' }])
  assert.equal(widgetOf(decide.properties.decision), 'radios')
  assert.deepEqual(validate(decide, { decision: 'maybe' }, t), { decision: 'form.choice:决定' })
  const food = form('apply_food_licence')
  assert.equal(widgetOf(food.properties.business_scope), 'checkboxes')
  assert.equal(widgetOf(food.properties.business_area), 'number')
})

test('every required field of an application is reported at once, in the schema order', () => {
  const food = form('apply_food_licence')
  const errors = validate(food, {}, t)
  assert.deepEqual(Object.keys(errors), food.required.filter((name) => Object.keys(food.properties).includes(name)))
})

test('a pattern failure names the field (USCC), and empty answers are left out of what is sent', () => {
  const food = form('apply_food_licence')
  const errors = validate(food, { uscc: 'not a code' }, t)
  assert.equal(errors.uscc, 'form.pattern:统一社会信用代码')
  assert.deepEqual(compact({ a: '', b: null, c: [], d: 'x', e: { f: '' } }), { d: 'x', e: {} })
})
