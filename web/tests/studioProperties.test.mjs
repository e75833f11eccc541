// The designer studio's property rules (web/src/components/studio/properties.js) on the demo
// diagrams, through bpmn-moddle with the studio's Camunda extension: values are read in the order
// the parser reads them (Camunda 7, then Zeebe, then SpiffArena), written as Camunda 7, and a value
// set or cleared leaves no other dialect's answer behind. Run by tests/unit/test_web_rules.py.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { BpmnModdle } from 'bpmn-moddle'
import { moddleExtensions } from '../src/components/studio/moddle.js'
import { formatTarget, parseTarget, readTask, workdaysOf, writeCondition, writeField } from '../src/components/studio/properties.js'

const moddle = new BpmnModdle(moddleExtensions)
const workflow = (name) => readFileSync(new URL(`../../workflows/${name}`, import.meta.url), 'utf8')

async function load(name) {
  const { rootElement, warnings } = await moddle.fromXML(workflow(name))
  assert.deepEqual(warnings, [])
  const byId = new Map()
  for (const process of rootElement.rootElements.filter((e) => e.$type === 'bpmn:Process')) {
    for (const e of process.flowElements || []) byId.set(e.id, e)
  }
  return { root: rootElement, byId }
}

// what the properties panel hands to writeField: bpmn-js's modeler, reduced to what it uses
const modeler = {
  get: (name) => ({ moddle, modeling: { updateProperties: (el, props) => { for (const [k, v] of Object.entries(props)) el.businessObject.set(k, v) } } })[name],
}
const shape = (bo) => ({ businessObject: bo })

test('a Zeebe task reads as the parser reads it, and an edit leaves only the Camunda 7 answer', async () => {
  const { root, byId } = await load('food_licence.bpmn')
  const decide = byId.get('district_decide')
  assert.deepEqual(readTask(decide), { candidateGroups: 'district:approver@market', formKey: 'decide', dueDate: 'P5D', stage: 'decided' })
  writeField(modeler, shape(decide), 'candidateGroups', 'district:head@market')
  writeField(modeler, shape(decide), 'stage', 'accepted')
  assert.deepEqual(readTask(decide), { candidateGroups: 'district:head@market', formKey: 'decide', dueDate: 'P5D', stage: 'accepted' })
  const { xml } = await moddle.toXML(root)
  const task = xml.slice(xml.indexOf('<bpmn:userTask id="district_decide"'), xml.indexOf('</bpmn:userTask>', xml.indexOf('id="district_decide"')))
  assert.match(task, /camunda:candidateGroups="district:head@market"/)
  assert.doesNotMatch(task, /zeebe:assignmentDefinition/)
  assert.match(task, /<zeebe:formDefinition formKey="decide"/)             // untouched fields stay where they were
  assert.match(task, /<camunda:property name="stage" value="accepted"/)
  assert.doesNotMatch(task, /zeebe:property name="stage"/)
})

test('SpiffArena properties are read and cleared property by property', async () => {
  const { byId } = await load('elderly_allowance.bpmn')
  const [id, spiffTask] = [...byId].find(([, e]) => e.$type === 'bpmn:UserTask' && readTask(e).candidateGroups)
  const before = readTask(spiffTask)
  assert.ok(before.candidateGroups, id)
  writeField(modeler, shape(spiffTask), 'candidateGroups', '')
  assert.equal(readTask(spiffTask).candidateGroups, '')              // no dialect answers any more
  assert.equal(readTask(spiffTask).formKey, before.formKey)
})

test('conditions, routing targets and working-day limits', async () => {
  const { byId } = await load('food_licence.bpmn')
  const flow = byId.get('flow_approved')
  writeCondition(modeler, shape(flow), " decision == 'granted' ")
  assert.equal(flow.conditionExpression.body, "decision == 'granted'")
  writeCondition(modeler, shape(flow), '')
  assert.equal(flow.conditionExpression, undefined)
  assert.deepEqual(parseTarget('district:approver@market'), { tier: 'district', role: 'approver', department: 'market' })
  assert.equal(parseTarget('district approver'), null)
  assert.equal(formatTarget({ tier: 'township', role: 'reviewer', department: '' }), 'township:reviewer')
  assert.equal(formatTarget({ tier: 'township', role: '', department: '' }), '')
  assert.equal(workdaysOf(' workdays( 5 ) '), 5)
  assert.equal(workdaysOf('P5D'), null)
})
