// What the diagrams mark (web/src/components/diagram/marks.js): run by `node --test web/tests`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { caseMarks, heatClass, heatMarks, heatScale } from '../src/components/diagram/marks.js'

const t = (key, params) => (params ? `${key}:${JSON.stringify(params)}` : key)

test('a case: completed green, the token blue with a badge, overdue red with 超期, the path', () => {
  const marks = caseMarks({ flows_taken: ['f1'], elements: [
    { element_id: 'a', name: '收件', state: 'completed', completed: 1, active: 0 },
    { element_id: 'gw', name: null, state: 'completed', completed: 1, active: 0 },
    { element_id: 'b', name: '审查', state: 'active', completed: 0, active: 1 },
    { element_id: 'c', name: '决定', state: 'overdue', completed: 0, active: 1 },
  ] }, t)
  assert.deepEqual(marks.markers, { a: 'lb-completed', gw: 'lb-completed', b: 'lb-active', c: 'lb-overdue', f1: 'lb-flow-taken' })
  assert.deepEqual(marks.overlays.map((o) => [o.element, o.kind, o.text]),
    [['b', 'token', 'diagram.tokenBadge'], ['c', 'overdue', 'diagram.overdueBadge']])
  assert.deepEqual(marks.steps.map((e) => e.element_id), ['c', 'b', 'a'])       // the unnamed gateway is not listed
  assert.deepEqual(marks.counts, { completed: 1, active: 1, overdue: 1 })
})

test('the heat scale runs from 0 to the largest mean in five classes', () => {
  assert.deepEqual(heatScale([]).map((s) => [s.from, s.to]), [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]])
  assert.deepEqual(heatScale([{ mean_days: 9.2 }]).map((s) => s.to), [2, 4, 6, 8, 10])
  const scale = heatScale([{ mean_days: 5 }, { mean_days: 0 }, { mean_days: null }])
  assert.equal(heatClass(scale, 0), 'lb-heat-0')
  assert.equal(heatClass(scale, 2.5), 'lb-heat-2')
  assert.equal(heatClass(scale, 5), 'lb-heat-4')
  assert.equal(heatClass(scale, null), null)
  const marks = heatMarks({ steps: [
    { element_id: 'r', in_diagram: true, mean_days: 5, completed: 2, overdue: 1, open: 0 },
    { element_id: 'o', in_diagram: true, mean_days: null, completed: 0, overdue: 0, open: 2 },
    { element_id: 'x', in_diagram: false, mean_days: 9, completed: 1, overdue: 0, open: 0 },
  ] }, t)
  assert.deepEqual(marks.markers, { r: 'lb-heat-4' })
  assert.deepEqual(marks.overlays.map((o) => [o.element, o.kind, o.text]), [
    ['r', 'overdue', 'heatmap.badge:{"days":"5.0","overdue":1}'], ['o', 'heat', 'heatmap.openBadge:{"open":2,"overdue":0}']])
})
