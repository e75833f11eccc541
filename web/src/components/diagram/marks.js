// What a diagram marks, from the API's answers (pure: web/tests/diagram.test.mjs). bpmn-js gets
// CSS classes per element id (BpmnDiagram.vue styles them) and badges; the list beside the
// diagram gets the same facts as text.

const STATE_ORDER = { overdue: 0, active: 1, completed: 2, cancelled: 3 }
const CLASS_OF = { completed: 'lb-completed', active: 'lb-active', overdue: 'lb-overdue', cancelled: 'lb-cancelled' }

/** Markers, badges, the named steps (overdue, then active, completed, cancelled) and their counts
 * of a case's diagram (GET cases/{id}/diagram). Unnamed elements (gateways, plain events) are
 * coloured but not listed unless a token sits on them. */
export function caseMarks(diagram, t) {
  const markers = {}
  const overlays = []
  const counts = { completed: 0, active: 0, overdue: 0 }
  if (!diagram) return { markers, overlays, steps: [], counts }
  for (const e of diagram.elements || []) {
    markers[e.element_id] = CLASS_OF[e.state] || 'lb-completed'
    if (e.state === 'overdue') overlays.push({ element: e.element_id, text: t('diagram.overdueBadge'), kind: 'overdue' })
    else if (e.state === 'active') overlays.push({ element: e.element_id, text: t('diagram.tokenBadge'), kind: 'token' })
  }
  for (const flow of diagram.flows_taken || []) markers[flow] = 'lb-flow-taken'
  const steps = (diagram.elements || []).filter((e) => e.name || e.active)
    .sort((a, b) => (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9))
  for (const e of steps) if (e.state in counts) counts[e.state] += 1
  return { markers, overlays, steps, counts }
}

/** The five classes of the heat scale: bounds of mean working days, from 0 to the largest mean. */
export function heatScale(steps) {
  const means = steps.filter((s) => s.mean_days != null).map((s) => s.mean_days)
  const top = Math.max(5, Math.ceil(Math.max(0, ...means)))
  const bounds = [0, 1, 2, 3, 4, 5].map((i) => Math.round((top * i) / 5 * 10) / 10)
  return bounds.slice(0, 5).map((from, i) => ({ cls: `lb-heat-${i}`, from, to: bounds[i + 1] }))
}

export function heatClass(scale, mean) {
  if (mean == null) return null
  const found = scale.find((s) => mean < s.to)
  return (found || scale[scale.length - 1]).cls
}

/** Markers and badges ("x.x 工作日 · n 超期") of a version's heatmap (GET process-definitions/{id}/heatmap). */
export function heatMarks(heatmap, t) {
  const markers = {}
  const overlays = []
  if (!heatmap) return { markers, overlays, scale: [] }
  const drawn = (heatmap.steps || []).filter((s) => s.in_diagram)
  const scale = heatScale(drawn)
  for (const s of drawn) {
    const cls = heatClass(scale, s.mean_days)
    if (cls) markers[s.element_id] = cls
    const kind = s.overdue ? 'overdue' : 'heat'
    const position = { top: -14, left: 0 }
    if (s.completed) {
      overlays.push({ element: s.element_id, kind, position,
        text: t('heatmap.badge', { days: s.mean_days.toFixed(1), overdue: s.overdue }) })
    } else if (s.open || s.overdue) {
      overlays.push({ element: s.element_id, kind, position, text: t('heatmap.openBadge', { open: s.open, overdue: s.overdue }) })
    }
  }
  return { markers, overlays, scale }
}
