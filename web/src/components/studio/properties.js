// What Lianban reads of a diagram, read and written the way its parser reads it
// (engine/bpmn/dialects.py, engine/bpmn/parser.py): a user task's candidate groups, form, due date
// and stage from Camunda 7 attributes and camunda:properties first, then Zeebe extension elements,
// then SpiffArena properties; a start event's form the same way. The studio WRITES Camunda 7 only
// (the first the parser reads), and when it sets or clears a value it also removes that value from
// the other two dialects, so the XML never carries two answers to one question.
const ZEEBE = 'http://camunda.org/schema/zeebe/1.0'
const SPIFF = 'http://spiffworkflow.org/bpmn/schema/1.0/core'

// field -> where each dialect keeps it
const FIELDS = {
  candidateGroups: { camunda: 'candidateGroups', zeebe: ['zeebe:assignmentDefinition', 'candidateGroups'], spiff: 'candidateGroups' },
  formKey: { camunda: 'formKey', zeebe: ['zeebe:formDefinition', 'formKey', 'formId'], spiff: 'formJsonSchemaFilename' },
  dueDate: { camunda: 'dueDate', zeebe: ['zeebe:taskSchedule', 'dueDate'], spiff: 'dueDate' },
  stage: { camunda: null, zeebe: null, spiff: 'stage' },
}

const extValues = (bo) => bo.extensionElements?.values || []
const typeOf = (value) => value.$type || ''
const isType = (value, type) => typeOf(value).toLowerCase() === type.toLowerCase()
const propertyChildren = (value) => value.values || value.$children || []

function dialectProperties(bo, type) {
  const out = {}
  for (const value of extValues(bo).filter((v) => isType(v, type))) {
    for (const p of propertyChildren(value)) if (p.name) out[p.name] = p.value
  }
  return out
}

const split = (text) => (text || '').split(',').map((s) => s.trim()).filter(Boolean)

/** One field as the parser would read it: the first dialect that has it wins. */
export function readField(bo, field) {
  const where = FIELDS[field]
  if (field === 'stage') {
    return dialectProperties(bo, 'camunda:Properties').stage || dialectProperties(bo, 'zeebe:properties').stage
      || dialectProperties(bo, 'spiffworkflow:properties').stage || ''
  }
  const camunda = bo.get ? bo.get(`camunda:${where.camunda}`) : bo[where.camunda]
  const [ztype, ...zattrs] = where.zeebe
  const zvalue = extValues(bo).find((v) => isType(v, ztype))
  const zeebe = zvalue ? zattrs.map((a) => zvalue[a]).find(Boolean) : ''
  const spiff = dialectProperties(bo, 'spiffworkflow:properties')[where.spiff]
  if (field === 'candidateGroups') return (split(camunda).length ? camunda : split(zeebe).length ? zeebe : spiff) || ''
  return camunda || zeebe || spiff || ''
}

/** Everything the panel shows of a user task (or start event: only `formKey` matters there). */
export function readTask(bo) {
  return Object.fromEntries(Object.keys(FIELDS).map((f) => [f, readField(bo, f)]))
}

/** The extension elements without `field` in the other dialects (and, for the stage, with the
 * Camunda property set to `value`): a new list, the old objects untouched (undo keeps them). */
function valuesWithout(bo, moddle, field, value) {
  const where = FIELDS[field]
  const out = []
  for (const item of extValues(bo)) {
    if (where.zeebe && isType(item, where.zeebe[0])) {
      const keep = Object.fromEntries(Object.entries(item).filter(([k, v]) => !k.startsWith('$') && v !== undefined
        && !where.zeebe.slice(1).includes(k)))
      if (Object.keys(keep).length) out.push(Object.assign(moddle.createAny(typeOf(item), ZEEBE, keep)))
    } else if (isType(item, 'spiffworkflow:properties') || (field === 'stage' && isType(item, 'zeebe:properties'))) {
      const ns = isType(item, 'zeebe:properties') ? ZEEBE : SPIFF
      const name = field === 'stage' ? 'stage' : where.spiff
      const children = propertyChildren(item).filter((p) => p.name !== name)
      if (children.length) {
        const copy = moddle.createAny(typeOf(item), ns, {})
        copy.$children = children
        out.push(copy)
      }
    } else if (field === 'stage' && isType(item, 'camunda:Properties')) {
      const kept = item.values?.filter((p) => p.name !== 'stage') || []
      if (kept.length) out.push(moddle.create('camunda:Properties', { values: kept }))
    } else {
      out.push(item)
    }
  }
  if (field === 'stage' && value) {
    const stage = moddle.create('camunda:Property', { name: 'stage', value })
    const props = out.find((v) => isType(v, 'camunda:Properties'))
    if (props) props.values = [...props.values, stage]
    else out.push(moddle.create('camunda:Properties', { values: [stage] }))
  }
  return out
}

/** Set (or, with an empty value, clear) one field through bpmn-js's command stack: one undoable step. */
export function writeField(modeler, element, field, raw) {
  const modeling = modeler.get('modeling')
  const moddle = modeler.get('moddle')
  const bo = element.businessObject
  const value = (raw ?? '').toString().trim()
  const values = valuesWithout(bo, moddle, field, value)
  const props = { extensionElements: values.length ? moddle.create('bpmn:ExtensionElements', { values }) : undefined }
  if (FIELDS[field].camunda) props[`camunda:${FIELDS[field].camunda}`] = value || undefined
  modeling.updateProperties(element, props)
}

// --- sequence flows and timers ---------------------------------------------------------------------

export const conditionOf = (bo) => bo.conditionExpression?.body || ''

export function writeCondition(modeler, element, raw) {
  const value = (raw || '').trim()
  const expression = value ? modeler.get('moddle').create('bpmn:FormalExpression', { body: value }) : undefined
  modeler.get('modeling').updateProperties(element, { conditionExpression: expression })
}

export const TIMER_KINDS = ['timeDuration', 'timeDate', 'timeCycle']

export function timerOf(bo) {
  const definition = (bo.eventDefinitions || []).find((d) => isType(d, 'bpmn:TimerEventDefinition'))
  if (!definition) return null
  const kind = TIMER_KINDS.find((k) => definition[k]) || 'timeDuration'
  return { definition, kind, text: definition[kind]?.body || '' }
}

export function writeTimer(modeler, element, kind, raw) {
  const timer = timerOf(element.businessObject)
  if (!timer) return
  const props = Object.fromEntries(TIMER_KINDS.map((k) => [k, undefined]))
  props[kind] = modeler.get('moddle').create('bpmn:FormalExpression', { body: (raw || '').trim() })
  modeler.get('modeling').updateModdleProperties(element, timer.definition, props)
}

// --- routing targets (engine/domain/org.py) -----------------------------------------------------

const TARGET = /^([a-z]+):([a-z_]+)(?:@([A-Za-z0-9_-]+))?$/

export function parseTarget(text) {
  const m = TARGET.exec((text || '').trim())
  return m ? { tier: m[1], role: m[2], department: m[3] || '' } : null
}

export const formatTarget = ({ tier, role, department }) =>
  (tier && role ? `${tier}:${role}${department ? `@${department}` : ''}` : '')

// --- step deadlines: a due date of workdays(N) counts working days (docs/time-limits.md) -----------

const WORKDAYS = /^workdays\(\s*(\d+)\s*\)$/

export const workdaysOf = (dueDate) => {
  const m = WORKDAYS.exec((dueDate || '').trim())
  return m ? Number(m[1]) : null
}
