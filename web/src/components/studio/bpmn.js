// bpmn-js is heavy (~1 MB): loaded with a dynamic import() only when a studio page draws a diagram,
// its three style sheets with it, so no other page of the console pays for it.
import { moddleExtensions } from './moddle'

let styles = null
const loadStyles = () => (styles ||= Promise.all([
  import('bpmn-js/dist/assets/diagram-js.css'),
  import('bpmn-js/dist/assets/bpmn-js.css'),
  import('bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css'),
  import('./studio.css'),
]))

export async function createModeler(container) {
  const [{ default: Modeler }] = await Promise.all([import('bpmn-js/lib/Modeler'), loadStyles()])
  return new Modeler({ container, moddleExtensions })
}

export async function createViewer(container) {
  const [{ default: Viewer }] = await Promise.all([import('bpmn-js/lib/NavigatedViewer'), loadStyles()])
  return new Viewer({ container, moddleExtensions })
}

/** {name, xml}: the file a deployed version was deployed from. */
export async function fetchSource(definitionId) {
  const response = await fetch(`/api/v1/process-definitions/${definitionId}/source`, { credentials: 'same-origin' })
  if (!response.ok) {
    const body = await response.json().catch(() => ({}))
    const error = new Error(body.detail || `HTTP ${response.status}`)
    error.code = body.code || `http_${response.status}`
    throw error
  }
  const disposition = response.headers.get('Content-Disposition') || ''
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] || `definition-${definitionId}.bpmn`
  return { name, xml: await response.text() }
}

/** A new diagram: one executable process with a start event; the designer draws the rest. */
export function newDiagram(key, name) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="definitions_${key}" targetNamespace="http://lianban.local/bpmn">
  <bpmn:process id="${key}" name="${escapeXml(name)}" isExecutable="true">
    <bpmn:startEvent id="start" name="申请" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_${key}">
    <bpmndi:BPMNPlane id="plane_${key}" bpmnElement="${key}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="160" y="160" width="36" height="36" /></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`
}

const escapeXml = (text) => String(text || '').replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c])

/** A process key as the parser and the catalogue accept it: an XML id (letters, digits, _ - .). */
export const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/

/** Marks on elements (a CSS class) with a small overlay carrying the text; returns an undo function. */
export function markElements(viewer, marks) {
  const canvas = viewer.get('canvas')
  const overlays = viewer.get('overlays')
  const registry = viewer.get('elementRegistry')
  const root = canvas.getRootElement()
  const done = []
  for (const { id, cls, text } of marks) {
    const element = registry.get(id)
    if (!element || element === root || element.type === 'label') continue
    canvas.addMarker(element, cls)
    let overlayId = null
    if (text) {
      const html = document.createElement('div')
      html.className = `${cls}__note`
      html.textContent = text          // text, never HTML: messages carry the designer's own names
      overlayId = overlays.add(element, cls, { position: { bottom: -4, left: 0 }, html })
    }
    done.push([element, cls, overlayId])
  }
  return () => {
    for (const [element, cls, overlayId] of done) {
      canvas.removeMarker(element, cls)
      if (overlayId) overlays.remove(overlayId)
    }
  }
}
